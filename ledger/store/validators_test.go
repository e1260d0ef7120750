package store

import (
	"errors"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
)

// testSet is a one-validator set for stores whose sets do not matter.
func testSet() *ledger.ValidatorSet { return ledgertest.NewChain("qian-test", 1).Validators }

// The set history: genesis from height 1, a change scheduled by block h
// recorded for h+2 in the same batch as block h, and each height answered
// with the set in force, up to tip+2 and no further.
func TestValidatorSetHistory(t *testing.T) {
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	lc := ledgertest.NewChain("qian-test", 3)
	if err := s.InitGenesis(lc.Identity.GenesisHash(), lc.Validators, nil, ledger.Hash{}); err != nil {
		t.Fatal(err)
	}
	other := ledgertest.NewChain("qian-test", 4).Validators
	for h := uint64(1); h <= 4; h++ {
		blk, cmt := lc.Next(nil)
		c := &Committed{Block: blk, Commit: cmt, Results: [][]byte{}}
		if h == 2 {
			c.NextValidators = other // takes effect at 4
		}
		if err := s.CommitBlock(c); err != nil {
			t.Fatal(err)
		}
	}
	for h, want := range map[uint64]*ledger.ValidatorSet{1: lc.Validators, 3: lc.Validators, 4: other, 6: other} {
		got, err := s.ValidatorSet(h)
		if err != nil || got.Hash() != want.Hash() {
			t.Fatalf("height %d: %v %v", h, got, err)
		}
	}
	for _, h := range []uint64{0, 7} {
		if _, err := s.ValidatorSet(h); !errors.Is(err, ErrNotFound) {
			t.Fatalf("height %d (tip 4): %v", h, err)
		}
	}
	spans, err := s.ValidatorSets(1, ^uint64(0))
	if err != nil || len(spans) != 2 || spans[0].From != 1 || spans[1].From != 4 || spans[1].Set.Hash() != other.Hash() {
		t.Fatalf("spans %+v %v", spans, err)
	}
	if spans, err := s.ValidatorSets(2, 3); err != nil || len(spans) != 0 {
		t.Fatalf("no transition in 2..3: %+v %v", spans, err)
	}
	if hs, err := s.ValidatorChanges(2, 6); err != nil || len(hs) != 1 || hs[0] != 4 {
		t.Fatalf("changes in 2..6: %v %v", hs, err)
	}
}
