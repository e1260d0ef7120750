package main

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	qnode "github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/config"
)

// faultKind names one kind of fault.
type faultKind string

const (
	faultKill    faultKind = "kill"    // SIGKILL a validator; restart it after the hold
	faultPause   faultKind = "pause"   // SIGSTOP a validator; SIGCONT after the hold
	faultIsolate faultKind = "isolate" // cut every link of one node; heal after the hold
	faultSplit   faultKind = "split"   // cut the links between two halves of the validators; heal
	faultWipe    faultKind = "wipe"    // SIGKILL a validator, delete its data; restart after the hold
)

var allFaultKinds = []faultKind{faultKill, faultPause, faultIsolate, faultSplit, faultWipe}

func parseFaultKinds(s string) ([]faultKind, error) {
	if s == "" || s == "all" {
		return allFaultKinds, nil
	}
	var out []faultKind
	for _, f := range strings.Split(s, ",") {
		k := faultKind(strings.TrimSpace(f))
		ok := false
		for _, a := range allFaultKinds {
			ok = ok || a == k
		}
		if !ok {
			return nil, fmt.Errorf("unknown fault kind %q (kinds: kill, pause, isolate, split, wipe)", f)
		}
		out = append(out, k)
	}
	return out, nil
}

// faultRecord is one fault: what was done, and how the network recovered.
// Times are seconds; a recovery that never came is -1.
type faultRecord struct {
	Seq    int      `json:"seq"`
	Kind   string   `json:"kind"`
	Nodes  []string `json:"nodes"`  // the faulted nodes
	Detail string   `json:"detail"` // e.g. the two halves of a split
	AtS    float64  `json:"at_s"`   // injection, since the run started
	HoldS  float64  `json:"hold_s"` // injection to clearing
	// StallS is the longest time without a new height committed by a
	// quorum while a single-node fault was in force (0 for a split, which
	// is expected to stop the chain).
	StallS float64 `json:"stall_s"`
	// ResumeS: from the clear to the first height above every validator's
	// height at the clear, reached by a quorum of validators.
	ResumeS float64 `json:"resume_s"`
	// CatchUpS: from the clear until every faulted node is at (or past)
	// the height a quorum of validators has reached; for a wipe, until the
	// validator signs again too (see signsAgain).
	CatchUpS       float64 `json:"catch_up_s"`
	HeightAtInject uint64  `json:"height_at_inject"`
	HeightAtClear  uint64  `json:"height_at_clear"`
}

// activeFault is a fault in force: how to clear it, and what the
// orchestrator expects meanwhile.
type activeFault struct {
	rec    *faultRecord
	nodes  []int
	single bool // one node is faulted: the others must keep committing
	// sides are groups of nodes cut off from everyone outside their group:
	// while the fault is in force, no node of a side may get ahead of the
	// highest block its side had when the cut took hold (plus one).
	sides [][]int
	clear func() error
}

// faultPlan draws fault kinds in shuffled rounds of every enabled kind,
// so that each kind comes up equally often.
type faultPlan struct {
	rng   *rand.Rand
	kinds []faultKind
	queue []faultKind
}

func (p *faultPlan) next() faultKind {
	if len(p.queue) == 0 {
		p.queue = append([]faultKind(nil), p.kinds...)
		p.rng.Shuffle(len(p.queue), func(i, j int) { p.queue[i], p.queue[j] = p.queue[j], p.queue[i] })
	}
	k := p.queue[0]
	p.queue = p.queue[1:]
	return k
}

// between returns a duration drawn uniformly from [lo, hi].
func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rng.Int63n(int64(hi-lo)+1))
}

