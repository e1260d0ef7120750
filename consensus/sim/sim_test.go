package sim

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// defaultSeeds is how many seeds plain `go test` runs: every mix 30 times.
const defaultSeeds = 300

// shortSeeds is how many seeds `go test -short` runs: every mix twice. The
// suite's race-detector step runs -short; a seed is one goroutine's pure run,
// so what the race detector can check here is the worker pool, and 300 seeds
// under it took over 15 minutes on a loaded 2-core machine.
const shortSeeds = 20

func envInt(t *testing.T, name string, def uint64) uint64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

func replayCommand(seed uint64) string {
	return fmt.Sprintf("QIAN_SIM_SEED=%d QIAN_SIM_TRACE=1 go test ./consensus/sim -run 'TestSimulation$' -v", seed)
}

// TestSimulation runs seeds through the simulator and fails on the first
// violated invariant of any seed, printing the seed and the command that
// replays it. QIAN_SIM_SEEDS=N runs N seeds (from QIAN_SIM_FIRST, default
// 1); QIAN_SIM_SEED=S runs just seed S (QIAN_SIM_TRACE=1 traces it).
// Large runs need -timeout 0: 10,000 seeds take about 29 CPU-minutes
// (with validator-set changes in three seeds of four).
func TestSimulation(t *testing.T) {
	if s := os.Getenv("QIAN_SIM_SEED"); s != "" {
		seed := envInt(t, "QIAN_SIM_SEED", 0)
		o := Options{Seed: seed}
		if os.Getenv("QIAN_SIM_TRACE") != "" {
			o.Trace = os.Stdout
		}
		r := Run(o)
		t.Logf("seed %d mix %s validators %d byzantine %v: %d heights, %d rounds, virtual %s, GST %s, decided all %s after GST, %d messages, %d crashes, %d validator-set changes, %d messages signed outside the set",
			seed, r.Mix, r.Validators, r.Byzantine, r.Heights, r.Rounds, r.VirtualTime, r.GST, r.AfterGST, r.Messages, r.Crashes, r.Changes, r.Outsider)
		for _, v := range r.Violations {
			t.Errorf("seed %d: %s", seed, v)
		}
		return
	}
	def := uint64(defaultSeeds)
	if testing.Short() {
		def = shortSeeds
	}
	n := envInt(t, "QIAN_SIM_SEEDS", def)
	first := envInt(t, "QIAN_SIM_FIRST", 1)
	start := time.Now()
	results := make([]Result, n)
	var next uint64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				results[i] = Run(Options{Seed: first + i})
			}
		}()
	}
	wg.Wait()
	type agg struct {
		seeds, heights, rounds, messages int
		maxAfterGST                      time.Duration
	}
	byMix := map[string]*agg{}
	violations := 0
	var crashes, changes, outsider, changed int
	var catchUps uint64
	var maxAfter time.Duration
	var maxSeed uint64
	for _, r := range results {
		a := byMix[r.Mix]
		if a == nil {
			a = &agg{}
			byMix[r.Mix] = a
		}
		a.seeds++
		crashes += r.Crashes
		changes += r.Changes
		outsider += r.Outsider
		if r.Changes > 0 {
			changed++
		}
		catchUps += r.CatchUps
		a.heights += r.Heights
		a.rounds += r.Rounds
		a.messages += r.Messages
		a.maxAfterGST = max(a.maxAfterGST, r.AfterGST)
		if r.AfterGST > maxAfter {
			maxAfter, maxSeed = r.AfterGST, r.Seed
		}
		if !r.OK() {
			violations++
			if violations <= 10 {
				t.Errorf("seed %d (mix %s, %d validators, byzantine %v) violated:\n  %s\nreplay: %s",
					r.Seed, r.Mix, r.Validators, r.Byzantine, joinLines(r.Violations), replayCommand(r.Seed))
			}
		}
	}
	names := make([]string, 0, len(byMix))
	for k := range byMix {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		a := byMix[k]
		t.Logf("mix %-12s %4d seeds, %.2f rounds/height, %6.0f messages/height, slowest finish %s after GST",
			k, a.seeds, float64(a.rounds)/float64(max(a.heights, 1)), float64(a.messages)/float64(max(a.heights, 1)), a.maxAfterGST)
	}
	t.Logf("%d crash-restarts, %d catch-ups served; %d seeds changed their validator set, %d messages signed outside the set of their height injected", crashes, catchUps, changed, outsider)
	t.Logf("slowest seed after GST: %d (%s); liveness bound is %s for 5 heights", maxSeed, maxAfter, livenessBound(5))
	t.Logf("%d seeds, %d violations, %d validator-set changes (seeds %d..%d, %s wall)", n, violations, changes, first, first+n-1, time.Since(start).Round(time.Millisecond))
}

func joinLines(s []string) string {
	out := ""
	for i, l := range s {
		if i > 0 {
			out += "\n  "
		}
		out += l
	}
	return out
}
