package store

import (
	"errors"
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

// TestPruneBelow: pruning below 4 deletes the blocks and results of 1-3
// (ErrPruned, naming 4 as the first block held), keeps their headers,
// certificates, app hashes, the transaction index and everything from 4
// on, survives a reopen, and refuses to prune the tip's block.
func TestPruneBelow(t *testing.T) {
	s, dir := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 6, 2)
	blk2, _ := s.Block(2)
	if err := s.PruneBelow(7); err == nil {
		t.Fatal("pruned the tip's block")
	}
	if err := s.PruneBelow(4); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var pe *PrunedError
	if _, err := s.Block(3); !errors.As(err, &pe) || pe.Lowest != 4 {
		t.Fatalf("block 3 after pruning below 4: %v", err)
	}
	if _, err := s.TxResults(2, 2); err == nil {
		t.Fatal("results of 2 kept")
	}
	if _, err := s.Tx(blk2.Txs[0].Hash()); !errors.Is(err, ErrPruned) {
		t.Fatalf("a transaction of 2: %v", err)
	}
	if ok, err := s.HasTx(blk2.Txs[0].Hash()); !ok || err != nil {
		t.Fatal("the transaction index lost a pruned height's transaction (replay protection)")
	}
	for h := uint64(1); h <= 6; h++ {
		if _, err := s.Header(h); err != nil {
			t.Fatalf("header %d: %v", h, err)
		}
		if _, err := s.Commit(h); err != nil {
			t.Fatalf("commit %d: %v", h, err)
		}
		if _, err := s.AppHash(h); err != nil {
			t.Fatalf("app hash %d: %v", h, err)
		}
	}
	for h := uint64(4); h <= 6; h++ {
		if _, err := s.Block(h); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
	}
	if s.BlockBase() != 3 {
		t.Fatalf("base %d", s.BlockBase())
	}
	if err := s.PruneBelow(2); err != nil { // already pruned: nothing to do
		t.Fatal(err)
	}
}