// inject starts a fault of kind k.
func (r *runner) inject(k faultKind, rec *faultRecord) (*activeFault, error) {
	vals := r.c.validators()
	name := func(i int) string { return r.c.Nodes[i].Name }
	switch k {
	case faultKill, faultWipe:
		i := vals[r.rng.Intn(len(vals))]
		if _, err := r.c.Signal(i, syscall.SIGKILL, 10*time.Second); err != nil {
			return nil, err
		}
		_ = r.tails[i].AfterExit()
		if k == faultWipe {
			r.tails[i].Close()
			if err := r.c.Wipe(i); err != nil {
				return nil, err
			}
			r.mon.Forget(i)
		}
		rec.Nodes = []string{name(i)}
		return &activeFault{rec: rec, nodes: []int{i}, single: true, clear: func() error { return r.c.Start(i) }}, nil
	case faultPause:
		i := vals[r.rng.Intn(len(vals))]
		if _, err := r.c.Signal(i, syscall.SIGSTOP, 0); err != nil {
			return nil, err
		}
		rec.Nodes = []string{name(i)}
		return &activeFault{rec: rec, nodes: []int{i}, single: true, clear: func() error {
			_, err := r.c.Signal(i, syscall.SIGCONT, 0)
			return err
		}}, nil
	case faultIsolate:
		nodes := r.c.active()
		i := nodes[r.rng.Intn(len(nodes))]
		links := r.c.Fabric.touching(i)
		for _, l := range links {
			l.Cut()
		}
		rec.Nodes = []string{name(i)}
		rec.Detail = fmt.Sprintf("%d links cut", len(links))
		return &activeFault{rec: rec, nodes: []int{i}, single: true, sides: [][]int{{i}}, clear: func() error {
			for _, l := range links {
				l.Heal()
			}
			return nil
		}}, nil
	case faultSplit:
		// The validators in force, halved (2-2, or 2-3 while there are
		// five); neither side has a quorum.
		perm := r.rng.Perm(len(vals))
		var a, b []int
		for k, p := range perm {
			if k < len(vals)/2 {
				a = append(a, vals[p])
			} else {
				b = append(b, vals[p])
			}
		}
		member := map[int]bool{}
		for _, v := range vals {
			member[v] = true
		}
		for _, i := range r.c.active() {
			if !member[i] { // observers join a side at random
				if r.rng.Intn(2) == 0 {
					a = append(a, i)
				} else {
					b = append(b, i)
				}
			}
		}
		sort.Ints(a)
		sort.Ints(b)
		links := r.c.Fabric.between(a, b)
		for _, l := range links {
			l.Cut()
		}
		names := func(g []int) string {
			s := make([]string, len(g))
			for i, x := range g {
				s[i] = name(x)
			}
			return strings.Join(s, ",")
		}
		all := append(append([]int(nil), a...), b...)
		sort.Ints(all)
		for _, x := range all {
			rec.Nodes = append(rec.Nodes, name(x))
		}
		rec.Detail = fmt.Sprintf("{%s} | {%s}, %d links cut", names(a), names(b), len(links))
		return &activeFault{rec: rec, nodes: all, sides: [][]int{a, b}, clear: func() error {
			for _, l := range links {
				l.Heal()
			}
			return nil
		}}, nil
	}
	return nil, fmt.Errorf("unknown fault kind %q", k)
}

