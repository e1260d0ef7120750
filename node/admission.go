package node

import (
	"time"

	"github.com/qianchain/qianchain/node/mempool"
)

// The admission pipeline: every transaction a node receives — a client's
// single submission, a client's batch, a peer's gossip frame — goes through
// one queue to admitWorkers goroutines that admit batches, so that
// signatures are checked together (batch verification,
// ledger/schnorrbatch: per signature, a batch of 64 costs about 1.4 times
// what a batch of 512 does).
//
// One goroutine gathers what is queued into batches, in two lanes:
//
//   - Clients wait for their answer, so their jobs go after at most
//     admitGather (at once when admitMinTxs are waiting, or when every
//     connection that submitted lately has a request waiting: clientSet). While the workers
//     are busy the queue grows, so these batches grow with the load. 5 ms
//     rather than 2: a node taking one transaction per request from many
//     clients gathers a few more into each batch (per signature, a batch of
//     8 costs two thirds of one alone) for a few milliseconds more.
//     When the chain is busy — the mempool holds transactions waiting for
//     blocks — a client's transaction waits for a block anyway, for far
//     longer than its admission takes, so the window stretches with the
//     backlog, up to busyGather at busyPending waiting (clientWindowAt): one
//     transaction per request at 750 a second to a node then verifies in
//     batches of about 20 to 30 instead of 4 (ledger/schnorrbatch: about
//     101 µs per signature at 4, 91 at 16, 65 at 64), for tens of
//     milliseconds on a commit latency of hundreds.
//   - Peers' gossip frames are patient: nobody waits for their outcome, only
//     for the transactions to reach the mempool before the next proposal.
//     On a busy chain they gather for up to gossipGather, or until
//     gossipMinTxs wait, into batches several times larger than one frame
//     (a peer flushes a frame every 5 ms). On a quiet chain that window is
//     added to a transaction's commit latency (three proposals in four are
//     another node's, which must first hold the transaction), for savings
//     no one needs while the cores are idle: the window stretches with the
//     backlog as the clients' does, from gossipIdleGather with the mempool
//     empty to gossipGather at gossipBusyPending waiting (gossipWindowAt).
//     Only a quiet chain's backlog is that small: with the whole window at
//     1,000 waiting, 3,000 tx/s offered to four validators was verified in
//     gossip batches of 179-205 instead of 270 (docs/benchmarks.md,
//     Headroom). The lanes never mix: a client's few transactions would
//     cost no less in a large batch, and the gossip would go in small ones.
//
// Every transaction is still verified here, before it enters the mempool;
// gathering moves when, not whether.

const (
	admitGather  = 5 * time.Millisecond
	busyGather   = 40 * time.Millisecond // the clients' window at busyPending waiting
	busyPending  = 2000                  // transactions in the mempool
	admitMinTxs  = 64                    // a client batch this large goes at once
	admitMaxTxs  = 2048                  // and no batch is larger
	gossipGather = 100 * time.Millisecond
	// gossipIdleGather is the gossip lane's window with the mempool empty:
	// two of a peer's frames.
	gossipIdleGather  = 10 * time.Millisecond
	gossipBusyPending = 256 // transactions in the mempool (one gossip batch): the whole gossipGather
	gossipMinTxs      = 256 // a gossip batch this large goes at once
	admitWorkers      = 2
	admitQueue        = 4096 // jobs waiting; a full queue blocks the sender (backpressure)
)

// admitJob is a group of encoded transactions from one source; done gets
// their results, in order, on a worker goroutine. A patient job (a peer's
// gossip frame) may wait to be admitted in a larger batch. A validator's
// relays may fill the mempool's relay reserve (mempool.AddRelayed); an
// observer's relays are its clients' transactions and are admitted as a
// client's are, so that they cannot take the room kept for what the other
// validators admitted.
type admitJob struct {
	raws    [][]byte
	done    func(res []mempool.Result)
	patient bool
	reserve bool // relayed by a validator: may fill the relay reserve
	// from is a client's connection (its remote address); "" for gossip
	// and the node's own callers. See clientSet.
	from string
}

