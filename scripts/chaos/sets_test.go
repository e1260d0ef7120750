package main

import (
	"context"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// header is a header of height h naming the sets of h and h+1.
func header(h uint64, cur, next *ledger.ValidatorSet) *ledger.Header {
	return &ledger.Header{Height: h, ValidatorsHash: cur.Hash(), NextValidatorsHash: next.Hash()}
}

// TestSetBookFollowsHeaders: the set of each height is the one the headers
// name, read from a node only when it changes; a node serving a set that
// does not hash to what the header names, or a header that contradicts
// what was learned, is an error.
func TestSetBookFollowsHeaders(t *testing.T) {
	_, a := testValidators(t, 4)
	_, b := testValidators(t, 5)
	ctx := context.Background()
	fetched := []uint64{}
	serve := func(s *ledger.ValidatorSet) func(context.Context, uint64) (*ledger.ValidatorSet, error) {
		return func(_ context.Context, h uint64) (*ledger.ValidatorSet, error) {
			fetched = append(fetched, h)
			return s, nil
		}
	}

	book := newSetBook(a)
	// A change approved by block 2 takes effect at 4: header 3 names it
	// as the next set.
	chain := []*ledger.Header{header(1, a, a), header(2, a, a), header(3, a, b), header(4, b, b), header(5, b, b)}
	for _, hd := range chain {
		if err := book.Learn(ctx, hd, serve(b)); err != nil {
			t.Fatalf("header %d: %v", hd.Height, err)
		}
	}
	if len(fetched) != 1 || fetched[0] != 4 {
		t.Fatalf("fetched the sets of heights %v, want only 4 (the one change)", fetched)
	}
	if got := book.Changes(); got != 1 {
		t.Fatalf("Changes() = %d, want 1", got)
	}
	if got := book.Known(); got != 6 {
		t.Fatalf("Known() = %d, want 6 (header 5 names the set of 6)", got)
	}
	for h, want := range map[uint64]*ledger.ValidatorSet{1: a, 3: a, 4: b, 6: b} {
		if got, ok := book.At(h); !ok || got.Hash() != want.Hash() {
			t.Fatalf("At(%d) = %v, %v; want the set %s", h, got, ok, want.Hash().Short())
		}
	}
	if _, ok := book.At(7); ok {
		t.Fatal("At(7) known before any header names it")
	}
	// An earlier header is checked against what was learned.
	if err := book.Learn(ctx, header(3, a, a), serve(a)); err == nil || !strings.Contains(err.Error(), "followed the chain as") {
		t.Fatalf("a header contradicting the followed sets: err = %v", err)
	}
	// A node serving a set other than the one the header names.
	book = newSetBook(a)
	if err := book.Learn(ctx, header(1, a, b), serve(a)); err == nil || !strings.Contains(err.Error(), "hashing to") {
		t.Fatalf("a served set that does not match the header: err = %v", err)
	}
	// A header beyond the known sets.
	if err := book.Learn(ctx, header(4, a, a), serve(a)); err == nil || !strings.Contains(err.Error(), "learned before") {
		t.Fatalf("a header skipping heights: err = %v", err)
	}
}

// fakeSets gives set a up to height change-1 and set b from change on,
// and nothing above top.
type fakeSets struct {
	a, b        *ledger.ValidatorSet
	change, top uint64
}

func (f *fakeSets) At(h uint64) (*ledger.ValidatorSet, bool) {
	switch {
	case h == 0 || h > f.top:
		return nil, false
	case h < f.change:
		return f.a, true
	}
	return f.b, true
}

// TestVoteBookUsesTheSetOfEachHeight: a vote is checked against the key at
// its index in the set of its height, so a rotated-away key's vote counts
// for nothing after the rotation (it is invalid) and the new key's counts;
// a vote of a height whose set is not known waits for Flush, which then
// finds a double vote among the waiting ones.
func TestVoteBookUsesTheSetOfEachHeight(t *testing.T) {
	keys, a := testValidators(t, 4)
	next, err := ledger.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	rotated := append([]ledger.Validator(nil), a.Validators...)
	rotated[1].PubKey = next.PublicKey()
	b, err := ledger.NewValidatorSet(rotated)
	if err != nil {
		t.Fatal(err)
	}
	idx := uint16(b.IndexOf(next.PublicKey()))
	old := uint16(a.IndexOf(keys[1].PublicKey()))
	sets := &fakeSets{a: a, b: b, change: 10, top: 11}
	vb := newVoteBook(testChain, sets)
	x, y := hashOf("x"), hashOf("y")

	vb.AddVote(signedVote(t, keys[1], old, ledger.Prevote, 9, 0, x), "old key before the rotation")
	vb.AddVote(signedVote(t, next, idx, ledger.Prevote, 10, 0, x), "new key after the rotation")
	vb.AddVote(signedVote(t, keys[1], old, ledger.Prevote, 11, 0, y), "old key after the rotation")
	vb.AddVote(signedVote(t, next, idx, ledger.Prevote, 12, 0, x), "new key, height not known yet")
	conflicts, invalid, votes, _, _ := vb.Result()
	if len(conflicts) != 0 {
		t.Fatalf("conflicts %v", conflicts)
	}
	if len(invalid) != 1 || !strings.Contains(invalid[0], "old key after the rotation") {
		t.Fatalf("invalid = %v, want only the old key's vote after the rotation", invalid)
	}
	if votes != 3 {
		t.Fatalf("%d votes checked, want 3 (the fourth waits)", votes)
	}
	if n := vb.Flush(); n != 1 {
		t.Fatalf("Flush() = %d waiting, want 1", n)
	}
	sets.top = 12
	vb.AddVote(signedVote(t, next, idx, ledger.Prevote, 12, 0, y), "new key, second vote at 12")
	if n := vb.Flush(); n != 0 {
		t.Fatalf("Flush() = %d waiting once height 12 is known, want 0", n)
	}
	conflicts, _, votes, _, _ = vb.Result()
	if votes != 5 || len(conflicts) != 1 {
		t.Fatalf("after the flush: %d votes, conflicts %v; want 5 votes and the double vote at 12", votes, conflicts)
	}
}
