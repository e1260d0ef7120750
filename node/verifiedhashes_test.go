package node

import (
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// Executing a decided block takes the transaction hashes computed when this
// node validated that same block, and only that block: another block, even
// an equal one, and a list of another length get none (the executor then
// hashes the transactions itself).
func TestVerifiedHashesOnlyForTheValidatedBlock(t *testing.T) {
	txs := []*ledger.Tx{{ChainID: "qian-test", Nonce: 1}, {ChainID: "qian-test", Nonce: 2}}
	b := &ledger.Block{Txs: txs}
	hashes := []ledger.Hash{txs[0].Hash(), txs[1].Hash()}
	var c Chain
	if got := c.verifiedHashes(b); got != nil {
		t.Fatalf("nothing validated yet, got %d hashes", len(got))
	}
	c.verified.Store(&verifiedTxs{block: b, hashes: hashes})
	if got := c.verifiedHashes(b); len(got) != 2 || got[1] != hashes[1] {
		t.Fatalf("the validated block: got %v, want %v", got, hashes)
	}
	if got := c.verifiedHashes(&ledger.Block{Txs: txs}); got != nil {
		t.Fatal("an equal block that is not the one validated got its hashes")
	}
	c.verified.Store(&verifiedTxs{block: b, hashes: hashes[:1]})
	if got := c.verifiedHashes(b); got != nil {
		t.Fatal("a list of another length was handed over")
	}
}
