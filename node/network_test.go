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
