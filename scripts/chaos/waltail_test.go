package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/qianchain/qianchain/consensus/disk"
	"github.com/qianchain/qianchain/consensus/wal"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
)

// voteRecord is a driver WAL record of a received or sent vote: record
// type 0x01, then the wire message.
func voteRecord(v *ledger.Vote) []byte {
	return append([]byte{walRecMessage}, wire.Encode(&wire.Vote{Vote: v})...)
}

func TestWALTailFollowsGrowthTornTailsAndRotation(t *testing.T) {
	keys, vals := testValidators(t, 4)
	book := newVoteBook(testChain, fixedSets{vals})
	path := filepath.Join(t.TempDir(), "cs.wal")
	tail := newWALTail(path, "test WAL", book)

	// No log yet: nothing to read, no error.
	if err := tail.Poll(); err != nil {
		t.Fatal(err)
	}
	w, _, err := wal.Open(disk.OS, path)
	if err != nil {
		t.Fatal(err)
	}
	w.RotateBytes = 1 // every height marker starts a new file
	vote := func(h uint64) *ledger.Vote { return signedVote(t, keys[0], 0, ledger.Prevote, h, 0, hashOf("b")) }
	votes := func() int { _, _, n, _, _ := book.Result(); return n }

	if err := w.StartHeight(1); err != nil {
		t.Fatal(err)
	}
	for h := uint64(1); h <= 3; h++ {
		if err := w.Append(voteRecord(vote(h)), true); err != nil {
			t.Fatal(err)
		}
	}
	if err := tail.Poll(); err != nil {
		t.Fatal(err)
	}
	if n := votes(); n != 3 {
		t.Fatalf("read %d votes, want 3", n)
	}

	// A half-written frame is not read until it is whole.
	rec := voteRecord(vote(4))
	whole := frameBytes(rec)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(whole[:len(whole)-5]); err != nil {
		t.Fatal(err)
	}
	if err := tail.Poll(); err != nil {
		t.Fatal(err)
	}
	if n := votes(); n != 3 {
		t.Fatalf("read %d votes with a torn frame at the end, want 3", n)
	}
	if _, err := f.Write(whole[len(whole)-5:]); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := tail.Poll(); err != nil {
		t.Fatal(err)
	}
	if n := votes(); n != 4 {
		t.Fatalf("read %d votes once the frame is whole, want 4", n)
	}
	w.Close()

	// Rotation: records appended to the old file before the rename, and to
	// the new file after it, are all read.
	w, _, err = wal.Open(disk.OS, path)
	if err != nil {
		t.Fatal(err)
	}
	w.RotateBytes = 1
	if err := w.Append(voteRecord(vote(5)), true); err != nil {
		t.Fatal(err)
	}
	if err := w.StartHeight(6); err != nil { // rotates
		t.Fatal(err)
	}
	if err := w.Append(voteRecord(vote(6)), true); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := tail.Poll(); err != nil {
		t.Fatal(err)
	}
	if n := votes(); n != 6 {
		t.Fatalf("read %d votes across a rotation, want 6", n)
	}
	if tail.bytesRead() == 0 || tail.bad != 0 {
		t.Fatalf("bytes read %d, bad frames %d", tail.bytesRead(), tail.bad)
	}
}

// frameBytes frames a record as consensus/wal does, for writing by hand.
func frameBytes(rec []byte) []byte {
	dir, _ := os.MkdirTemp("", "frame")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "w")
	w, _, _ := wal.Open(disk.OS, p)
	_ = w.Append(rec, true)
	w.Close()
	b, _ := os.ReadFile(p)
	return b
}

// A double vote written in one validator's log and seen in another's is
// found by the tails together.
func TestWALTailsFindADoubleVote(t *testing.T) {
	keys, vals := testValidators(t, 4)
	book := newVoteBook(testChain, fixedSets{vals})
	dir := t.TempDir()
	for i, block := range []string{"a", "b"} {
		p := filepath.Join(dir, block+".wal")
		w, _, err := wal.Open(disk.OS, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Append(voteRecord(signedVote(t, keys[2], 2, ledger.Precommit, 7, 1, hashOf(block))), true); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if err := newWALTail(p, "log "+block, book).Poll(); err != nil {
			t.Fatal(err)
		}
		if c, _, _, _, _ := book.Result(); len(c) != i {
			t.Fatalf("after log %d: conflicts %v", i+1, c)
		}
	}
}
