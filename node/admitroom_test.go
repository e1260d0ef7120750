package node

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
	"github.com/qianchain/qianchain/node/mempool"
)

// roomTest is a txGossip admitting clients' submissions into a mempool with
// room for two of them (three, one kept for relays), its gate holding
// requests for wait.
type roomTest struct {
	t     *testing.T
	chain *ledgertest.Chain
	pool  *mempool.Mempool
	g     *txGossip
}

func newRoomTest(t *testing.T, wait time.Duration) *roomTest {
	pool, stop := testPool(t, 3, 1)
	g := &txGossip{pool: pool, admit: newAdmitter(pool, stop), room: &roomGate{pool: pool, wait: wait},
		queue: make(chan []byte, 16), notify: make(chan struct{}, 1), done: stop}
	go g.admit.gather()
	go g.admit.work()
	return &roomTest{t: t, chain: ledgertest.NewChain("qian-test", 4), pool: pool, g: g}
}

// submit sends a client's transaction; its result arrives on the channel
// (none if the node stopped first).
func (r *roomTest) submit(sender uint64) (*ledger.Tx, <-chan mempool.Result) {
	return r.submitCtx(context.Background(), r.chain.Tx(sender, 0, nil))
}

func (r *roomTest) submitCtx(ctx context.Context, tx *ledger.Tx) (*ledger.Tx, <-chan mempool.Result) {
	got := make(chan mempool.Result, 1)
	go func() {
		if res := r.g.submitBatch(ctx, [][]byte{tx.Encode()}, "client"); res != nil {
			got <- res[0]
		}
	}()
	return tx, got
}

// fill submits two clients' transactions, which fill the clients' room.
func (r *roomTest) fill() (a, b *ledger.Tx) {
	r.t.Helper()
	a, gotA := r.submit(1)
	b, gotB := r.submit(2)
	r.want(gotA, "", "first of two in an empty mempool")
	r.want(gotB, "", "second of two in an empty mempool")
	return a, b
}

// want waits for a result and fails unless it is code ("" admitted).
func (r *roomTest) want(got <-chan mempool.Result, code, what string) {
	r.t.Helper()
	select {
	case res := <-got:
		if c := mempool.CodeOf(res.Err); c != code {
			r.t.Fatalf("%s: %q (%v); want %q", what, c, res.Err, code)
		}
	case <-time.After(10 * time.Second):
		r.t.Fatalf("%s: no answer in 10 s", what)
	}
}

// waitHeld waits until n requests are held at the gate.
func (r *roomTest) waitHeld(n int, what string) {
	r.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); r.g.room.held() != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: %d requests held; want %d", what, r.g.room.held(), n)
		}
	}
}

// settled fails unless every request let through has left the gate.
func (r *roomTest) settled() {
	r.t.Helper()
	r.g.room.mu.Lock()
	defer r.g.room.mu.Unlock()
	if r.g.room.entering != 0 || len(r.g.room.queue) != 0 {
		r.t.Fatalf("the gate counts %d transactions entering and %d requests held; want none", r.g.room.entering, len(r.g.room.queue))
	}
}

func (r *roomTest) commit(txs ...*ledger.Tx) {
	hs := make([]ledger.Hash, len(txs))
	for i, tx := range txs {
		hs[i] = tx.Hash()
	}
	r.pool.UpdateHashes(hs, false)
}

// TestFullMempoolHoldsClientsUntilACommit: with the clients' share of the
// mempool full, a client's submission is held, not refused, and admitted
// when a commit frees room; held requests go in arrival order, one per
// commit that frees room for one, the rest staying held.
func TestFullMempoolHoldsClientsUntilACommit(t *testing.T) {
	r := newRoomTest(t, time.Hour)
	a, b := r.fill()
	type held struct {
		tx  *ledger.Tx
		got <-chan mempool.Result
	}
	var queue []held
	for i, name := range []string{"c", "d", "e"} {
		tx, got := r.submit(uint64(3 + i))
		r.waitHeld(i+1, name+" at a full mempool")
		queue = append(queue, held{tx, got})
	}
	for _, h := range queue {
		select {
		case res := <-h.got:
			t.Fatalf("a held request answered %v with the mempool full and no commit", res.Err)
		default:
		}
	}
	committed := []*ledger.Tx{a, b}
	for i, name := range []string{"c", "d", "e"} {
		r.commit(committed[i]) // room for one: the oldest held goes
		r.want(queue[i].got, "", name+", the oldest held, after a commit freed room for one")
		committed = append(committed, queue[i].tx)
		r.g.room.mu.Lock()
		entering, waiting := r.g.room.entering, len(r.g.room.queue)
		r.g.room.mu.Unlock()
		if entering != 0 || waiting != 2-i {
			t.Fatalf("after %s: %d transactions entering, %d requests held; want 0 and %d", name, entering, waiting, 2-i)
		}
	}
	r.settled()
}

