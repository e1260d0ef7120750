package node_test

import (
	"fmt"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/mempool"
	"github.com/qianchain/qianchain/node/nodetest"
)

// The block a lone validator proposes leaves its clients room in the
// mempool while it is decided: a full mempool of 8 admits 8 more once a
// block of the 8 is built. One of two validators sets nothing aside (its
// peer holds the same transactions, counted). The nodes are built, not
// started; nothing commits.
func TestProposalLeavesClientsRoom(t *testing.T) {
	for _, tc := range []struct {
		validators, first, more int
	}{
		{1, 8, 8},
		{2, 6, 0}, // 25 % kept for relays
	} {
		t.Run(fmt.Sprintf("%d validators", tc.validators), func(t *testing.T) {
			nw := nodetest.New(t, nodetest.Options{Validators: tc.validators})
			m := nw.Members[0]
			m.Config.Mempool.MaxTxs, m.Config.Mempool.RelayReserve = 8, 25
			m.Config.HTTP.Listen, m.Config.P2P.Listen = "127.0.0.1:0", []string{"/ip4/127.0.0.1/tcp/0"}
			n, err := node.New(node.Options{Config: m.Config, Genesis: nw.Genesis, App: nw.App(), NodeKey: m.NodeKey, ValidatorKey: m.ValKey})
			if err != nil {
				t.Fatal(err)
			}
			defer n.Stop()
			key, _ := ledger.GenerateKey()
			nonce := uint64(0)
			fill := func() (admitted int) {
				for ; ; nonce++ {
					_, _, err := n.Pool.Add(nodetest.KVTx(nw.Genesis.ChainID, key, nonce, fmt.Sprintf("k%d", nonce), "v").Encode())
					if mempool.CodeOf(err) == mempool.ErrMempoolFull {
						return admitted
					}
					if err != nil {
						t.Fatalf("transaction %d: %v", nonce, err)
					}
					admitted++
				}
			}
			if got := fill(); got != tc.first {
				t.Fatalf("an empty mempool of 8 admitted %d, want %d", got, tc.first)
			}
			b, err := n.Chain.ProposeBlock(1, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Txs) != tc.first {
				t.Fatalf("the proposal holds %d transactions, want %d", len(b.Txs), tc.first)
			}
			if got := fill(); got != tc.more {
				t.Fatalf("with the block proposed the mempool admitted %d more, want %d", got, tc.more)
			}
		})
	}
}
