package node

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
	"github.com/qianchain/qianchain/node/mempool"
	"github.com/qianchain/qianchain/node/sigcache"
)

// TestAdmissionLanes: a client's job goes in a batch of its own, without
// waiting for peers' gossip, and gossip frames gather into one batch
// (shaped here by counts alone: the windows are an hour).
func TestAdmissionLanes(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	a := newAdmitter(nil, stop)
	a.clientWindow, a.gossipWindow = time.Hour, time.Hour
	a.clientMin, a.gossipMin = 1, 10
	go a.gather()

	job := func(n int, patient bool) admitJob {
		return admitJob{raws: make([][]byte, n), patient: patient}
	}
	next := func() []admitJob {
		t.Helper()
		select {
		case b := <-a.batches:
			return b
		case <-time.After(10 * time.Second):
			t.Fatal("no batch")
			return nil
		}
	}
	a.submit(job(4, true))
	a.submit(job(4, true)) // 8 < 10: held
	a.submit(job(1, false))
	if b := next(); len(b) != 1 || b[0].patient {
		t.Fatalf("first batch %d jobs (patient: %v), want the client's alone", len(b), len(b) > 0 && b[0].patient)
	}
	a.submit(job(4, true)) // 12 >= 10: goes
	b := next()
	n := 0
	for _, j := range b {
		if !j.patient {
			t.Fatal("a client's job in the gossip batch")
		}
		n += len(j.raws)
	}
	if len(b) != 3 || n != 12 {
		t.Fatalf("gossip batch of %d jobs, %d transactions; want 3 and 12", len(b), n)
	}
}

