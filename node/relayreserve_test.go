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
			_, fill := builtNode(t, tc.validators)
			if admitted := fill(); admitted != tc.admitted {
				t.Fatalf("a mempool of 8 admitted %d clients' transactions with %d validators, want %d", admitted, tc.validators, tc.admitted)
			}
		})
	}
}

// builtNode builds (does not start) the first node of a chain of
// validators, with a mempool of 8 and a relay reserve of 25 %, and returns
// it with fill, which submits a client's transactions until the mempool
// refuses one ERR_MEMPOOL_FULL and returns how many it admitted.
func builtNode(t *testing.T, validators int) (*node.Node, func() int) {
	t.Helper()
	nw := nodetest.New(t, nodetest.Options{Validators: validators})
	m := nw.Members[0]
	m.Config.Mempool.MaxTxs, m.Config.Mempool.RelayReserve = 8, 25
	// Built, not started: any free ports will do.
	m.Config.HTTP.Listen, m.Config.P2P.Listen = "127.0.0.1:0", []string{"/ip4/127.0.0.1/tcp/0"}
	n, err := node.New(node.Options{Config: m.Config, Genesis: nw.Genesis, App: nw.App(), NodeKey: m.NodeKey, ValidatorKey: m.ValKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	key, _ := ledger.GenerateKey()
	nonce := uint64(0)
	fill := func() (admitted int) {
		// A mempool of 8 that admits 64 has lost its bound: fail, not loop.
		for ; admitted < 64; nonce++ {
			_, _, err := n.Pool.Add(nodetest.KVTx(nw.Genesis.ChainID, key, nonce, fmt.Sprintf("k%d", nonce), "v").Encode())
			if mempool.CodeOf(err) == mempool.ErrMempoolFull {
				return admitted
			}
			if err != nil {
				t.Fatalf("transaction %d: %v", nonce, err)
			}
			admitted++
		}
		t.Fatalf("a mempool of 8 admitted %d transactions without refusing one", admitted)
		return admitted
	}
	return n, fill
}
