package main

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/scripts/internal/procnet"
)

// runner is one chaos run: the network, the observers of it, the load, and
// what went wrong.
type runner struct {
	o     Options
	c     *cluster
	mon   *monitor
	fol   *follower
	sets  *setBook
	book  *voteBook
	tails []*walTail
	log   *txLog
	load  *loader
	rng   *rand.Rand // the seeded source of every fault choice
	start time.Time
	logf  func(string, ...any)

	faults       []*faultRecord
	setChanges   []*setChange
	statusHeight uint64

	mu         sync.Mutex
	violations []string
	warnings   []string
}

// warn records something wrong that is not one of the run's invariants.
func (r *runner) warn(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.mu.Lock()
	r.warnings = append(r.warnings, s)
	r.mu.Unlock()
	r.logf("WARNING: %s", s)
}

func (r *runner) violate(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.mu.Lock()
	r.violations = append(r.violations, s)
	r.mu.Unlock()
	r.logf("VIOLATION: %s", s)
}

// newRunner writes the testnet, starts its nodes, waits for blocks and
// registers the load accounts.
func newRunner(ctx context.Context, o Options, bin, dir string, start time.Time, logf func(string, ...any)) (*runner, error) {
	c, err := newCluster(ctx, bin, dir, o.LogLevel, o.SetChanges, logf)
	if err != nil {
		return nil, err
	}
	r := &runner{o: o, c: c, rng: rand.New(rand.NewSource(o.Seed)), start: start, logf: logf, log: newTxLog()}
	if o.SetChanges {
		founders := c.validators()
		perm := r.rng.Perm(len(founders))
		c.retireTarget, c.rotateTarget = founders[perm[0]], founders[perm[1]]
		logf("validator-set changes: %s (%s) to be voted in, %s voted out, %s to rotate its key",
			c.Nodes[c.candidate].Name, candidateOrg, c.Nodes[c.retireTarget].Name, c.Nodes[c.rotateTarget].Name)
	}
	r.sets = newSetBook(c.Vals)
	r.book = newVoteBook(c.Chain, r.sets)
	r.mon = newMonitor(c, 100*time.Millisecond)
	r.fol = newFollower(c, r.mon, r.log, r.sets, r.book)
	for _, n := range c.Nodes {
		r.tails = append(r.tails, newWALTail(filepath.Join(config.Paths{Home: n.Home}.DataDir(), "cs.wal"), n.Name+" WAL", r.book))
	}
	links := len(c.Fabric.links)
	logf("testnet of %d validators and %d observer(s) in %s; %d proxied links", len(c.validators()), len(c.Nodes)-len(c.validators()), c.Dir, links)
	return r, nil
}

