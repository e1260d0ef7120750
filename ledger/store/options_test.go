package store

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/sstable"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
)

// TestBottomLevelTables: once compacted, a store's random-keyed tables (the
// transaction index, the state) sit on the bottom level, rewritten there
// Zstandard-compressed and without a Bloom filter (which Pebble's point
// reads never consult there): what keeps a compacted store within twice
// its transactions' size (docs/benchmarks.md, "Disk"). Height-ordered
// tables that overlap nothing below them (results, headers) move down as
// they were written.
func TestBottomLevelTables(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	// Two flushes whose tables overlap (the transaction index's keys are
	// hashes), as a running node's do, so that compacting them writes new
	// tables rather than moving one down.
	commitN(t, s, c, 10, 50)
	if err := s.db.Flush(); err != nil {
		t.Fatal(err)
	}
	commitN(t, s, c, 10, 50)
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	levels, err := s.db.SSTables(pebble.WithProperties())
	if err != nil {
		t.Fatal(err)
	}
	// zstdLevel1 is borrowed from Pebble's Balanced profile; hold it to
	// what its name says should Pebble change that profile.
	if got := zstdLevel1.String(); got != "ZSTD1" {
		t.Errorf("zstdLevel1 is %s, want ZSTD1", got)
	}
	bottom := levels[len(levels)-1]
	if len(bottom) == 0 {
		t.Fatal("no table on the bottom level after a compaction")
	}
	rewritten := 0
	for _, tab := range bottom {
		if k := tab.Smallest.UserKey; len(k) == 0 || (k[0] != prefixTx && k[0] != prefixState) {
			continue
		}
		rewritten++
		if p := tab.Properties; p.CompressionName != bottomProfile.Name || p.FilterPolicyName != "" {
			t.Errorf("bottom-level table %s: compression %q, filter %q; want %s and none", tab.FileNum, p.CompressionName, p.FilterPolicyName, bottomProfile.Name)
		}
	}
	if rewritten == 0 {
		t.Fatal("no table of the transaction index or the state on the bottom level")
	}
}

// TestBlockBodiesInBlobFiles: a block's body, of blobMinimumSize or more,
// goes to a blob file at flush, and compactions move only the reference to
// it: the body is written once. Blocks read back the same from the
// memtable, from the blob file and after a full compaction.
func TestBlockBodiesInBlobFiles(t *testing.T) {
	s, dir := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 6, 50)
	want := blockEncodings(t, s)
	if len(want[1]) < blobMinimumSize {
		t.Fatalf("a block of 50 transactions is %d bytes, under the %d of a blob value: the test proves nothing", len(want[1]), blobMinimumSize)
	}
	if err := s.db.Flush(); err != nil {
		t.Fatal(err)
	}
	blobs := blobFiles(t, dir)
	if len(blobs) == 0 {
		t.Fatal("no blob file after a flush of blocks over the blob minimum")
	}
	commitN(t, s, c, 6, 50)
	sameBlocks(t, s, want, "after their flush")
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := blobFiles(t, dir)
	for _, f := range blobs {
		if !slices.Contains(after, f) {
			t.Errorf("blob file %s was rewritten by the compaction: block bodies should be written once", f)
		}
	}
	sameBlocks(t, s, want, "after a full compaction")
}

// TestOpenUpgradesOlderStores: a store written by a release before blob
// files (Pebble's oldest format, no columnar blocks) opens, is raised to the
// blob-file format and reads back what it held; its new blocks go to blob
// files; and the earlier release's options still open it afterwards.
func TestOpenUpgradesOlderStores(t *testing.T) {
	dir := t.TempDir()
	old := DefaultPebbleOptions()
	defer old.Cache.Unref()
	old.FormatMajorVersion = pebble.FormatMinSupported
	old.Experimental.EnableColumnarBlocks = nil
	old.Experimental.ValueSeparationPolicy = nil
	for i := range old.Levels[:len(old.Levels)-1] {
		old.Levels[i].Compression = func() *sstable.CompressionProfile { return sstable.SnappyCompression }
	}
	// Earlier releases wrote the bottom level at Zstandard level 3.
	old.Levels[len(old.Levels)-1].Compression = func() *sstable.CompressionProfile { return sstable.ZstdCompression }
	s, err := Open(dir, &Options{Pebble: old})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InitGenesis(ledger.Hash{0x9e}, testSet(), nil, ledger.Hash{0xa0}); err != nil {
		t.Fatal(err)
	}
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 4, 50)
	want := blockEncodings(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(blobFiles(t, dir)); n != 0 {
		t.Fatalf("the old-format store has %d blob files", n)
	}

	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if got := s.db.FormatMajorVersion(); got < pebble.FormatValueSeparation {
		t.Fatalf("format after reopening: %s; want at least %s", got, pebble.FormatValueSeparation)
	}
	sameBlocks(t, s, want, "after the upgrade")
	commitN(t, s, c, 4, 50)
	if err := s.db.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(blobFiles(t, dir)) == 0 {
		t.Fatal("no blob file for the blocks committed after the upgrade")
	}
	want = blockEncodings(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// An earlier release (the same Pebble, its older options) still opens
	// the raised store and reads the blocks in blob files.
	s, err = Open(dir, &Options{Pebble: old})
	if err != nil {
		t.Fatalf("an earlier release's options cannot open the raised store: %v", err)
	}
	sameBlocks(t, s, want, "under the earlier options")
}

// sameBlocks fails unless s holds exactly the blocks of want.
func sameBlocks(t *testing.T, s *Store, want map[uint64][]byte, when string) {
	t.Helper()
	for h, b := range want {
		got, err := s.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Encode(), b) {
			t.Fatalf("block %d reads back different %s", h, when)
		}
	}
}