// runFault injects one fault, holds it, clears it and measures the
// recovery. It returns false when the network did not recover within the
// catch-up limit (the run then stops injecting faults).
func (r *runner) runFault(ctx context.Context, seq int, k faultKind) bool {
	vals := r.c.validators()
	q := r.c.quorum()
	rec := &faultRecord{Seq: seq, Kind: string(k), ResumeS: -1, CatchUpS: -1}
	before := r.mon.Snapshot()
	rec.HeightAtInject = before.quorumHeight(vals, q)
	injected := time.Now()
	rec.AtS = injected.Sub(r.start).Seconds()
	f, err := r.inject(k, rec)
	if err != nil {
		r.violate("fault #%d (%s): could not inject: %v", seq, k, err)
		return false
	}
	r.faults = append(r.faults, rec)
	hold := between(r.rng, r.o.HoldMin, r.o.HoldMax)

	// While the fault is in force: the longest stretch without a new
	// quorum height, and the height each cut-off side stood at once the
	// cut took hold.
	var ceiling []uint64 // per side
	lastQH, lastChange := rec.HeightAtInject, injected
	var stall time.Duration
	end := injected.Add(hold)
	for time.Now().Before(end) && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
		s := r.mon.Snapshot()
		if ceiling == nil && len(f.sides) > 0 && time.Since(injected) >= 500*time.Millisecond {
			ceiling = make([]uint64, len(f.sides))
			for k, side := range f.sides {
				ceiling[k] = s.maxHeight(side)
			}
		}
		if qh := s.quorumHeight(vals, q); qh > lastQH {
			lastQH, lastChange = qh, s.At
		}
		stall = max(stall, s.At.Sub(lastChange))
	}
	cleared := time.Now()
	at := r.mon.Snapshot()
	for k, side := range f.sides {
		if ceiling == nil {
			break
		}
		// A node may catch up to what its side already held (an observer
		// that lagged, say), and one height more: a decision whose last
		// message was already in a socket buffer when the link was cut.
		// Beyond that, blocks reached it across the cut.
		for _, i := range side {
			if h := at.Samples[i].Height; at.Samples[i].Fresh && h > ceiling[k]+1 {
				r.violate("fault #%d (%s): the cut leaked: %s reached height %d while its side {%s} stood at %d when cut off",
					seq, rec.Kind, r.c.Nodes[i].Name, h, k2s(side, r.c), ceiling[k])
			}
		}
	}
	if err := f.clear(); err != nil {
		r.violate("fault #%d (%s): could not clear: %v", seq, k, err)
		return false
	}
	rec.HoldS = cleared.Sub(injected).Seconds()
	if f.single {
		rec.StallS = stall.Seconds()
		if stall > r.o.MaxRecovery {
			r.violate("fault #%d (%s %s): no new height for %.1fs while only one node was faulted (limit %s)",
				seq, k, strings.Join(rec.Nodes, ","), stall.Seconds(), r.o.MaxRecovery)
		}
	}

	// After the clear: the next height above every validator's, by a
	// quorum; and every faulted node back at the quorum's height.
	h1 := at.maxHeight(vals)
	rec.HeightAtClear = at.quorumHeight(vals, q)
	limit := r.o.CatchUpLimit
	for time.Since(cleared) < limit && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
		s := r.mon.Snapshot()
		el := s.At.Sub(cleared).Seconds()
		if rec.ResumeS < 0 && s.countAbove(vals, h1) >= q {
			rec.ResumeS = el
		}
		if rec.CatchUpS < 0 && rec.ResumeS >= 0 {
			qh := s.quorumHeight(vals, q)
			ok := true
			for _, i := range f.nodes {
				ok = ok && s.Samples[i].Fresh && s.Samples[i].Height >= qh
			}
			if ok && k == faultWipe {
				ok = signsAgain(r.c.Nodes[f.nodes[0]].Home, rec.HeightAtClear)
			}
			if ok {
				rec.CatchUpS = el
			}
		}
		if rec.ResumeS >= 0 && rec.CatchUpS >= 0 {
			break
		}
	}
	if ctx.Err() != nil {
		return false // interrupted: nothing was measured
	}
	r.logf("#%-3d %-7s %-28s hold %4.1fs  stall %4.1fs  resumed %s  caught up %s  (height %d)",
		seq, k, strings.Join(rec.Nodes, ","), rec.HoldS, rec.StallS, secs(rec.ResumeS), secs(rec.CatchUpS), rec.HeightAtClear)
	if rec.Detail != "" {
		r.logf("     %s", rec.Detail)
	}
	if rec.ResumeS < 0 || rec.ResumeS > r.o.MaxRecovery.Seconds() {
		r.violate("fault #%d (%s %s): blocks did not resume within %s of the clear (%s)", seq, k, strings.Join(rec.Nodes, ","), r.o.MaxRecovery, secs(rec.ResumeS))
	}
	if rec.CatchUpS < 0 {
		r.violate("fault #%d (%s %s): the faulted node(s) did not catch up within %s of the clear; heights %s",
			seq, k, strings.Join(rec.Nodes, ","), limit, r.heights())
		return false
	}
	return true
}

// signsAgain reports whether the wiped validator in home has signed above height h
// since its restart. Synced but not yet signing, it still counts as
// faulted: after `qian validator signer-advance` its signer state is the
// last step of the height after its synced tip, so it signs nothing at that
// height, and a second fault started meanwhile (a split, say) would be two
// faulty validators of four, which no BFT protocol tolerates (a run that
// did so waited out two rounds after the split's clear, 10.5 s, one of
// them the wiped validator's as proposer). Its signer state file tells:
// the advanced state is marked with the largest round, which no signature
// of a running validator reaches.
func signsAgain(home string, h uint64) bool {
	path := filepath.Join(config.Paths{Home: home}.DataDir(), qnode.SignerStateFile)
	last, err := qnode.ReadSignerState(path)
	return err == nil && last.Height > h && last.Round != math.MaxUint32
}

// k2s names the nodes idx.
func k2s(idx []int, c *cluster) string {
	names := make([]string, len(idx))
	for i, x := range idx {
		names[i] = c.Nodes[x].Name
	}
	return strings.Join(names, ",")
}

// heights describes every node's last known height.
func (r *runner) heights() string {
	s := r.mon.Snapshot()
	parts := make([]string, len(s.Samples))
	for i, x := range s.Samples {
		st := r.c.Nodes[i].State().String()
		if st == "running" && !x.Fresh {
			st = "unreachable"
		}
		parts[i] = fmt.Sprintf("%s=%d(%s)", r.c.Nodes[i].Name, x.Height, st)
	}
	return strings.Join(parts, " ")
}

func secs(s float64) string {
	if s < 0 {
		return "never"
	}
	return fmt.Sprintf("%.1fs", s)
}
