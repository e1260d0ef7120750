package node

import (
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
	g.admit.held = g.room.heldClients
	go g.admit.gather()
	go g.admit.work()
	return &roomTest{t: t, chain: ledgertest.NewChain("qian-test", 4), pool: pool, g: g}
}

// submit sends a client's transaction from connection from; its result
// arrives on the channel.
func (r *roomTest) submit(sender uint64, from string) (*ledger.Tx, <-chan mempool.Result) {
	tx := r.chain.Tx(sender, 0, nil)
	got := make(chan mempool.Result, 1)
	go func() { got <- r.g.submitBatch([][]byte{tx.Encode()}, from)[0] }()
	return tx, got
}

// admitted waits for a result and fails unless it is code ("" admitted).
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
	for deadline := time.Now().Add(10 * time.Second); r.g.room.heldClients() != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: %d requests held; want %d", what, r.g.room.heldClients(), n)
		}
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
// when a commit frees room; a commit that frees room for one lets one of
// two held requests through, and the other waits for the next.
func TestFullMempoolHoldsClientsUntilACommit(t *testing.T) {
	r := newRoomTest(t, time.Hour)
	a, gotA := r.submit(1, "a")
	b, gotB := r.submit(2, "b")
	r.want(gotA, "", "first of two in an empty mempool")
	r.want(gotB, "", "second of two in an empty mempool")

	_, gotC := r.submit(3, "c")
	r.waitHeld(1, "c at a full mempool")
	_, gotD := r.submit(4, "d")
	r.waitHeld(2, "c and d at a full mempool")
	select {
	case res := <-gotC:
		t.Fatalf("c answered %v with the mempool full and no commit", res.Err)
	case res := <-gotD:
		t.Fatalf("d answered %v with the mempool full and no commit", res.Err)
	default:
	}

	r.commit(a) // room for one: c or d goes, the other stays held
	var second <-chan mempool.Result
	select {
	case res := <-gotC:
		if res.Err != nil {
			t.Fatalf("c after a commit freed room: %v", res.Err)
		}
		second = gotD
	case res := <-gotD:
		if res.Err != nil {
			t.Fatalf("d after a commit freed room: %v", res.Err)
		}
		second = gotC
	case <-time.After(10 * time.Second):
		t.Fatal("neither held request was admitted after a commit freed room")
	}
	r.waitHeld(1, "one commit's room let one of two through")
	r.commit(b)
	r.want(second, "", "the other, after the next commit")
	r.waitHeld(0, "after both")
}

// TestFullMempoolRefusesAfterTheWait: held for the gate's wait with no
// commit, a client's submission is refused ERR_MEMPOOL_FULL as before; with
// no wait it is refused at once.
func TestFullMempoolRefusesAfterTheWait(t *testing.T) {
	for _, wait := range []time.Duration{0, 50 * time.Millisecond} {
		r := newRoomTest(t, wait)
		_, gotA := r.submit(1, "a")
		_, gotB := r.submit(2, "b")
		r.want(gotA, "", "first of two")
		r.want(gotB, "", "second of two")
		start := time.Now()
		_, gotC := r.submit(3, "c")
		r.want(gotC, mempool.ErrMempoolFull, "c with no commit")
		if took := time.Since(start); took < wait {
			t.Fatalf("wait %v: c refused after %v, before the wait ended", wait, took)
		}
	}
}
