package node_test

import (
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/nodetest"
)

// TestProposerPacesHeights: with consensus.min_block_interval set, a chain
// under a steady trickle of transactions makes heights no closer than the
// interval (a header's time is taken when the proposer builds the block,
// after it waited, and the last commit was stored after the previous
// header's time).
func TestProposerPacesHeights(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a validator")
	}
	const interval = 300 * time.Millisecond
	nw := nodetest.New(t, nodetest.Options{Validators: 1})
	nw.Members[0].Config.Consensus.MinBlockInterval = interval
	nw.StartAll()
	nw.WaitHeight(1, 20*time.Second)
	n := nw.Members[0].Node
	k, _ := ledger.GenerateKey()
	start := n.Store.Height()
	for i := 0; n.Store.Height() < start+6; i++ {
		if i > 1000 {
			t.Fatal("the chain did not reach 6 more heights")
		}
		tx := &ledger.Tx{ChainID: nw.Genesis.ChainID, Nonce: uint64(i), Contract: "kv", Method: "put", Payload: []byte("k=v")}
		_ = tx.Sign(k)
		if _, _, err := n.Submit(tx.Encode()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var prev int64
	for h := start + 1; h <= n.Store.Height(); h++ {
		hdr, err := n.Store.Header(h)
		if err != nil {
			t.Fatal(err)
		}
		if prev != 0 && hdr.Time-prev < int64(interval) {
			t.Errorf("height %d (%d txs) %d ms after the one before, want at least %d", h, hdr.TxCount, (hdr.Time-prev)/1e6, interval.Milliseconds())
		}
		prev = hdr.Time
	}
}
