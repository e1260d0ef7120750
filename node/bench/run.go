package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"runtime/pprof"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/view"
)

// Options configure a run.
type Options struct {
	Nodes    []string // API base URLs; transactions are spread over all
	Admins   map[membership.Role]ledger.PrivateKey
	Duration time.Duration
	Rate     int // offered transactions per second; 0 means as fast as admitted
	Kind     string
	// Accounts is the number of operator accounts per organisation
	// (registered on first use).
	Accounts int
	// ValidatorsHere is how many validators share this machine, for the
	// ceiling; 0 means the chain's validator count.
	ValidatorsHere int
	Out            io.Writer // progress and summary
	Workers        int       // concurrent submissions per node; 0 means 16
	// PerTx is the number of records each transaction carries: events of
	// a trace.capture_batch, items of a notary.anchor_batch (1: one event
	// or one anchor per transaction).
	PerTx int
	// Inflight bounds, in --max mode, the transactions submitted and not yet
	// seen committed; 0 means 4,000.
	Inflight int
	// DataDirs, when set, are the nodes' data directories, in the order of
	// Nodes: disk is measured there (every file) rather than read from the
	// store's metric.
	DataDirs []string
	// Label names the run in its summary.
	Label string
	// Batch, when above 1, submits that many transactions per request
	// (POST /v1/txs/batch), as a client gateway would; 1 submits each
	// transaction on its own.
	Batch int
	// CPUProfile, when set, receives a CPU profile of the bench itself
	// during the load and its drain (not the signing before it): what the
	// load generator takes from the cores it shares with the validators it
	// measures.
	CPUProfile io.Writer
}

// Summary is the outcome of a run (JSON for --json).
type Summary struct {
	// Label names the run in tables (qian bench --label; scripts/bench.sh
	// gives each target its own).
	Label        string  `json:"label,omitempty"`
	Kind         string  `json:"kind"`
	Batch        int     `json:"batch"` // transactions per submission request
	RecordsPerTx int     `json:"records_per_tx"`
	RecordsPerS  float64 `json:"records_per_s"`
	Nodes        int     `json:"nodes"`
	Validators   int     `json:"validators"`
	DurationS    float64 `json:"duration_s"`
	OfferedTPS   float64 `json:"offered_tps"` // 0 for --max
	// ScheduleLateMs is, at a rate, the most the offering loop was behind
	// a transaction's slot when it offered it: the bench's own lag (its
	// sleeps overshooting, its workers all busy), not the chain's.
	ScheduleLateMs float64        `json:"schedule_late_ms,omitempty"`
	Submitted      int            `json:"submitted"`
	Committed      int            `json:"committed"`
	CommittedTPS   float64        `json:"committed_tps"`
	P50ms          float64        `json:"p50_ms"`
	P95ms          float64        `json:"p95_ms"`
	P99ms          float64        `json:"p99_ms"`
	MaxMs          float64        `json:"max_ms"`
	Rejected       map[string]int `json:"rejected"`
	Failed         map[string]int `json:"failed"` // committed with a code other than OK
	// Blocks, BlockIntervalS and TxsPerBlock are of the blocks from
	// FirstHeight on: those committed after the network settled, as the
	// load began, until the load drained.
	FirstHeight uint64 `json:"first_height"`
	// LifecycleLag is --kind lifecycle's: an inspection's lot was
	// commissioned this many transactions before it.
	LifecycleLag   int `json:"lifecycle_lag,omitempty"`
	Blocks         int `json:"blocks"`
	BlockIntervalS struct {
		Mean float64 `json:"mean"`
		P50  float64 `json:"p50"`
		Max  float64 `json:"max"`
	} `json:"block_interval_s"`
	TxsPerBlock      float64 `json:"txs_per_block"`
	VerifyPerSecond  float64 `json:"verify_per_s"` // this machine, all cores
	CeilingTPS       float64 `json:"ceiling_tps"`
	ShareOfCeiling   float64 `json:"share_of_ceiling"`
	GeneratedPerSecS float64 `json:"signing_per_s"`
	// Costs is what the run cost each node (CPU per committed
	// transaction, memory, disk), from its /metrics; BenchCPUs the bench's
	// own CPU seconds over the same window.
	Costs     []NodeCost `json:"node_costs"`
	BenchCPUs float64    `json:"bench_cpu_s"`
}

