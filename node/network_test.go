package node_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/nodetest"
)

// Transactions sent to any node are committed on all, with identical block
// and app hashes; the observer follows without voting.
func TestTxsCommittedOnAllNodes(t *testing.T) {
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Observers: 1})
	nw.StartAll()
	nw.WaitHeight(2, 20*time.Second)

	var hashes []ledger.Hash
	key, _ := ledger.GenerateKey()
	for i := 0; i < 200; i++ {
		m := nw.Members[i%len(nw.Members)]
		tx := nodetest.KVTx(nw.Genesis.ChainID, key, uint64(i), fmt.Sprintf("k%d", i), fmt.Sprint(i))
		if _, h, err := m.Node.Submit(tx.Encode()); err != nil {
			t.Fatalf("submit to %s: %v", m.Name, err)
		} else {
			hashes = append(hashes, h)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, m := range nw.Members {
		for _, h := range hashes {
			for {
				if ok, _ := m.Node.Store.HasTx(h); ok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: tx %s not committed; heights %s", m.Name, h.Short(), nw.Heights())
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	top := nw.CheckSameChain()
	if top < 2 {
		t.Fatalf("chain too short: %d", top)
	}
	t.Logf("200 txs committed on 5 nodes by height %d", top)
}

// A chain of one validator (qian init, a lab node) decides each height on its
// own, with no message to wait for. It must still pace itself by the
// empty-block interval, feed its observers, and stop when asked: a replica
// that decided height after height inside one call did none of the three
// (found when a one-validator bench node ran on for 20 minutes after SIGTERM,
// at about 200 empty blocks per second).
func TestSingleValidatorPacesFeedsObserversAndStops(t *testing.T) {
	nw := nodetest.New(t, nodetest.Options{Validators: 1, Observers: 1})
	nw.StartAll()
	nw.WaitHeight(3, 20*time.Second)

	// Idle, one empty block per 200 ms interval: about 10 in two seconds.
	from := nw.Members[0].Node.Store.Height()
	time.Sleep(2 * time.Second)
	made := nw.Members[0].Node.Store.Height() - from
	if made < 3 || made > 20 {
		t.Fatalf("%d blocks in 2 s with a 200 ms empty-block interval, want about 10", made)
	}
	// The observer follows by consensus messages, not only by block sync.
	nw.WaitHeight(nw.Members[0].Node.Store.Height(), 5*time.Second)

	stopped := make(chan struct{})
	go func() {
		nw.Stop(0)
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the single validator did not stop within 10 s")
	}
}
