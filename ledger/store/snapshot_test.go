package store

import (
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
)

// TestStateViewIsConsistent: a view opened at height 3 reads the state and
// transaction index of 3 while the store commits 4 and 5 (which add keys
// and transactions): what lets a running node make a snapshot.
func TestStateViewIsConsistent(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 3, 2)
	v, err := s.StateView()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	commitN(t, s, c, 2, 2)
	var keys, txs int
	if err := v.State(func(k, _ []byte) error { keys++; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := v.Txs(func(_ ledger.Hash, h uint64, _ uint32) error {
		if h > 3 {
			t.Fatalf("the view of 3 shows a transaction of %d", h)
		}
		txs++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if v.Height != 3 || keys != 1+3 || txs != 3*2 {
		t.Fatalf("view at %d: %d keys, %d transactions", v.Height, keys, txs)
	}
}

// TestGetKeepsEmptyValuesPresent: a key set to the empty value reads as
// present (non-nil), as the contracts' Store contract says: the executor's
// state digest removes such an entry when a block rewrites or deletes it,
// and read it as absent before (a snapshot of a contracts chain then failed
// its digest check).
func TestGetKeepsEmptyValuesPresent(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.InitGenesis(ledger.Hash{1}, testSet(), []Write{{Key: []byte("m/k/farm"), Value: []byte{}}}, ledger.Hash{2}); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get([]byte("m/k/farm")); err != nil || v == nil || len(v) != 0 {
		t.Fatalf("present empty value read as %v, %v", v, err)
	}
	if v, err := s.Get([]byte("m/k/absent")); err != nil || v != nil {
		t.Fatalf("absent key read as %v, %v", v, err)
	}
}
