package store

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
)

// TestResultsStoredWithoutHash: a result is stored without its
// transaction's 32-byte hash and read back whole, by hash (Tx) and by
// height (TxResults); a result that does not begin with its transaction's
// hash is refused and nothing of its block is written.
func TestResultsStoredWithoutHash(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 2, 3)
	blk, _ := s.Block(2)
	for i, tx := range blk.Txs {
		want := leaf(tx, "ok")
		raw, err := s.get(resultKey(2, uint32(i)))
		if err != nil || string(raw) != "ok" {
			t.Fatalf("result 2/%d stored as %q (%v), want %q: the leaf without the hash", i, raw, err, "ok")
		}
		if at, err := s.Tx(tx.Hash()); err != nil || !bytes.Equal(at.Result, want) {
			t.Fatalf("result 2/%d read as %x (%v), want the leaf %x", i, at.Result, err, want)
		}
	}
	rs, err := s.TxResults(2, 3)
	if err != nil || len(rs) != 3 || !bytes.Equal(rs[2], leaf(blk.Txs[2], "ok")) {
		t.Fatalf("results of 2: %x %v", rs, err)
	}

	tx := c.Tx(1, 9_999, []byte("x"))
	b3, c3 := c.Next([]*ledger.Tx{tx})
	other := leaf(c.Tx(2, 9_998, []byte("y")), "ok")
	if err := s.CommitBlock(&Committed{Block: b3, Commit: c3, Results: [][]byte{other}}); err == nil || s.Height() != 2 {
		t.Fatalf("another transaction's leaf: err %v, height %d", err, s.Height())
	}
	if ok, _ := s.HasTx(tx.Hash()); ok {
		t.Fatal("a refused block's transaction was indexed")
	}
}

// toFormat4 rewrites s as a format 4 store would hold it: every result
// whole (its transaction's hash first) and format 4 recorded, with the
// writes of that encoding.
func toFormat4(t *testing.T, s *Store) {
	t.Helper()
	b := s.db.NewBatch()
	for h := s.BlockBase() + 1; h <= s.Height(); h++ {
		blk, err := s.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		for i, tx := range blk.Txs {
			v, err := s.get(resultKey(h, uint32(i)))
			if err != nil {
				t.Fatal(err)
			}
			txh := tx.Hash()
			_ = b.Set(resultKey(h, uint32(i)), append(txh[:], v...), nil)
		}
	}
	_ = b.Set(keyFormat, u64(4), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

// TestOpenConvertsFormat4: a format 4 store (results whole) opened for
// writing is converted to format 5 and reads as before, pruned heights
// left alone; a conversion stopped between two batches goes on from where
// it stopped; opened read-only, a format 4 store is refused as
// convertible and left as it was.
func TestOpenConvertsFormat4(t *testing.T) {
	build := func(t *testing.T) (string, [][][]byte) {
		s, dir := openTemp(t)
		c := ledgertest.NewChain("qian-test", 4)
		commitN(t, s, c, 8, 5)
		if err := s.PruneBelow(3); err != nil {
			t.Fatal(err)
		}
		want := make([][][]byte, 9)
		for h := uint64(3); h <= 8; h++ {
			want[h], _ = s.TxResults(h, 5)
		}
		toFormat4(t, s)
		s.Close()
		return dir, want
	}
	// check opens dir, which a conversion should take from height from on.
	check := func(t *testing.T, dir string, want [][][]byte, from string) {
		t.Helper()
		var log bytes.Buffer
		s, err := Open(dir, &Options{Log: slog.New(slog.NewTextHandler(&log, nil))})
		if err != nil {
			t.Fatalf("open a format 4 store: %v", err)
		}
		defer s.Close()
		if !strings.Contains(log.String(), "from_height="+from+" to_height=8") || !strings.Contains(log.String(), "converted to format 5") {
			t.Errorf("the conversion logged %q", log.String())
		}
		if v, _ := s.get(keyFormat); !bytes.Equal(v, u64(Format)) {
			t.Fatalf("format after the conversion: %x", v)
		}
		if _, err := s.get(keyMigrate); !errors.Is(err, ErrNotFound) {
			t.Fatalf("conversion progress kept: %v", err)
		}
		for h := uint64(3); h <= 8; h++ {
			got, err := s.TxResults(h, 5)
			if err != nil {
				t.Fatalf("results of %d: %v", h, err)
			}
			for i := range got {
				raw, _ := s.get(resultKey(h, uint32(i)))
				if !bytes.Equal(got[i], want[h][i]) || len(raw) != len(want[h][i])-ledger.HashSize {
					t.Fatalf("result %d/%d: read %x, stored %x, want %x", h, i, got[i], raw, want[h][i])
				}
			}
		}
		if _, err := s.Block(2); !errors.Is(err, ErrPruned) {
			t.Fatalf("block 2 after the conversion: %v", err)
		}
	}

	t.Run("whole", func(t *testing.T) {
		dir, want := build(t)
		po := DefaultPebbleOptions()
		po.ReadOnly = true
		_, err := Open(dir, &Options{Pebble: po})
		po.Cache.Unref()
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Found != 4 || !fe.Convertible {
			t.Fatalf("read-only open of a format 4 store: %v", err)
		}
		check(t, dir, want, "3")
	})
	t.Run("resumed", func(t *testing.T) {
		dir, want := build(t)
		// What a conversion killed after its batch of heights 3-5 leaves.
		db, err := pebble.Open(dir, &pebble.Options{Logger: quietLogger{}})
		if err != nil {
			t.Fatal(err)
		}
		raw := &Store{db: db}
		b := db.NewBatch()
		for h := uint64(3); h <= 5; h++ {
			for i := range 5 {
				v, _ := raw.get(resultKey(h, uint32(i)))
				_ = b.Set(resultKey(h, uint32(i)), v[ledger.HashSize:], nil)
			}
		}
		_ = b.Set(keyMigrate, u64(5), nil)
		if err := b.Commit(pebble.Sync); err != nil {
			t.Fatal(err)
		}
		db.Close()
		check(t, dir, want, "6")
	})
}