// TestAdmissionBatchCap: no batch holds more than admitMaxTxs; the job that
// would overflow a lane starts the next batch.
func TestAdmissionBatchCap(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	a := newAdmitter(nil, stop)
	a.gossipWindow, a.gossipMin = time.Hour, admitMaxTxs
	go a.gather()
	for range 3 {
		a.submit(admitJob{raws: make([][]byte, admitMaxTxs/2+1), patient: true})
	}
	for range 2 {
		select {
		case b := <-a.batches:
			if len(b) != 1 {
				t.Fatalf("a batch of %d jobs of %d: over %d", len(b), admitMaxTxs/2+1, admitMaxTxs)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no batch")
		}
	}
}

// TestWindowsFollowBacklog: each lane gathers for its short window while
// the mempool is empty and for longer as transactions wait there for blocks
// (at busyPending, or gossipBusyPending, and beyond, the whole busy window).
func TestWindowsFollowBacklog(t *testing.T) {
	a := newAdmitter(nil, nil)
	for _, c := range []struct {
		pending int
		want    time.Duration
	}{{0, admitGather}, {busyPending / 2, (admitGather + busyGather) / 2}, {busyPending, busyGather}, {10 * busyPending, busyGather}} {
		if got := a.clientWindowAt(c.pending); got != c.want {
			t.Errorf("%d pending: window %v, want %v", c.pending, got, c.want)
		}
	}
	for _, c := range []struct {
		pending int
		want    time.Duration
	}{{0, gossipIdleGather}, {gossipBusyPending / 2, (gossipIdleGather + gossipGather) / 2}, {gossipBusyPending, gossipGather}, {10 * gossipBusyPending, gossipGather}} {
		if got := a.gossipWindowAt(c.pending); got != c.want {
			t.Errorf("%d pending: gossip window %v, want %v", c.pending, got, c.want)
		}
	}

	// In the gatherer: with nothing pending a client's job goes at once
	// (window 0); with a backlog it waits (an hour) for more until the
	// lane's count is reached. The gatherer asks for the backlog after
	// taking each job in; the test waits for that before the next.
	stop := make(chan struct{})
	defer close(stop)
	a = newAdmitter(nil, stop)
	a.clientWindow, a.busyWindow, a.clientMin = 0, time.Hour, 3
	g := startWithBacklog(t, a)
	backlog, next, waitAsked := &g.backlog, g.next, g.waitAsked
	client := admitJob{raws: make([][]byte, 1)}
	a.submit(client)
	if b := next(); len(b) != 1 {
		t.Fatalf("idle: a batch of %d jobs, want the one at once", len(b))
	}
	waitAsked()
	backlog.Store(busyPending)
	for range 3 {
		a.submit(client)
		waitAsked() // taken in, and held unless due
	}
	if b := next(); len(b) != 3 {
		t.Fatalf("busy: a batch of %d jobs, want the 3 gathered", len(b))
	}
}

// TestGossipWindowFollowsBacklog: in the gatherer the gossip lane takes its
// own window from the backlog (the clients' here never waits): a frame goes
// at once on an idle chain and waits for more on a busy one, and a frame
// held while the chain was busy goes as soon as it is not.
func TestGossipWindowFollowsBacklog(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	a := newAdmitter(nil, stop)
	a.clientWindow, a.busyWindow, a.clientMin = 0, 0, admitMaxTxs
	a.gossipIdleWindow, a.gossipWindow, a.gossipMin = 0, time.Hour, 3
	g := startWithBacklog(t, a)
	backlog, waitAsked := &g.backlog, g.waitAsked
	next := func(patient bool) []admitJob {
		t.Helper()
		b := g.next()
		if len(b) == 0 || b[0].patient != patient {
			t.Fatalf("a batch of %d jobs, patient %v; want patient %v", len(b), len(b) > 0 && b[0].patient, patient)
		}
		return b
	}
	frame := admitJob{raws: make([][]byte, 1), patient: true}
	client := admitJob{raws: make([][]byte, 1)}

	a.submit(frame)
	if b := next(true); len(b) != 1 {
		t.Fatalf("idle: a gossip batch of %d jobs, want the frame at once", len(b))
	}
	waitAsked()
	backlog.Store(gossipBusyPending)
	a.submit(client) // the clients' lane keeps its own window
	if b := next(false); len(b) != 1 {
		t.Fatalf("busy: a client batch of %d jobs, want the one at once", len(b))
	}
	waitAsked()
	for range 3 {
		a.submit(frame)
		waitAsked() // taken in, and held unless due
	}
	if b := next(true); len(b) != 3 {
		t.Fatalf("busy: a gossip batch of %d jobs, want the 3 gathered", len(b))
	}

	// A frame held on a busy chain; the backlog clears; the next job the
	// gatherer takes in makes the held frame due at once.
	a.submit(frame)
	waitAsked()
	backlog.Store(0)
	a.submit(client)
	if b := next(false); len(b) != 1 {
		t.Fatalf("a client batch of %d jobs, want the one", len(b))
	}
	if b := next(true); len(b) != 1 {
		t.Fatalf("the held gossip batch: %d jobs, want the frame", len(b))
	}
}

// backlogGatherer runs an admitter's gatherer with a backlog the test sets,
// and tells the test each time the gatherer asks for it (after taking a job
// in, or on a lane's timer).
type backlogGatherer struct {
	t       *testing.T
	a       *admitter
	backlog atomic.Int64
	asked   chan struct{}
}

func startWithBacklog(t *testing.T, a *admitter) *backlogGatherer {
	g := &backlogGatherer{t: t, a: a, asked: make(chan struct{}, 8)}
	// The backlog is read before the test is told: a test that sets a new
	// backlog once told cannot change what this ask returns (it raced
	// with it, and a frame held on a busy chain went at once under the
	// race detector's scheduling).
	a.pending = func() int { v := int(g.backlog.Load()); g.asked <- struct{}{}; return v }
	go a.gather()
	return g
}

// next is the next batch the gatherer sends.
func (g *backlogGatherer) next() []admitJob {
	g.t.Helper()
	select {
	case b := <-g.a.batches:
		return b
	case <-time.After(10 * time.Second):
		g.t.Fatal("no batch")
		return nil
	}
}

// waitAsked waits for the gatherer to ask for the backlog.
func (g *backlogGatherer) waitAsked() {
	g.t.Helper()
	select {
	case <-g.asked:
	case <-time.After(10 * time.Second):
		g.t.Fatal("the gatherer did not take the job in (a batch sent too early?)")
	}
}

type nothingCommitted struct{}

func (nothingCommitted) HasTx(ledger.Hash) (bool, error) { return false, nil }

// TestAdmissionRelaysMayFillTheReserve: a batch of the clients' lane is
// admitted as clients' (refused at the mempool's relay reserve), and so is
// an observer's gossip; a validator's gossip may fill the reserve.
func TestAdmissionRelaysMayFillTheReserve(t *testing.T) {
	chain := ledgertest.NewChain("qian-test", 4)
	pool, stop := testPool(t, 3, 1)
	a := newAdmitter(pool, stop)
	go a.work()
	job := func(patient, reserve bool, got chan<- []mempool.Result, txs ...*ledger.Tx) admitJob {
		raws := make([][]byte, len(txs))
		for i, tx := range txs {
			raws[i] = tx.Encode()
		}
		return admitJob{raws: raws, patient: patient, reserve: reserve, done: func(res []mempool.Result) { got <- res }}
	}
	admit := func(patient, reserve bool, txs ...*ledger.Tx) []mempool.Result {
		got := make(chan []mempool.Result, 1)
		a.batches <- []admitJob{job(patient, reserve, got, txs...)}
		return <-got
	}
	res := admit(false, false, chain.Tx(1, 1, nil), chain.Tx(2, 2, nil), chain.Tx(3, 3, nil))
	if res[0].Err != nil || res[1].Err != nil || mempool.CodeOf(res[2].Err) != mempool.ErrMempoolFull {
		t.Fatalf("clients' batch: %v, %v, %v; want two admitted, then %s", res[0].Err, res[1].Err, res[2].Err, mempool.ErrMempoolFull)
	}
	// One batch of gossip from an observer and a validator: the observer's
	// relay is its client's transaction and may not take the reserve.
	observer, validator := make(chan []mempool.Result, 1), make(chan []mempool.Result, 1)
	a.batches <- []admitJob{job(true, false, observer, chain.Tx(3, 3, nil)), job(true, true, validator, chain.Tx(4, 4, nil))}
	if res := <-observer; len(res) != 1 || mempool.CodeOf(res[0].Err) != mempool.ErrMempoolFull {
		t.Fatalf("an observer's relay at the reserve: %+v; want %s", res, mempool.ErrMempoolFull)
	}
	if res := <-validator; len(res) != 1 || res[0].Err != nil {
		t.Fatalf("a validator's relay refused with room in the reserve: %+v", res)
	}
	if n, _ := pool.Size(); n != 3 {
		t.Fatalf("mempool holds %d transactions; want 3", n)
	}
}

// TestResubmittedTransactionIsRelayedAgain: a client's resend of a
// transaction still waiting in the mempool (ERR_DUPLICATE_TX) queues it for
// relay again, so that one whose first relay was dropped or refused (an
// observer's, at a full validator) is offered to the peers once more.
func TestResubmittedTransactionIsRelayedAgain(t *testing.T) {
	chain := ledgertest.NewChain("qian-test", 4)
	pool, stop := testPool(t, 10, 0)
	g := &txGossip{pool: pool, admit: newAdmitter(pool, stop), queue: make(chan []byte, 4), notify: make(chan struct{}, 1), done: stop}
	go g.admit.gather()
	go g.admit.work()
	raw := chain.Tx(1, 1, nil).Encode()
	for i, want := range []string{"", mempool.ErrDuplicateTx} {
		res := g.submitBatch(context.Background(), [][]byte{raw}, "")
		if got := mempool.CodeOf(res[0].Err); got != want {
			t.Fatalf("submission %d: %q; want %q", i+1, got, want)
		}
		select {
		case q := <-g.queue:
			if !bytes.Equal(q, raw) {
				t.Fatalf("submission %d queued another transaction for relay", i+1)
			}
		default:
			t.Fatalf("submission %d (%s) was not queued for relay", i+1, res[0].Err)
		}
	}
}

// TestGossipReserveFollowsTheValidatorSet: a batch received from a peer in
// the validator set may fill the relay reserve and is not relayed again; one
// from any other peer (an observer) is admitted as a client's transaction
// would be — within the clients' share, then relayed on — and is refused at
// the reserve. The set is read as each batch arrives: a peer that becomes a
// validator gets the reserve from its next batch.
func TestGossipReserveFollowsTheValidatorSet(t *testing.T) {
	chain := ledgertest.NewChain("qian-test", 4)
	pool, stop := testPool(t, 5, 2)
	codes := make(chan string, 16)
	g := &txGossip{pool: pool, admit: newAdmitter(pool, stop), queue: make(chan []byte, 16), notify: make(chan struct{}, 1),
		onAdmit: func(code string) { codes <- code }, done: stop}
	validator, observer := peer.ID("validator"), peer.ID("observer")
	g.setValidators(map[peer.ID]bool{validator: true})
	go g.admit.gather()
	go g.admit.work()

	// receive hands tx from p to admission and reports its code, and
	// whether it was queued for relay (waited for when wantRelay).
	receive := func(p peer.ID, tx *ledger.Tx, wantRelay bool) (string, bool) {
		t.Helper()
		raw := tx.Encode()
		if err := g.receive(p, encodeTxBatch([][]byte{raw}, len(raw))); err != nil {
			t.Fatalf("receive: %v", err)
		}
		var code string
		select {
		case code = <-codes:
		case <-time.After(10 * time.Second):
			t.Fatal("the batch was never admitted")
		}
		// The relay is queued just after the code is reported: wait for
		// one that should come, and a moment for one that should not.
		wait := 200 * time.Millisecond
		if wantRelay {
			wait = 10 * time.Second
		}
		select {
		case q := <-g.queue:
			if !bytes.Equal(q, raw) {
				t.Fatal("another transaction was queued for relay")
			}
			return code, true
		case <-time.After(wait):
			return code, false
		}
	}
	if res := g.submitBatch(context.Background(), [][]byte{chain.Tx(1, 1, nil).Encode(), chain.Tx(2, 2, nil).Encode()}, ""); res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("clients' batch: %v, %v", res[0].Err, res[1].Err)
	}
	<-codes
	<-codes
	<-g.queue
	<-g.queue
	steps := []struct {
		from    peer.ID
		tx      *ledger.Tx
		code    string
		relayed bool
	}{
		{observer, chain.Tx(3, 3, nil), "OK", true},                    // the clients' share's last place
		{observer, chain.Tx(4, 4, nil), mempool.ErrMempoolFull, false}, // the reserve is not an observer's
		{validator, chain.Tx(4, 4, nil), "OK", false},                  // a validator's relay takes the reserve
	}
	for i, s := range steps {
		if code, relayed := receive(s.from, s.tx, s.relayed); code != s.code || relayed != s.relayed {
			t.Fatalf("step %d, from %s: %s, relayed %v; want %s, relayed %v", i+1, s.from, code, relayed, s.code, s.relayed)
		}
	}
	g.setValidators(map[peer.ID]bool{validator: true, observer: true})
	if code, relayed := receive(observer, chain.Tx(5, 5, nil), false); code != "OK" || relayed {
		t.Fatalf("from the observer made a validator: %s, relayed %v; want OK, not relayed", code, relayed)
	}
	if n, _ := pool.Size(); n != 5 {
		t.Fatalf("mempool holds %d transactions; want 5", n)
	}
}

// testPool is a mempool of chain "qian-test" holding up to maxTxs
// transactions, reserve of them kept for validators' relays, and a stop
// channel closed when the test ends.
func testPool(t *testing.T, maxTxs, reserve int) (*mempool.Mempool, chan struct{}) {
	pool := mempool.New(mempool.Config{ChainID: "qian-test", MaxTxs: maxTxs, RelayReserve: reserve, MaxBytes: 1 << 20, MaxPerSender: 10, MaxTxBytes: 1 << 16},
		nothingCommitted{}, sigcache.New(100), nil)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	return pool, stop
}
