package store

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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
	if err := s.db.Flush(); err != nil {
		t.Fatal(err)
	}
	blobs = blobFiles(t, dir) // and the second flush's
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, f := range blobFiles(t, dir) {
		if !slices.Contains(blobs, f) {
			t.Errorf("the compaction wrote blob file %s: block bodies should be written once", f)
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
// large payload's object) stays in its table, so execution's point lookup
// of it never reads a blob file; only the block's body and the prefixes of
// Options.SeparatedState are separated.
func TestLargeStateValuesStayInPlace(t *testing.T) {
	big := bytes.Repeat([]byte("epcis event object "), 1000) // 19,000 bytes
	rec := bytes.Repeat([]byte("r"), 300)
	// The same block and writes in a store that separates t/e/ and in one
	// that separates nothing: the blob files' values differ by the record
	// alone (both hold the block's body).
	blobValues := func(opt *Options) uint64 {
		s := openWith(t, t.TempDir(), opt)
		c := ledgertest.NewChain("qian-test", 4)
		blk, cmt := c.Next(nil)
		if err := s.CommitBlock(&Committed{Block: blk, Commit: cmt, AppHash: ledger.Sum([]byte("app")),
			Writes: []Write{{Key: []byte("t/o/big"), Value: big}, {Key: []byte("t/e/rec"), Value: rec}}}); err != nil {
			t.Fatal(err)
		}
		if err := s.db.Flush(); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string][]byte{"t/o/big": big, "t/e/rec": rec} {
			got, err := s.Get([]byte(k))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s reads back %d bytes, err %v", k, len(got), err)
			}
		}
		return s.db.Metrics().BlobFiles.ReferencedValueSize
	}
	with, without := blobValues(&Options{SeparatedState: [][]byte{[]byte("t/e/")}}), blobValues(nil)
	if with != without+uint64(len(rec)) {
		t.Fatalf("blob files hold %d bytes of values separating t/e/ and %d separating nothing; want a difference of the %d-byte record (the %d-byte object stays in place)", with, without, len(rec), len(big))
	}
}

// TestSeparatedRecordsWrittenOnce: the values under a prefix of
// Options.SeparatedState go to blob files at flush, random-keyed as they
// are, and a full compaction of several flushes moves only references to
// them: no blob file is rewritten. They read back the same from the
// memtable, the blob files and after the compaction.
func TestSeparatedRecordsWrittenOnce(t *testing.T) {
	dir := t.TempDir()
	s := openWith(t, dir, &Options{SeparatedState: [][]byte{[]byte("n/a/"), []byte("t/e/")}})
	c := ledgertest.NewChain("qian-test", 4)
	want := map[string][]byte{}
	var recordBytes uint64
	// Twelve flushes: a compaction of them all carries references twelve
	// blob files deep, over the limit of 10 block bodies alone would do with.
	for h := 1; h <= 12; h++ {
		var w []Write
		for i := 0; i < 50; i++ {
			id := ledger.Sum([]byte(fmt.Sprint(h, i)))
			v := bytes.Repeat([]byte{byte(h), byte(i)}, 150) // 300 bytes
			prefix := []string{"t/e/", "n/a/"}[i%2]
			w = append(w, Write{Key: append([]byte(prefix), id[:]...), Value: v})
			recordBytes += uint64(len(v))
			want[string(w[len(w)-1].Key)] = v
		}
		blk, cmt := c.Next(nil)
		app := ledger.Sum([]byte(fmt.Sprint("app", h)))
		if err := s.CommitBlock(&Committed{Block: blk, Commit: cmt, AppHash: app, Writes: w}); err != nil {
			t.Fatal(err)
		}
		c.SetAppHash(app)
		if h == 3 {
			sameState(t, s, want, "from the memtable")
		}
		if err := s.db.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if v := s.db.Metrics().BlobFiles.ReferencedValueSize; v < recordBytes {
		t.Fatalf("blob files hold %d bytes of values, under the records' %d", v, recordBytes)
	}
	sameState(t, s, want, "after their flushes")
	blobs := blobFiles(t, dir)
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A compaction that rewrote values would have written new blob files
	// (the old ones may linger until Pebble deletes them).
	for _, f := range blobFiles(t, dir) {
		if !slices.Contains(blobs, f) {
			t.Errorf("the compaction wrote blob file %s: records should be written once", f)
		}
	}
	if n := s.db.Metrics().BlobFiles.ReferencedValueSize; n < recordBytes {
		t.Fatalf("after the compaction blob files hold %d bytes of values, under the records' %d", n, recordBytes)
	}
	sameState(t, s, want, "after a full compaction")
}

func sameState(t *testing.T, s *Store, want map[string][]byte, when string) {
	t.Helper()
	for k, v := range want {
		got, err := s.Get([]byte(k))
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("%s: %x reads back %d bytes, err %v", when, k, len(got), err)
		}
	}
}

// TestSpanPolicy: the spans a store cuts its keys into, and where each
// keeps its values, with two separated state prefixes given out of order,
// one nested in another's span, one twice and an empty one.
func TestSpanPolicy(t *testing.T) {
	f := spanPolicy([][]byte{[]byte("t/e/"), []byte("n/a/"), []byte("n/a/x/"), nil, []byte("t/e/")})
	// Walked from the first key, the spans follow one another to the end.
	var ends []string
	for start := []byte{}; ; {
		_, end, err := f(start)
		if err != nil || (end != nil && bytes.Compare(end, start) <= 0) {
			t.Fatalf("span from %q ends at %q (%v)", start, end, err)
		}
		if end == nil {
			break
		}
		ends, start = append(ends, string(end)), end
	}
	if got := strings.Join(ends, " "); got != "b c r s sn/a/ sn/a0 st/e/ st/e0 t u" {
		t.Errorf("spans end at %s", got)
	}
	for _, c := range []struct {
		start, end string
		separated  bool
	}{
		{"", "b", false},
		{"a", "b", false},
		{"b\x00", "c", true}, // block bodies
		{"c", "r", false},
		{"r", "s", false},
		{"s", "sn/a/", false},
		{"sm/o/1", "sn/a/", false},
		{"sn/a/", "sn/a0", true},
		{"sn/a/x/1", "sn/a0", true},
		{"sn/a0", "st/e/", false},
		{"st/e/\xff", "st/e0", true},
		{"st/e0", "t", false},
		{"st/o/1", "t", false},
		{"t", "u", false},
		{"u", "", false},
	} {
		start := []byte(c.start)
		p, end, err := f(start)
		if err != nil || string(end) != c.end || (p.ValueStoragePolicy == pebble.ValueStorageDefault) != c.separated {
			t.Errorf("span from %q: ends at %q, separated %v (%v); want %q, %v", start, end, p.ValueStoragePolicy == pebble.ValueStorageDefault, err, c.end, c.separated)
		}
	}
}

// TestFlushKeepsTablesApart: a flush writes no sstable that spans two of the
// spans spanPolicy keeps apart (blocks, results, state, transaction index,
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