// run carries out the run and returns its summary; the caller has the
// runner's cluster torn down by then.
func (r *runner) run(ctx context.Context) *summary {
	c := r.c
	defer c.Fabric.close()
	defer c.KillAll()

	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	var bgWG sync.WaitGroup
	goBG := func(f func()) {
		bgWG.Add(1)
		go func() { defer bgWG.Done(); f() }()
	}
	goBG(func() { r.mon.Run(bg) })

	for i := range c.Nodes {
		if err := c.Start(i); err != nil {
			r.violate("start: %v", err)
			return r.summary(0)
		}
	}
	if !r.waitAll(ctx, 2, 2*time.Minute) {
		r.violate("the network did not reach height 2 within 2 minutes: %s", r.heights())
		return r.summary(0)
	}
	r.logf("all nodes running; height %d", r.mon.Snapshot().maxHeight(c.validators()))

	admins, err := procnet.UnlockAdmins(filepath.Join(c.Dir, "keys"), chaosPassphrase)
	if err != nil {
		r.violate("keyring: %v", err)
		return r.summary(0)
	}
	senders, err := setupLoad(ctx, c.Nodes[0].API, c.Doc.ChainID, admins, r.o.Accounts)
	if err != nil {
		r.violate("load setup: %v", err)
		return r.summary(0)
	}
	r.logf("registered %d load accounts; offering %d tx/s to the running nodes", len(senders), r.o.Rate)

	goBG(func() { r.fol.Run(bg) })
	goBG(func() { r.pollWALs(bg) })
	goBG(func() { r.progress(bg) })
	loadCtx, stopLoad := context.WithCancel(ctx)
	r.load = &loader{c: c, log: r.log, senders: senders, chainID: c.Doc.ChainID, rate: r.o.Rate, workers: r.o.Workers}
	r.rng.Read(r.load.tag[:])
	loadDone := make(chan struct{})
	go func() { r.load.Run(loadCtx); close(loadDone) }()

	// Faults, one at a time, and between them the validator-set changes
	// when their time comes (those left at the end are made then). The
	// time a change takes (a governance vote through the command line,
	// tens of seconds on a busy machine) does not count towards the
	// duration, so that a short run still injects faults around the
	// changes.
	sleep(ctx, r.o.Warmup)
	plan := &faultPlan{rng: r.rng, kinds: r.o.Kinds}
	faultsStart := time.Now()
	var changeTime time.Duration
	faultClock := func() time.Duration { return time.Since(faultsStart) - changeTime }
	changes := 0
	if !r.o.SetChanges {
		changes = len(changePlan)
	}
	changeDue := func() bool {
		return changes < len(changePlan) && faultClock() >= time.Duration(changePlan[changes].at*float64(r.o.Duration))
	}
	changeFailed := false
	makeChange := func() bool {
		k := changePlan[changes].kind
		changes++
		began := time.Now()
		defer func() { changeTime += time.Since(began) }()
		if err := r.changeSet(ctx, k); err != nil {
			r.violate("validator-set change (%s): %v", k, err)
			changeFailed = true
			return false
		}
		return true
	}
	for seq := 1; faultClock() < r.o.Duration && ctx.Err() == nil; {
		if changeDue() {
			if !makeChange() {
				break
			}
			continue
		}
		seq++
		if !r.runFault(ctx, seq-1, plan.next()) {
			r.logf("stopping faults: the network did not recover")
			break
		}
		if len(c.Crashes()) > 0 {
			r.logf("stopping faults: a node crashed")
			break
		}
		sleep(ctx, between(r.rng, r.o.GapMin, r.o.GapMax))
	}
	for changes < len(changePlan) && !changeFailed && ctx.Err() == nil {
		if !makeChange() {
			break
		}
	}
	faultTime := time.Since(faultsStart)
	if ctx.Err() != nil {
		stopLoad()
		<-loadDone
		r.violate("interrupted after %s of faults; no final checks", faultTime.Round(time.Second))
		return r.summary(0)
	}

	// Make the network whole, stop the load, let the chain settle.
	c.Fabric.healAll()
	for _, i := range c.active() {
		n := c.Nodes[i]
		switch n.State() {
		case procStopped:
			_, _ = c.Signal(i, syscall.SIGCONT, 0)
		case procDown:
			r.logf("restarting %s for the final checks", n.Name)
			_ = c.Start(i)
		}
	}
	stopLoad()
	<-loadDone
	r.logf("faults over after %s; load stopped; settling", faultTime.Round(time.Second))
	sleep(ctx, 5*time.Second)
	final := r.finalChecks(ctx)
	r.fol.CatchUp(ctx, final, time.Minute)

	stopBG()
	bgWG.Wait()
	codes := c.StopAll()
	for name, code := range codes {
		if code != 0 {
			r.violate("%s exited with code %d after SIGTERM", name, code)
		}
	}
	for _, t := range r.tails {
		_ = t.AfterExit()
		t.Close()
	}
	sum := r.summary(final)
	sum.FaultTimeS = faultTime.Seconds()
	sum.ShutdownCodes = codes
	return sum
}

// waitAll waits until every node has reached height h.
func (r *runner) waitAll(ctx context.Context, h uint64, timeout time.Duration) bool {
	end := time.Now().Add(timeout)
	for time.Now().Before(end) && ctx.Err() == nil {
		s := r.mon.Snapshot()
		ok := true
		for _, x := range s.Samples {
			ok = ok && x.Fresh && x.Height >= h
		}
		if ok {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return false
}

// pollWALs reads the validators' write-ahead logs as they grow.
func (r *runner) pollWALs(ctx context.Context) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		for _, w := range r.tails {
			if err := w.Poll(); err != nil {
				r.logf("WAL %s: %v", w.path, err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// progress prints a line every 15 s.
func (r *runner) progress(ctx context.Context) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	var lastC int
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			_, accepted, committed, pending, _, _ := r.log.counts()
			r.logf("height %d (followed %d); %d accepted, %d committed (%.0f tx/s), %d pending; %s",
				r.mon.Snapshot().quorumHeight(r.c.validators(), r.c.quorum()), r.fol.Height(), accepted, committed,
				float64(committed-lastC)/now.Sub(last).Seconds(), pending, r.heights())
			lastC, last = committed, now
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
