package sigcache

import (
	"errors"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
)

func TestForgedSignatureMissesTheCache(t *testing.T) {
	c := New(10)
	tx := ledgertest.NewChain("c", 1).Tx(1, 1, []byte("x"))
	h := tx.Hash()
	if err := c.Verify(tx, h); err != nil {
		t.Fatal(err)
	}
	if !c.Contains(tx, h) {
		t.Fatal("verified tx not cached")
	}
	forged := *tx
	forged.Sig[3] ^= 1
	if err := c.Verify(&forged, forged.Hash()); !errors.Is(err, ledger.ErrBadSignature) {
		t.Fatalf("forged signature on a cached tx: %v", err)
	}
	if c.Contains(&forged, h) {
		t.Fatal("a failed verification was cached")
	}
}

func TestEvictsOldest(t *testing.T) {
	c := New(3)
	chain := ledgertest.NewChain("c", 1)
	var txs []*ledger.Tx
	for i := 0; i < 5; i++ {
		tx := chain.Tx(1, uint64(i), nil)
		txs = append(txs, tx)
		c.Add(tx, tx.Hash())
	}
	if c.Len() != 3 {
		t.Fatalf("len %d", c.Len())
	}
	for i, tx := range txs {
		if got, want := c.Contains(tx, tx.Hash()), i >= 2; got != want {
			t.Fatalf("tx %d cached=%v", i, got)
		}
	}
}

// VerifyBatch agrees with one-by-one verification: forged signatures are
// named, valid ones cached, cached ones not checked again.
func TestVerifyBatch(t *testing.T) {
	c := New(10_000)
	chain := ledgertest.NewChain("c", 1)
	var txs []*ledger.Tx
	var hashes []ledger.Hash
	for i := 0; i < 600; i++ {
		tx := chain.Tx(uint64(i%7+1), uint64(i), []byte{byte(i)})
		if i == 5 || i == 333 || i == 599 {
			tx.Sig[7] ^= 1
		}
		txs = append(txs, tx)
		hashes = append(hashes, tx.Hash())
	}
	bad := c.VerifyBatch(txs, hashes)
	if len(bad) != 3 || bad[0] != 5 || bad[1] != 333 || bad[2] != 599 {
		t.Fatalf("bad = %v", bad)
	}
	if c.Len() != 597 {
		t.Fatalf("cached %d, want 597", c.Len())
	}
	if bad := c.VerifyBatch(txs[:5], hashes[:5]); bad != nil {
		t.Fatalf("cached batch: %v", bad)
	}
}