// lane gathers jobs of one kind until they should go.
type lane struct {
	name   string        // for the batch-size metric
	min    int           // a batch this large goes at once
	window time.Duration // the first job waits at most this long
	// atOnce, when above 0, is a count of jobs from clients' connections
	// (admitJob.from) at which the batch goes at once: the clients' lane's
	// is every connection that submitted lately (clientSet).
	atOnce int
	known  int // jobs in jobs from clients' connections
	jobs   []admitJob
	n      int       // transactions in jobs
	since  time.Time // when the first job arrived
}

func (l *lane) add(j admitJob, now time.Time) {
	if len(l.jobs) == 0 {
		l.since = now
	}
	l.jobs, l.n = append(l.jobs, j), l.n+len(j.raws)
	if j.from != "" {
		l.known++
	}
}

// due is when the lane's batch must go (zero time when it is empty).
func (l *lane) due() time.Time {
	if len(l.jobs) == 0 {
		return time.Time{}
	}
	if l.n >= l.min || l.atOnce > 0 && l.known >= l.atOnce {
		return l.since // at once
	}
	return l.since.Add(l.window)
}

// take empties the lane, telling observe (when set) the batch's size.
func (l *lane) take(observe func(lane string, txs int)) []admitJob {
	if observe != nil {
		observe(l.name, l.n)
	}
	jobs := l.jobs
	l.jobs, l.n, l.known = nil, 0, 0
	return jobs
}

type admitter struct {
	pool    *mempool.Mempool
	in      chan admitJob
	batches chan []admitJob
	stop    <-chan struct{}
	// The lanes' limits; fields rather than the constants so that a test
	// can shape batches by count alone.
	clientWindow, gossipWindow time.Duration
	clientMin, gossipMin       int
	// busyWindow is the clients' window when pending (the mempool's
	// count; nil: never busy, and the gossip lane's window is always
	// gossipWindow) reaches busyPending; see clientWindowAt.
	// gossipIdleWindow is the gossip lane's with the mempool empty; see
	// gossipWindowAt.
	busyWindow, gossipIdleWindow time.Duration
	pending                      func() int
	// clientSpan is how recently a connection must have submitted to
	// count among the clients a batch may wait for (clientSet).
	clientSpan time.Duration
	// batched, when set, is told each batch's lane and size (the
	// qian_admission_batch_txs metric); called on the gathering goroutine.
	batched func(lane string, txs int)
}

func newAdmitter(pool *mempool.Mempool, stop <-chan struct{}) *admitter {
	a := &admitter{pool: pool, in: make(chan admitJob, admitQueue), batches: make(chan []admitJob), stop: stop,
		clientWindow: admitGather, gossipWindow: gossipGather, clientMin: admitMinTxs, gossipMin: gossipMinTxs,
		busyWindow: busyGather, gossipIdleWindow: gossipIdleGather, clientSpan: clientSpan}
	if pool != nil {
		a.pending = func() int { n, _ := pool.Size(); return n }
	}
	return a
}

// clientWindowAt is how long the clients' lane gathers with pending
// transactions in the mempool: clientWindow when it is empty, growing in
// proportion to busyWindow at busyPending and beyond.
func (a *admitter) clientWindowAt(pending int) time.Duration {
	return stretch(a.clientWindow, a.busyWindow, pending, busyPending)
}

// gossipWindowAt is how long the gossip lane gathers with pending
// transactions in the mempool: gossipIdleWindow when it is empty, growing in
// proportion to gossipWindow at gossipBusyPending and beyond.
func (a *admitter) gossipWindowAt(pending int) time.Duration {
	return stretch(a.gossipIdleWindow, a.gossipWindow, pending, gossipBusyPending)
}

