package node_test

import (
	"fmt"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/mempool"
	"github.com/qianchain/qianchain/node/nodetest"
)

// A validator keeps part of its mempool for other validators' relays
// (mempool.relay_reserve); a lone validator has nobody to relay to it, so
// its clients may fill the whole mempool. Nothing commits here (the nodes
// are built, not started): what the mempool takes is what it admits.
func TestRelayReserveNeedsAnotherValidator(t *testing.T) {
	for _, tc := range []struct {
		validators, admitted int
	}{
		{1, 8}, // all of max_txs
		{2, 6}, // max_txs less its 25 %
	} {
		t.Run(fmt.Sprintf("%d validators", tc.validators), func(t *testing.T) {
			nw := nodetest.New(t, nodetest.Options{Validators: tc.validators})
			m := nw.Members[0]
			m.Config.Mempool.MaxTxs, m.Config.Mempool.RelayReserve = 8, 25
			// Built, not started: any free ports will do.
			m.Config.HTTP.Listen, m.Config.P2P.Listen = "127.0.0.1:0", []string{"/ip4/127.0.0.1/tcp/0"}
			n, err := node.New(node.Options{Config: m.Config, Genesis: nw.Genesis, App: nw.App(), NodeKey: m.NodeKey, ValidatorKey: m.ValKey})
			if err != nil {
				t.Fatal(err)
			}
			defer n.Stop()
			key, _ := ledger.GenerateKey()
			admitted := 0
			for i := 0; i < 10; i++ {
				_, _, err := n.Pool.Add(nodetest.KVTx(nw.Genesis.ChainID, key, uint64(i), fmt.Sprintf("k%d", i), "v").Encode())
				switch {
				case err == nil:
					admitted++
				case mempool.CodeOf(err) != mempool.ErrMempoolFull:
					t.Fatalf("transaction %d: %v", i, err)
				}
			}
			if admitted != tc.admitted {
				t.Fatalf("a mempool of 8 admitted %d clients' transactions with %d validators, want %d", admitted, tc.validators, tc.admitted)
			}
		})
	}
}