// blockEncodings reads every block of s.
func blockEncodings(t *testing.T, s *Store) map[uint64][]byte {
	t.Helper()
	out := map[uint64][]byte{}
	for h := uint64(1); h <= s.Height(); h++ {
		b, err := s.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		out[h] = b.Encode()
	}
	return out
}

// blobFiles lists the blob files in a store's directory.
func blobFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.blob"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLargeStateValuesStayInPlace: a state value over blobMinimumSize (a
// large payload's record) stays in its table, so execution's point lookup
// of it never reads a blob file; only block bodies are separated.
func TestLargeStateValuesStayInPlace(t *testing.T) {
	s, dir := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	big := bytes.Repeat([]byte("epcis event record "), 1000) // 19,000 bytes
	blk, cmt := c.Next(nil)
	app := ledger.Sum([]byte("app"))
	if err := s.CommitBlock(&Committed{Block: blk, Commit: cmt, AppHash: app,
		Writes: []Write{{Key: []byte("lot/big"), Value: big}}}); err != nil {
		t.Fatal(err)
	}
	if n := len(blk.Encode()); n >= blobMinimumSize {
		t.Fatalf("an empty block is %d bytes, over the blob minimum: the test proves nothing", n)
	}
	if err := s.db.Flush(); err != nil {
		t.Fatal(err)
	}
	if f := blobFiles(t, dir); len(f) != 0 {
		t.Fatalf("a %d-byte state value went to blob files %v", len(big), f)
	}
	got, err := s.Get([]byte("lot/big"))
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("state value reads back %d bytes, err %v", len(got), err)
	}
}

// TestFlushKeepsTablesApart: a flush writes no sstable that spans two of the
// spans tablePolicy keeps apart (blocks, results, state, transaction index,
// the rest), so that a point lookup in one table never consults another's L0
// tables and the height-ordered results can move down without a rewrite.
func TestFlushKeepsTablesApart(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 6, 50) // blocks, results, index, headers, and one state write a height
	if err := s.db.Flush(); err != nil {
		t.Fatal(err)
	}
	levels, err := s.db.SSTables()
	if err != nil {
		t.Fatal(err)
	}
	// The spans, written out here rather than taken from tableSplits, so
	// that a split dropped there fails the test.
	splits := []byte{prefixBlock, prefixBlock + 1, prefixResult, prefixState, prefixTx, prefixTx + 1}
	span := func(k []byte) int {
		for i, b := range splits {
			if k[0] < b {
				return i
			}
		}
		return len(splits)
	}
	seen := map[int]bool{}
	for _, level := range levels {
		for _, tab := range level {
			lo, hi := span(tab.Smallest.UserKey), span(tab.Largest.UserKey)
			if lo != hi {
				t.Errorf("table %s spans %q to %q: two tables' keys in one sstable", tab.FileNum, tab.Smallest.UserKey[:1], tab.Largest.UserKey[:1])
			}
			seen[lo] = true
		}
	}
	// The flush held keys of every span: results, state, index and the
	// rest each got their own sstable (the blocks' too, with its bodies in a
	// blob file).
	for _, p := range []byte{prefixResult, prefixState, prefixTx, prefixValidators} {
		if !seen[span([]byte{p})] {
			t.Errorf("no sstable of the span holding %q after the flush", p)
		}
	}
}

// TestL0GathersFlushesBeforeCompacting: seven flushes of random-keyed
// tables stay in L0, seven sublevels deep, rather than being compacted into
// the base level (Pebble's default threshold of 4 starts a compaction at a
// depth of 2, the earlier setting of 8 at a depth of 4; 16 waits for 8):
// each compaction out of L0 then carries more flushed bytes through its
// rewrite of the base level's tables.
func TestL0GathersFlushesBeforeCompacting(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	const flushes = 7
	for i := 0; i < flushes; i++ {
		commitN(t, s, c, 5, 50) // the transaction index's keys are hashes: each flush spans them all
		if err := s.db.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	// A compaction, if any, is scheduled as a flush completes; wait it out.
	deadline := time.Now().Add(10 * time.Second)
	for s.db.Metrics().Compact.NumInProgress > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if m := s.db.Metrics(); m.Levels[0].Sublevels != flushes {
		t.Fatalf("L0 is %d sublevels deep after %d flushes (%d tables, %d compactions); want %d, not compacted",
			m.Levels[0].Sublevels, flushes, m.Levels[0].TablesCount, m.Compact.Count, flushes)
	}
}