// TestHeldRequestGoesWhenAnotherIsRefused: room that a refused request
// leaves (a duplicate let through and not admitted) is taken by the
// oldest held request without waiting for a commit.
func TestHeldRequestGoesWhenAnotherIsRefused(t *testing.T) {
	pool, stop := testPool(t, 3, 1) // room for two clients' transactions
	g := &txGossip{pool: pool, admit: newAdmitter(pool, stop), room: &roomGate{pool: pool, wait: time.Hour},
		queue: make(chan []byte, 16), notify: make(chan struct{}, 1), done: stop}
	r := &roomTest{t: t, chain: ledgertest.NewChain("qian-test", 4), pool: pool, g: g}
	go g.admit.gather()
	dup := r.chain.Tx(1, 0, nil)
	if res := pool.AddBatch([][]byte{dup.Encode()}); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	// The duplicate is let through (room 1) and waits for a worker, none
	// running yet; the next request finds that room taken and is held.
	_, gotDup := r.submitCtx(context.Background(), dup)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		g.room.mu.Lock()
		entering := g.room.entering
		g.room.mu.Unlock()
		if entering == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the duplicate was not let through")
		}
	}
	_, gotE := r.submit(5)
	r.waitHeld(1, "e, behind the duplicate's claim on the room")
	go g.admit.work()
	r.want(gotDup, mempool.ErrDuplicateTx, "the duplicate")
	r.want(gotE, "", "e, once the duplicate's claim was given back, with no commit")
	r.settled()
}

// TestRequestArrivingAsAnotherIsAdmittedIsNotLeftHeld: between a request's
// admission and its leaving the gate its transactions count twice (in the
// mempool and as entering), so a request arriving then finds no room and
// is held; the first one's leave must give it its look at the room, or on a
// quiet chain (no commit coming) it waits out the whole full_wait. The
// .ci/run of 5b539db failed so, by chance; here the window is held open.
func TestRequestArrivingAsAnotherIsAdmittedIsNotLeftHeld(t *testing.T) {
	r := newRoomTest(t, time.Hour)
	inWindow, release := make(chan struct{}), make(chan struct{})
	var once atomic.Bool
	r.g.admittedHook = func() {
		if once.CompareAndSwap(false, true) {
			close(inWindow)
			<-release
		}
	}
	_, gotA := r.submit(1)
	<-inWindow // a is in the mempool and still counted as entering
	_, gotB := r.submit(2)
	r.waitHeld(1, "b, arriving while a counts twice")
	close(release)
	r.want(gotA, "", "a")
	r.want(gotB, "", "b, once a left the gate, with no commit")
	r.settled()
}

// TestHeldRequestGoesWhenItsClientLeaves: a held request whose client went
// away (its context done) stops waiting and is refused as before.
func TestHeldRequestGoesWhenItsClientLeaves(t *testing.T) {
	r := newRoomTest(t, time.Hour)
	r.fill()
	ctx, cancel := context.WithCancel(context.Background())
	_, gotC := r.submitCtx(ctx, r.chain.Tx(3, 0, nil))
	r.waitHeld(1, "c at a full mempool")
	cancel()
	r.want(gotC, mempool.ErrMempoolFull, "c, its client gone")
	r.settled()
}

// TestFullMempoolRefusesAfterTheWait: held for the gate's wait with no
// commit, a client's submission is refused ERR_MEMPOOL_FULL as before; with
// no wait it is refused at once.
func TestFullMempoolRefusesAfterTheWait(t *testing.T) {
	for _, wait := range []time.Duration{0, 50 * time.Millisecond} {
		r := newRoomTest(t, wait)
		var holds atomic.Int64
		r.g.room.onHold = func() { holds.Add(1) }
		r.fill()
		start := time.Now()
		_, gotC := r.submit(3)
		r.want(gotC, mempool.ErrMempoolFull, "c with no commit")
		if took := time.Since(start); took < wait {
			t.Fatalf("wait %v: c refused after %v, before the wait ended", wait, took)
		}
		want := int64(0)
		if wait > 0 {
			want = 1
		}
		if n := holds.Load(); n != want {
			t.Fatalf("wait %v: %d requests held; want %d", wait, n, want)
		}
		if held := r.g.room.held(); held != 0 {
			t.Fatalf("wait %v: %d requests still held", wait, held)
		}
		r.settled()
	}
}