// stretch is idle with nothing pending, busy at busyAt pending and beyond,
// and in proportion between (idle when busy is not longer).
func stretch(idle, busy time.Duration, pending, busyAt int) time.Duration {
	if busy <= idle {
		return idle
	}
	return idle + (busy-idle)*time.Duration(min(max(pending, 0), busyAt))/time.Duration(busyAt)
}

// submit queues a job; false when the node is stopping.
func (a *admitter) submit(j admitJob) bool {
	select {
	case a.in <- j:
		return true
	case <-a.stop:
		return false
	}
}

// gather forms batches until stop is closed. A lane's batch goes when it is
// due; a job that would take a lane past admitMaxTxs first sends what the
// lane holds. Whatever is already queued joins the lanes before a batch
// goes, so that while the workers are busy batches grow with the queue.
func (a *admitter) gather() {
	client := &lane{name: "client", min: a.clientMin, window: a.clientWindow}
	gossip := &lane{name: "gossip", min: a.gossipMin, window: a.gossipWindow}
	clients := clientSet{span: a.clientSpan}
	add := func(j admitJob) bool {
		l := client
		if j.patient {
			l = gossip
		}
		if l.n > 0 && l.n+len(j.raws) > admitMaxTxs && !a.send(l.take(a.batched)) {
			return false
		}
		now := time.Now()
		if !j.patient {
			clients.saw(j.from, now)
		}
		l.add(j, now)
		return true
	}
	// Go 1.23 timers: Reset and Stop leave no stale tick in the channel.
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var wake <-chan time.Time
		if next := earliest(client.due(), gossip.due()); !next.IsZero() {
			timer.Reset(time.Until(next))
			wake = timer.C
		}
		select {
		case j := <-a.in:
			if !add(j) {
				return
			}
		drain:
			for range admitQueue {
				select {
				case j := <-a.in:
					if !add(j) {
						return
					}
				default:
					break drain
				}
			}
		case <-wake:
		case <-a.stop:
			return
		}
		timer.Stop()
		// The windows follow the backlog; a batch already gathering gets
		// the new window too.
		if a.pending != nil && len(client.jobs)+len(gossip.jobs) > 0 {
			p := a.pending()
			client.window, gossip.window = a.clientWindowAt(p), a.gossipWindowAt(p)
		}
		// Send every lane that is due, the clients' first.
		now := time.Now()
		client.atOnce = clients.count(now)
		for _, l := range []*lane{client, gossip} {
			if d := l.due(); !d.IsZero() && !now.Before(d) && !a.send(l.take(a.batched)) {
				return
			}
		}
	}
}

// send hands a batch to a worker; false when the node is stopping.
func (a *admitter) send(jobs []admitJob) bool {
	select {
	case a.batches <- jobs:
		return true
	case <-a.stop:
		return false
	}
}

// earliest of two times, ignoring zero ones.
func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// work admits batches until stop is closed.
func (a *admitter) work() {
	for {
		var jobs []admitJob
		select {
		case jobs = <-a.batches:
		case <-a.stop:
			return
		}
		// A batch of gossip may hold both validators' and observers'
		// relays: each kind goes to the mempool as its own batch.
		var reserved, other []admitJob
		for _, j := range jobs {
			if j.reserve {
				reserved = append(reserved, j)
			} else {
				other = append(other, j)
			}
		}
		a.add(other, a.pool.AddBatch)
		a.add(reserved, a.pool.AddRelayed)
	}
}

// add admits jobs' transactions as one batch and gives each job its results.
func (a *admitter) add(jobs []admitJob, add func(raws [][]byte) []mempool.Result) {
	if len(jobs) == 0 {
		return
	}
	var raws [][]byte
	for _, j := range jobs {
		raws = append(raws, j.raws...)
	}
	res := add(raws)
	for _, j := range jobs {
		j.done(res[:len(j.raws)])
		res = res[len(j.raws):]
	}
}
