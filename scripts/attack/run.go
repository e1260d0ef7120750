package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/bench"
	"github.com/qianchain/qianchain/node/localnet"
	"github.com/qianchain/qianchain/scripts/internal/procnet"
)

// phases of a run.
const (
	phaseBefore = iota
	phaseDuring
	phaseAfter
	phases
)

var phaseNames = [phases]string{"before", "during", "after"}

// run is one attack run: the network, the load, the probes and the attacks.
type run struct {
	o      Options
	pn     *procnet.Net
	obsKey crypto.PrivKey
	admins map[membership.Role]ledger.PrivateKey
	tgt    target
	dir    string
	logf   func(string, ...any)

	page    *pageProbe
	rss     *rssProbe
	attacks *attacks

	mu    sync.Mutex
	marks [phases + 1]time.Time // phase starts, then the end
	phase int
}

// newRun writes the network (run by the qian binary bin) into dir, starts
// it and loads the demo story.
func newRun(ctx context.Context, o Options, bin, dir string, logf func(string, ...any)) (*run, error) {
	pn, obsKey, err := writeNetwork(bin, dir, o.PProf, logf)
	if err != nil {
		return nil, err
	}
	r := &run{o: o, pn: pn, obsKey: obsKey, dir: dir, logf: logf}
	n0 := pn.Nodes[0]
	r.tgt = target{HTTP: strings.TrimPrefix(n0.HTTPURL, "http://"), P2P: n0.P2PAddr, PeerID: n0.PeerID.String(), PagePath: demo.DemoLot.Path(),
		FrameCap: int(min(pn.Doc.Consensus.MaxBlockBytes+256<<10, wire.MaxMessageBytes))}
	logf("testnet of %d validators in %s; node0 (the target) serves http://%s, p2p %s", len(pn.Validators()), pn.Dir, r.tgt.HTTP, r.tgt.P2P)
	if err := startValidators(ctx, pn); err != nil {
		pn.KillAll()
		return nil, err
	}
	if r.admins, err = procnet.UnlockAdmins(filepath.Join(pn.Dir, localnet.KeyringDirName), attackPassphrase); err != nil {
		pn.KillAll()
		return nil, err
	}
	if err := loadDemo(ctx, pn, r.admins, logf); err != nil {
		pn.KillAll()
		return nil, err
	}
	if err := waitPage(ctx, "http://"+r.tgt.HTTP+r.tgt.PagePath); err != nil {
		pn.KillAll()
		return nil, err
	}
	logf("demo story loaded; node0 serves the consumer page %s", r.tgt.PagePath)
	return r, nil
}

// run carries out the phases under load and returns the summary.
func (r *run) run(ctx context.Context) *summary {
	defer r.pn.KillAll()
	sum := &summary{Options: r.o}
	total := r.o.Before + r.o.Duration + r.o.After
	ld, err := startLoad(ctx, r.pn, r.o.Rate, total, r.dir, r.logf)
	if err != nil {
		sum.fail("the load could not start: %v", err)
		return sum
	}
	select {
	case <-ld.started:
	case err := <-ld.done:
		sum.fail("the load ended before it started: %v", err)
		return sum
	case <-ctx.Done():
		sum.fail("interrupted")
		return sum
	}

	probeCtx, stopProbes := context.WithCancel(ctx)
	defer stopProbes()
	r.page = newPageProbe("http://"+r.tgt.HTTP+r.tgt.PagePath, r.currentPhase)
	r.rss = newRSSProbe(r.pn.Nodes[0].PID, r.currentPhase)
	var probes sync.WaitGroup
	for _, f := range []func(context.Context){r.page.run, r.rss.run, r.progress} {
		probes.Add(1)
		go func(f func(context.Context)) { defer probes.Done(); f(probeCtx) }(f)
	}
	var committed [phases + 1]float64
	mark := func(p int) {
		committed[p] = r.committedTotal(ctx)
		r.mu.Lock()
		r.marks[p] = time.Now()
		if p < phases {
			r.phase = p
		}
		r.mu.Unlock()
	}

	mark(phaseBefore)
	r.logf("phase before: load only, %s", r.o.Before)
	sleep(ctx, r.o.Before)

	var prof *profiler
	if r.o.PProf {
		prof = newProfiler(ctx, "http://"+r.tgt.HTTP, r.dir)
	}
	mark(phaseDuring)
	r.logf("phase during: attacking node0 for %s", r.o.Duration)
	actx, stopAttacks := context.WithCancel(ctx)
	a := startAttacks(actx, r.o, r.tgt, r.obsKey)
	r.mu.Lock()
	r.attacks = a
	r.mu.Unlock()
	if prof != nil {
		sleep(ctx, r.o.Duration/2)
		prof.capture(ctx, "during", r.logf)
		sleep(ctx, r.o.Duration-r.o.Duration/2-10*time.Second)
	} else {
		sleep(ctx, r.o.Duration)
	}
	stopAttacks()
	a.wait()

	mark(phaseAfter)
	r.logf("phase after: attack stopped (every connection closed); load for %s", r.o.After)
	sleep(ctx, r.o.After)
	mark(phases)
	stopProbes()
	probes.Wait()

	r.logf("waiting for the load to finish")
	var bsum *bench.Summary
	if err := <-ld.done; err != nil {
		sum.fail("load: %v", err)
	} else if bsum, err = ld.summary(); err != nil {
		sum.fail("load summary: %v", err)
	}
	heights := map[string]uint64{}
	for _, i := range r.pn.Validators() {
		if st, err := r.pn.Nodes[i].API.Status(ctx); err == nil {
			heights[r.pn.Nodes[i].Name] = st.Height
		}
	}
	codes := r.pn.StopAll()
	sum.collect(r, committed, bsum, heights, codes)
	return sum
}

func (r *run) currentPhase() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.phase
}

// committedTotal is node1's count of committed transactions
// (qian_txs_committed_total), or -1 when it cannot be read.
func (r *run) committedTotal(ctx context.Context) float64 {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.pn.Nodes[1].HTTPURL+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "qian_txs_committed_total "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// progress prints a line every 5 s: the phase, the commit rate, the page's
// latency over the last 5 s, node0's memory, what the attacks meet.
func (r *run) progress(ctx context.Context) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	last, lastAt := r.committedTotal(ctx), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			c := r.committedTotal(ctx)
			rate := (c - last) / now.Sub(lastAt).Seconds()
			last, lastAt = c, now
			p50, p99, n, errs := r.page.recent(5 * time.Second)
			line := fmt.Sprintf("%-6s | committed %5.0f tx/s | page p50 %4.0f ms p99 %5.0f ms (%d, %d failed) | node0 RSS %4d MiB",
				phaseNames[r.currentPhase()], rate, ms(p50), ms(p99), n, errs, r.rss.last()>>20)
			r.mu.Lock()
			a := r.attacks
			r.mu.Unlock()
			if a != nil && r.currentPhase() == phaseDuring {
				line += " | " + a.brief()
			}
			r.logf("%s", line)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
