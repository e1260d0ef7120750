package main

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/qianchain/qianchain/scripts/internal/procnet"
)

// The tests in this file start real node processes; they run only with
// QIAN_CHAOS=1 (CI: QIAN_CHAOS=1 QIAN_CHAOS_DURATION=60s).
func needChaos(t *testing.T) {
	t.Helper()
	if os.Getenv("QIAN_CHAOS") != "1" {
		t.Skip("starts a 5-process testnet; set QIAN_CHAOS=1 (and QIAN_CHAOS_DURATION, default 60s) to run")
	}
}

// TestChaos is scripts/chaos.sh in short: faults for QIAN_CHAOS_DURATION
// (default 60s) under load, then every invariant checked.
func TestChaos(t *testing.T) {
	needChaos(t)
	o := DefaultOptions()
	o.Duration = time.Minute
	if s := os.Getenv("QIAN_CHAOS_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("QIAN_CHAOS_DURATION=%q: %v", s, err)
		}
		o.Duration = d
	}
	if s := os.Getenv("QIAN_CHAOS_SEED"); s != "" {
		seed, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("QIAN_CHAOS_SEED=%q: %v", s, err)
		}
		o.Seed = seed
	}
	sum, err := Run(context.Background(), o, &procnet.LineWriter{Logf: t.Log})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Violations) > 0 {
		t.Fatalf("seed %d: %d violation(s); first: %s (node logs kept in %s)", sum.Seed, len(sum.Violations), sum.Violations[0], sum.Dir)
	}
	if sum.Faults == 0 || sum.Committed == 0 {
		t.Fatalf("seed %d: %d faults, %d committed transactions: the run did nothing", sum.Seed, sum.Faults, sum.Committed)
	}
}

// TestCutIsolates shows that the proxies really carry every link: a node
// whose links are cut stops while the others go on, and a 2-2 split stops
// everyone; healed, they all go on again.
func TestCutIsolates(t *testing.T) {
	needChaos(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	bin, err := procnet.BuildQian(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.SetChanges = false // the four validators and the observer of the layout below
	r, err := newRunner(ctx, o, bin, dir, time.Now(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	c := r.c
	defer c.Fabric.close()
	defer c.KillAll()
	go r.mon.Run(ctx)
	for i := range c.Nodes {
		if err := c.Start(i); err != nil {
			t.Fatal(err)
		}
	}
	if !r.waitAll(ctx, 2, 2*time.Minute) {
		t.Fatalf("the network did not start: %s", r.heights())
	}
	vals := c.validators()
	height := func(i int) uint64 { return r.mon.Snapshot().Samples[i].Height }
	// waitFor polls cond for up to a minute (a liveness wait, not a timing
	// assertion).
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if cond() {
				return
			}
		}
		t.Fatalf("%s: not within a minute; %s", what, r.heights())
	}

	// One validator cut off: it stops, the other three go on.
	const cut = 2
	links := c.Fabric.touching(cut)
	for _, l := range links {
		l.Cut()
	}
	time.Sleep(time.Second) // whatever was in flight lands
	base := height(cut)
	others := []int{0, 1, 3}
	start := r.mon.Snapshot().quorumHeight(others, 3)
	waitFor("the other validators commit 3 more blocks", func() bool {
		return r.mon.Snapshot().quorumHeight(others, 3) >= start+3
	})
	if h := height(cut); h > base+1 {
		t.Fatalf("%s advanced from %d to %d while cut off: a link bypasses the proxies", c.Nodes[cut].Name, base, h)
	}
	for _, l := range links {
		if n := l.Live(); n != 0 {
			t.Fatalf("link %d->%d has %d live connections while cut", l.From, l.To, n)
		}
	}
	t.Logf("%s held at %d while the others went from %d to %d", c.Nodes[cut].Name, height(cut), start, r.mon.Snapshot().quorumHeight(others, 3))
	for _, l := range links {
		l.Heal()
	}
	waitFor("the cut node catches up", func() bool { return height(cut) >= r.mon.Snapshot().quorumHeight(others, 3) })

	// A 2-2 split: no side has a quorum, so nobody advances (the observer
	// sits with the first half).
	a, b := []int{0, 1, 4}, []int{2, 3}
	links = c.Fabric.between(a, b)
	for _, l := range links {
		l.Cut()
	}
	time.Sleep(time.Second)
	before := r.mon.Snapshot()
	time.Sleep(6 * time.Second) // several empty-block intervals and a propose timeout
	after := r.mon.Snapshot()
	for i := range c.Nodes {
		if after.Samples[i].Height > before.Samples[i].Height+1 {
			t.Fatalf("%s advanced from %d to %d during a 2-2 split", c.Nodes[i].Name, before.Samples[i].Height, after.Samples[i].Height)
		}
	}
	for _, l := range links {
		l.Heal()
	}
	top := after.maxHeight(vals)
	waitFor("every node passes the split", func() bool {
		s := r.mon.Snapshot()
		for i := range c.Nodes {
			if s.Samples[i].Height <= top+1 {
				return false
			}
		}
		return true
	})
}