// MeanCPUusPerTx is the nodes' mean CPU microseconds per committed
// transaction (0 when no node reported it).
func (s *Summary) MeanCPUusPerTx() float64 {
	sum, n := 0.0, 0
	for _, c := range s.Costs {
		if c.CPUusPerTx > 0 {
			sum += c.CPUusPerTx
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// MaxPeakRSS is the highest peak resident memory of any node.
func (s *Summary) MaxPeakRSS() float64 {
	m := 0.0
	for _, c := range s.Costs {
		m = max(m, c.PeakRSS)
	}
	return m
}

// Run performs one benchmark.
func Run(ctx context.Context, o Options) (*Summary, error) {
	if len(o.Nodes) == 0 {
		return nil, errors.New("bench: no nodes")
	}
	if o.Workers == 0 {
		o.Workers = 16
	}
	if o.Accounts == 0 {
		o.Accounts = 16
	}
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	clients := make([]*client.Client, len(o.Nodes))
	for i, u := range o.Nodes {
		clients[i] = client.New(u)
		clients[i].HTTP.Transport = newTransport(o.Workers)
	}
	// The setup and the block watcher read and write over connections of
	// their own: the load's connections carry only submissions, as a
	// client sending thousands of transactions would keep them, and a
	// node answers those in its HTTP lane until a connection carries
	// anything else (node/httpserver).
	reads := client.New(o.Nodes[0])
	st, err := reads.Status(ctx)
	if err != nil {
		return nil, err
	}
	if o.Batch < 1 {
		o.Batch = 1
	}
	if o.PerTx < 1 {
		o.PerTx = 1
	}
	if o.Inflight == 0 {
		o.Inflight = 4000
	}
	s := &Summary{Kind: o.Kind, Batch: o.Batch, RecordsPerTx: o.PerTx, Nodes: len(o.Nodes), Validators: st.Validators, Rejected: map[string]int{}, Failed: map[string]int{}}

	// The ceiling: this machine's verification rate over the validators
	// sharing it.
	fmt.Fprintf(out, "measuring signature verification on this machine... ")
	s.VerifyPerSecond = VerifyRate(2 * time.Second)
	here := o.ValidatorsHere
	if here == 0 {
		here = st.Validators
	}
	s.CeilingTPS = s.VerifyPerSecond / float64(here)
	fmt.Fprintf(out, "%.0f verifications/s on all cores; ceiling %.0f tx/s for %d validators here\n", s.VerifyPerSecond, s.CeilingTPS, here)

	accounts, err := setupAccounts(ctx, reads, st.ChainID, o.Admins, o.Accounts, out)
	if err != nil {
		return nil, err
	}
	n := int(float64(o.Rate) * o.Duration.Seconds())
	if o.Rate == 0 {
		n = int(maxSignedPerCeiling(here) * s.CeilingTPS * o.Duration.Seconds())
	}
	n = max(n, 100)
	fmt.Fprintf(out, "signing %d %s transactions from %d accounts... ", n, o.Kind, len(accounts))
	t0 := time.Now()
	run := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffffff)
	inflight := 0 // bounded only in --max mode
	if o.Rate == 0 {
		inflight = o.Inflight
	}
	lag := lifecycleLag(o.Rate, inflight)
	if o.Kind == KindLifecycle {
		s.LifecycleLag = lag
		if n <= lag+2 {
			fmt.Fprintf(out, "note: %d transactions are too few for any inspection (each inspects a lot commissioned %d transactions before): a longer run inspects\n", n, lag)
		}
	}
	txs, err := generateN(st.ChainID, o.Kind, accounts, n, run, o.PerTx, lag)
	if err != nil {
		return nil, err
	}
	s.GeneratedPerSecS = float64(n) / time.Since(t0).Seconds()
	fmt.Fprintf(out, "%.1fs\n", time.Since(t0).Seconds())

	// Signing held both cores for seconds, starving the nodes, and a round
	// may have timed out meanwhile; let the chain commit two blocks at its
	// own pace first so that the measurement starts on a settled network.
	fmt.Fprintf(out, "waiting for the network to settle... ")
	h, err := settle(ctx, reads, 2, 15*time.Second)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "height %d\n", h)

	// The blocks are counted from the settled height on: those before it
	// (registering the accounts, the starved heights of the signing) are
	// not the load's. (Until 2026-12-07 they were counted from the status
	// read before all that: docs/benchmarks.md, "The bench counted the
	// signing's blocks".)
	r := &runner{o: o, clients: clients, reads: reads, txs: encodeAll(txs), out: out, sum: s, sent: make(map[ledger.Hash]time.Time, n)}
	return s, r.run(ctx, h)
}

// maxScheduleLate is how far behind its schedule the bench may fall at a
// rate before it stops offering: beyond it the run measures the bench.
const maxScheduleLate = time.Second

// maxSignedPerCeiling is how many transactions --max signs beforehand, per
// transaction per second of the machine's ceiling (its single-signature
// verification rate over the validators here) and per second of the run.
// Validators verify a block's signatures in batches, so they commit more
// than that ceiling, and more as the code gets cheaper; a run that signed
// too few runs out before its minute is over and its rate is over the
// shorter run. On 2026-12-07 (docs/benchmarks.md, "Side by side with
// CometBFT") four validators committed up to 2.55 times the ceiling in
// requests of 50 and 1.32 times one per request — 2.0 times once a batch
// of clients' submissions stopped waiting for clients that could not come
// (node/admitclients.go) — and one validator alone 1.43 to 1.56 times (its
// runs ran out after 50-55 s at 1.3). Each gets room above those, at the
// cost of signing time and memory for transactions a slower run never
// sends.
func maxSignedPerCeiling(validatorsHere int) float64 {
	if validatorsHere > 1 {
		return 3.5
	}
	return 2.0
}

type runner struct {
	o       Options
	clients []*client.Client // the load's, one per node
	reads   *client.Client   // the block watcher's, to the first node
	txs     []signed
	out     io.Writer
	sum     *Summary

	mu        sync.Mutex
	sent      map[ledger.Hash]time.Time
	latencies latencies
	rejected  map[string]int
	submitted atomic.Int64
	committed atomic.Int64
	// dispatched counts transactions handed to the workers; dropped those
	// refused for good. In flight: dispatched - committed - dropped.
	dispatched atomic.Int64
	dropped    atomic.Int64
}

func (r *runner) run(ctx context.Context, startHeight uint64) error {
	r.rejected = map[string]int{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	meter := newCostMeter(r.o.Nodes)
	meter.begin(ctx)
	if r.o.CPUProfile != nil {
		if err := pprof.StartCPUProfile(r.o.CPUProfile); err != nil {
			return fmt.Errorf("bench: CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	cpu0 := ownCPU()
	start := time.Now()
	end := start.Add(r.o.Duration)

	// Observe blocks from the first node.
	r.sum.FirstHeight = startHeight + 1
	watch := &watcher{c: r.reads, next: startHeight + 1, seen: func(now time.Time, b *view.BlockTxHashes) {
		ours := 0
		r.mu.Lock()
		for _, h := range b.TxHashes {
			if t0, ok := r.sent[h]; ok {
				delete(r.sent, h)
				r.latencies.add(now.Sub(t0))
				ours++
			}
		}
		r.mu.Unlock()
		r.committed.Add(int64(ours))
	}}
	watchDone := make(chan error, 1)
	stopWatch := make(chan struct{})
	go func() { watchDone <- watch.run(ctx, stopWatch) }()

	// Submit.
	var wg sync.WaitGroup
	// A short queue: a loop that gets ahead of busy workers waits for
	// them, so their lag shows as the loop's (schedule_late_ms) and the
	// run's window cannot close on a backlog still to send.
	queue := make(chan []signed, len(r.clients)*r.o.Workers)
	for _, c := range r.clients {
		for w := 0; w < r.o.Workers; w++ {
			wg.Add(1)
			go func(c *client.Client) {
				defer wg.Done()
				for txs := range queue {
					// --max stops sending at the end, as a closed loop
					// does (scripts/cometload starts no request after
					// it): what was queued is not sent.
					if r.o.Rate == 0 && !time.Now().Before(end) {
						r.dispatched.Add(-int64(len(txs)))
						continue
					}
					if len(txs) == 1 {
						r.submit(ctx, c, txs[0], end)
					} else {
						r.submitBatch(ctx, c, txs, end)
					}
				}
			}(c)
		}
	}
	progressDone, progressExited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(progressExited)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		var lastC int64
		for {
			select {
			case <-progressDone:
				return
			case now := <-tick.C:
				meter.sample(ctx)
				c := r.committed.Load()
				fmt.Fprintf(r.out, "%5.0fs  submitted %7d  committed %7d  %6d tx/s  p50 %6.0f ms  p99 %6.0f ms\n",
					now.Sub(start).Seconds(), r.submitted.Load(), c, c-lastC, ms(r.progress(0.5)), ms(r.progress(0.99)))
				lastC = c
			}
		}
	}()
	// Offer the transactions: at the rate (a batch leaves when it is full,
	// so its first transaction waits up to Batch/Rate), or as fast as the
	// workers take them.
	//
	// At a rate the k-th transaction's slot is start + k/Rate, and every
	// slot inside the run is offered even when the loop is behind it (the
	// queue full, the sleep overshot): the run offers Rate × Duration
	// transactions. Until 2026-12-07 the loop stopped at the clock's end,
	// a few slots short when it was behind: one per request at 3,000 sent
	// 179,996-179,999 of 180,000 (docs/benchmarks.md, "The bench's
	// window"). How far behind its slots the loop fell is reported; a
	// loop more than maxScheduleLate behind stops offering and says so.
	var batch []signed
	interval := time.Duration(0)
	if r.o.Rate > 0 {
		interval = time.Second / time.Duration(r.o.Rate)
	}
	next := start
	var late time.Duration
	for _, tx := range r.txs {
		if interval > 0 {
			if !next.Before(end) {
				break
			}
			if d := time.Until(next); d > 0 {
				time.Sleep(d)
			}
			if late = max(late, time.Since(next)); late > maxScheduleLate {
				fmt.Fprintf(r.out, "the bench fell %s behind its schedule at %.1f s and stopped offering: its workers could not send at %d tx/s (more --workers?)\n",
					late.Round(time.Millisecond), next.Sub(start).Seconds(), r.o.Rate)
				break
			}
			next = next.Add(interval)
		} else if time.Now().After(end) {
			break
		} else {
			// --max is a closed loop: keep at most Inflight transactions
			// submitted and not yet seen committed, so the run measures
			// what the chain commits rather than how fast a full mempool
			// refuses.
			for r.dispatched.Load()+int64(len(batch))-r.committed.Load()-r.dropped.Load() >= int64(r.o.Inflight) && time.Now().Before(end) {
				time.Sleep(2 * time.Millisecond)
			}
		}
		batch = append(batch, tx)
		if len(batch) >= r.o.Batch {
			r.dispatched.Add(int64(len(batch)))
			queue <- batch
			batch = nil
		}
	}
	if len(batch) > 0 {
		r.dispatched.Add(int64(len(batch)))
		queue <- batch
	}
	ranOut := r.o.Rate == 0 && ctx.Err() == nil && time.Now().Before(end)
	// The run's window is the time the bench offered transactions: the
	// Duration asked for, or longer if the last left late. The committed
	// rate is over it. Not up to the last request's reply (as until
	// 2026-12-07), which added that reply's round trip to every run, so
	// that a run committing all of Rate × Duration read just under Rate.
	elapsed := time.Since(start)
	if !ranOut {
		elapsed = max(elapsed, r.o.Duration)
	}
	close(queue)
	wg.Wait()
	if ranOut {
		// The rate is still committed over elapsed, but over a shorter
		// run than asked for: say so where a reader compares runs.
		fmt.Fprintf(r.out, "ran out of signed transactions after %.1f s of the %s asked for (%d signed): the figures below are over the shorter run\n",
			elapsed.Seconds(), r.o.Duration, len(r.txs))
	}
	// Give the chain a moment to commit what was admitted.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		left := len(r.sent)
		r.mu.Unlock()
		if left == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stopWatch)
	watchErr := <-watchDone
	close(progressDone)
	<-progressExited // the meter is sampled there
	if watchErr != nil {
		return watchErr
	}

	s := r.sum
	s.Label = r.o.Label
	s.BenchCPUs = ownCPU() - cpu0
	s.Costs = meter.end(ctx)
	for i, d := range r.o.DataDirs {
		if i < len(s.Costs) && d != "" {
			s.Costs[i].DiskBytes = DirSize(d)
		}
	}
	s.DurationS = elapsed.Seconds()
	s.OfferedTPS = float64(r.o.Rate)
	s.ScheduleLateMs = ms(late)
	s.Submitted = int(r.submitted.Load())
	s.Committed = int(r.committed.Load())
	s.CommittedTPS = float64(s.Committed) / elapsed.Seconds()
	s.RecordsPerS = s.CommittedTPS * float64(s.RecordsPerTx)
	r.mu.Lock()
	q := r.latencies.exact(0.5, 0.95, 0.99, 1)
	r.mu.Unlock()
	s.P50ms, s.P95ms, s.P99ms, s.MaxMs = ms(q[0]), ms(q[1]), ms(q[2]), ms(q[3])
	s.Rejected = r.rejected
	s.ShareOfCeiling = s.CommittedTPS / s.CeilingTPS
	// Block intervals within the run.
	var ivs []float64
	txsInBlocks := 0
	blocks := watch.blocks
	for i := 1; i < len(blocks); i++ {
		ivs = append(ivs, float64(blocks[i].time-blocks[i-1].time)/1e9)
	}
	for _, b := range blocks {
		txsInBlocks += b.txs
	}
	s.Blocks = len(blocks)
	if len(blocks) > 0 {
		s.TxsPerBlock = float64(txsInBlocks) / float64(len(blocks))
	}
	if len(ivs) > 0 {
		sort.Float64s(ivs)
		sum := 0.0
		for _, v := range ivs {
			sum += v
		}
		s.BlockIntervalS.Mean, s.BlockIntervalS.P50, s.BlockIntervalS.Max = sum/float64(len(ivs)), ivs[len(ivs)/2], ivs[len(ivs)-1]
	}
	return nil
}

// submit sends one transaction, retrying on a full mempool until end.
func (r *runner) submit(ctx context.Context, c *client.Client, tx signed, end time.Time) {
	for {
		h := tx.hash
		r.mu.Lock()
		r.sent[h] = time.Now()
		r.mu.Unlock()
		_, err := c.SubmitEncoded(ctx, tx.enc)
		if err == nil {
			r.submitted.Add(1)
			return
		}
		r.mu.Lock()
		delete(r.sent, h)
		code := client.CodeOf(err)
		if code == "" {
			code = "ERR_TRANSPORT"
		}
		r.rejected[code]++
		r.mu.Unlock()
		if (code == "ERR_MEMPOOL_FULL" || code == "ERR_SENDER_LIMIT") && r.o.Rate == 0 && time.Now().Before(end) {
			time.Sleep(time.Duration(5+rand.Intn(20)) * time.Millisecond)
			continue
		}
		r.dropped.Add(1)
		return
	}
}

// submitBatch sends txs in one request; rejected ones are counted by code
// (a full mempool's are retried in --max mode).
func (r *runner) submitBatch(ctx context.Context, c *client.Client, txs []signed, end time.Time) {
	encs := make([][]byte, 0, len(txs))
	for len(txs) > 0 {
		now := time.Now()
		encs = encs[:0]
		r.mu.Lock()
		for _, tx := range txs {
			r.sent[tx.hash] = now
			encs = append(encs, tx.enc)
		}
		r.mu.Unlock()
		res, err := c.SubmitBatchEncoded(ctx, encs)
		if err != nil {
			r.mu.Lock()
			for _, tx := range txs {
				delete(r.sent, tx.hash)
			}
			code := client.CodeOf(err)
			if code == "" {
				code = "ERR_TRANSPORT"
			}
			r.rejected[code] += len(txs)
			r.mu.Unlock()
			r.dropped.Add(int64(len(txs)))
			return
		}
		var retry []signed
		r.mu.Lock()
		for i, br := range res {
			if br.Code == "OK" {
				r.submitted.Add(1)
				continue
			}
			delete(r.sent, txs[i].hash)
			r.rejected[br.Code]++
			if (br.Code == "ERR_MEMPOOL_FULL" || br.Code == "ERR_SENDER_LIMIT") && r.o.Rate == 0 && time.Now().Before(end) {
				retry = append(retry, txs[i])
			} else {
				r.dropped.Add(1)
			}
		}
		r.mu.Unlock()
		if len(retry) > 0 {
			time.Sleep(time.Duration(5+rand.Intn(20)) * time.Millisecond)
		}
		txs = retry
	}
}

// progress is the p-quantile of the latencies so far, for the progress
// line.
func (r *runner) progress(p float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.latencies.progress(p)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// setupAccounts registers (or finds registered) per-organisation operator
// keys, derived from the admin keys, and returns them as load senders.
func setupAccounts(ctx context.Context, c *client.Client, chainID string, admins map[membership.Role]ledger.PrivateKey, perOrg int, out io.Writer) ([]account, error) {
	var accounts []account
	var pending []ledger.Hash
	fmt.Fprintf(out, "registering %d operator accounts per organisation... ", perOrg)
	for _, org := range demo.Founding {
		admin, ok := admins[org.Role]
		if !ok {
			continue
		}
		kind := KindNotary
		if traceRole(org.Role) {
			kind = KindTrace
		}
		for i := 0; i < perOrg; i++ {
			k := operatorKey(admin, i)
			accounts = append(accounts, account{org: org, key: k, pub: k.PublicKey(), kind: kind})
			p := &membership.AddAccount{Key: k.PublicKey(), Role: membership.Operator, Label: fmt.Sprintf("bench %d", i)}
			tx := &ledger.Tx{ChainID: chainID, Nonce: uint64(time.Now().UnixNano()), Contract: membership.Contract, Method: membership.MethodAddAccount, Payload: p.Encode()}
			if err := tx.Sign(admin); err != nil {
				return nil, err
			}
			h, err := c.Submit(ctx, tx)
			if err == nil {
				pending = append(pending, h)
			} else if code := client.CodeOf(err); code != "ERR_ACCOUNT_EXISTS" {
				return nil, fmt.Errorf("register %s operator %d: %w", org.Role, i, err)
			}
		}
	}
	if len(accounts) == 0 {
		return nil, errors.New("bench: the keyring holds none of the demo organisations' admin keys")
	}
	for _, h := range pending {
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		o, err := c.Wait(wctx, h)
		cancel()
		if err != nil {
			return nil, err
		}
		if o.Code != "OK" && o.Code != "ERR_ACCOUNT_EXISTS" {
			return nil, fmt.Errorf("register operator: %s: %s", o.Code, o.Message)
		}
	}
	fmt.Fprintf(out, "%d accounts\n", len(accounts))
	return accounts, nil
}

// settle waits until the node has committed n more blocks, or gives up
// after limit (a network that stays stalled shows in the run that follows).
func settle(ctx context.Context, c *client.Client, n uint64, limit time.Duration) (uint64, error) {
	st, err := c.Status(ctx)
	if err != nil {
		return 0, err
	}
	want := st.Height + n
	deadline := time.Now().Add(limit)
	for st.Height < want && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if s, err := c.Status(ctx); err == nil {
			st = s
		}
	}
	return st.Height, nil
}
