package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
)

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	return openWith(t, dir, nil), dir
}

// openWith opens the store in dir with opt, closed when the test ends,
// and initialises its genesis.
func openWith(t testing.TB, dir string, opt *Options) *Store {
	t.Helper()
	s, err := Open(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.InitGenesis(ledger.Hash{0x9e}, testSet(), []Write{{Key: []byte("founder"), Value: []byte("farm")}}, ledger.Hash{0xa0}); err != nil {
		t.Fatal(err)
	}
	return s
}

// leaf is a result as the store takes it: the transaction's hash, then
// rest (results.go).
func leaf(tx *ledger.Tx, rest string) []byte {
	h := tx.Hash()
	return append(h[:], rest...)
}

// leaves is leaf for each of txs.
func leaves(txs []*ledger.Tx, rest string) [][]byte {
	out := make([][]byte, len(txs))
	for i, tx := range txs {
		out[i] = leaf(tx, rest)
	}
	return out
}

// commitN commits n blocks of txsPerBlock transactions each; block h writes
// state key "k/h" and the results leaf(tx, "ok").
func commitN(t testing.TB, s *Store, c *ledgertest.Chain, n, txsPerBlock int) {
	t.Helper()
	for i := 0; i < n; i++ {
		h := c.Height() + 1
		var txs []*ledger.Tx
		var results [][]byte
		for j := 0; j < txsPerBlock; j++ {
			txs = append(txs, c.Tx(uint64(j%5+1), h*1000+uint64(j), []byte(fmt.Sprintf("payload %d/%d", h, j))))
			results = append(results, leaf(txs[j], "ok"))
		}
		blk, cmt := c.Next(txs)
		app := ledger.Sum([]byte(fmt.Sprint("app", h)))
		err := s.CommitBlock(&Committed{Block: blk, Commit: cmt, Results: results,
			Writes: []Write{{Key: []byte(fmt.Sprintf("k/%d", h)), Value: []byte(fmt.Sprint(h))}}, AppHash: app})
		if err != nil {
			t.Fatal(err)
		}
		c.SetAppHash(app)
	}
}

func TestCommitAndRead(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 5, 3)

	if s.Height() != 5 {
		t.Fatalf("height %d", s.Height())
	}
	for h := uint64(1); h <= 5; h++ {
		blk, err := s.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		if blk.Header.Height != h || len(blk.Txs) != 3 {
			t.Fatalf("block %d: %+v", h, blk.Header)
		}
		cmt, err := s.Commit(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := cmt.Verify(c.Identity, c.Validators, h, blk.Hash()); err != nil {
			t.Fatal(err)
		}
		byHash, err := s.BlockByHash(blk.Hash())
		if err != nil || byHash.Header.Height != h {
			t.Fatalf("by hash: %v", err)
		}
		for i, tx := range blk.Txs {
			at, err := s.Tx(tx.Hash())
			if err != nil {
				t.Fatal(err)
			}
			if at.Height != h || at.Pos != uint32(i) || string(at.Result) != string(leaf(tx, "ok")) {
				t.Fatalf("tx at %d/%d: %+v", h, i, at)
			}
			if ok, _ := s.HasTx(tx.Hash()); !ok {
				t.Fatal("HasTx false for a committed tx")
			}
		}
	}
	if ok, _ := s.HasTx(ledger.Hash{1}); ok {
		t.Fatal("HasTx true for an unknown tx")
	}
	if _, err := s.Block(6); !errors.Is(err, ErrNotFound) {
		t.Fatalf("block 6: %v", err)
	}
	if app, _ := s.AppHash(0); app != (ledger.Hash{0xa0}) {
		t.Fatal("genesis app hash")
	}
	if v, _ := s.Get([]byte("founder")); string(v) != "farm" {
		t.Fatalf("genesis state %q", v)
	}
	if v, err := s.Get([]byte("absent")); v != nil || err != nil {
		t.Fatalf("absent key: %q %v", v, err)
	}
	var keys []string
	if err := s.Iterate([]byte("k/"), []byte("k0"), func(k, v []byte) bool {
		keys = append(keys, string(k)+"="+string(v))
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, ",") != "k/1=1,k/2=2,k/3=3,k/4=4,k/5=5" {
		t.Fatalf("iterate: %v", keys)
	}
	keys = nil
	_ = s.Iterate(nil, nil, func(k, v []byte) bool { keys = append(keys, string(k)); return len(keys) < 2 })
	if len(keys) != 2 || keys[0] != "founder" {
		t.Fatalf("iterate all, stop early: %v", keys)
	}
}

func TestCommitRefusesOutOfOrderAndMismatched(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	b1, c1 := c.Next(nil)
	b2, c2 := c.Next(nil)
	if err := s.CommitBlock(&Committed{Block: b2, Commit: c2}); err == nil {
		t.Fatal("height 2 before height 1 accepted")
	}
	if err := s.CommitBlock(&Committed{Block: b1, Commit: c2}); err == nil {
		t.Fatal("a commit for another block accepted")
	}
	if err := s.CommitBlock(&Committed{Block: b1, Commit: c1, Results: [][]byte{{1}}}); err == nil {
		t.Fatal("result count mismatch accepted")
	}
	if s.Height() != 0 {
		t.Fatal("a refused commit moved the tip")
	}
	if err := s.InitGenesis(ledger.Hash{}, testSet(), nil, ledger.Hash{}); err == nil {
		t.Fatal("second genesis accepted")
	}
}

func TestReopenKeepsTip(t *testing.T) {
	s, dir := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 3, 2)
	s.Close()
	s2, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.Height() != 3 {
		t.Fatalf("reopened at %d", s2.Height())
	}
	if g, _ := s2.GenesisHash(); g != (ledger.Hash{0x9e}) {
		t.Fatal("genesis hash lost")
	}
}

// Corrupting any stored byte of a block or commit gives an error naming the
// height, never a block.
func TestCorruptedEntriesAreDetected(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 4, 2)

	flip := func(key []byte, off int) (restore func()) {
		v, err := s.get(key)
		if err != nil {
			t.Fatal(err)
		}
		bad := append([]byte(nil), v...)
		bad[off%len(bad)] ^= 0x01
		if err := s.db.Set(key, bad, pebble.Sync); err != nil {
			t.Fatal(err)
		}
		return func() { _ = s.db.Set(key, v, pebble.Sync) }
	}
	blockLen := func() int { v, _ := s.get(heightKey(prefixBlock, 3)); return len(v) }()
	for off := 0; off < blockLen; off += 7 {
		restore := flip(heightKey(prefixBlock, 3), off)
		blk, err := s.Block(3)
		var ce *CorruptionError
		if !errors.As(err, &ce) || ce.Height != 3 || blk != nil {
			t.Fatalf("flip byte %d of block 3: got block=%v err=%v", off, blk != nil, err)
		}
		restore()
	}
	cmtLen := func() int { v, _ := s.get(heightKey(prefixCommit, 2)); return len(v) }()
	for off := 0; off < cmtLen; off++ {
		restore := flip(heightKey(prefixCommit, 2), off)
		cmt, err := s.Commit(2)
		if err == nil {
			// A flipped signature byte still decodes and names the right
			// block: the store returns it and verification catches it.
			blk, _ := s.Block(2)
			if cmt.Verify(c.Identity, c.Validators, 2, blk.Hash()) == nil {
				t.Fatalf("flip byte %d of commit 2: undetected", off)
			}
		} else {
			var ce *CorruptionError
			if !errors.As(err, &ce) || ce.Height != 2 {
				t.Fatalf("flip byte %d of commit 2: %v", off, err)
			}
		}
		restore()
	}
	// A tx index entry pointing elsewhere.
	blk, _ := s.Block(2)
	h := blk.Txs[0].Hash()
	loc := make([]byte, 12)
	binary.BigEndian.PutUint64(loc, 2)
	binary.BigEndian.PutUint32(loc[8:], 1)
	_ = s.db.Set(hashKey(prefixTx, h), loc, pebble.Sync)
	var ce *CorruptionError
	if _, err := s.Tx(h); !errors.As(err, &ce) || ce.Height != 2 {
		t.Fatalf("misdirected tx index: %v", err)
	}
}

func BenchmarkCommitBlock1000Txs(b *testing.B) {
	s, _ := openTemp(b)
	c := ledgertest.NewChain("qian-bench", 4)
	// Build the blocks first: signing is not what this measures.
	type item struct {
		blk     *ledger.Block
		cmt     *ledger.Commit
		results [][]byte
	}
	items := make([]item, b.N)
	payload := make([]byte, 200)
	base := ledgertest.Key(1)
	proto := &ledger.Tx{ChainID: c.ChainID(), Contract: "trace", Method: "record", Payload: payload}
	for i := range items {
		txs := make([]*ledger.Tx, 1000)
		for j := range txs {
			tx := *proto
			tx.Sender = base.PublicKey()
			tx.Nonce = uint64(i*1000 + j) // unsigned: the store does not verify
			txs[j] = &tx
		}
		blk, cmt := c.Next(txs)
		// As a node holds it: decoded, each transaction keeping its bytes.
		dec, err := ledger.DecodeBlock(blk.Encode())
		if err != nil {
			b.Fatal(err)
		}
		items[i] = item{dec, cmt, leaves(txs, "ok")}
	}
	writes := make([]Write, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range items {
		for j := range writes {
			writes[j] = Write{Key: []byte(fmt.Sprintf("lot/%d/%d", i, j)), Value: payload[:64]}
		}
		if err := s.CommitBlock(&Committed{Block: items[i].blk, Commit: items[i].cmt, Results: items[i].results, Writes: writes}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "txs/s")
}

func TestHeaderReads(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 3, 2)
	for h := uint64(1); h <= 3; h++ {
		hdr, err := s.Header(h)
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := s.Block(h)
		if hdr.Hash() != blk.Hash() {
			t.Fatalf("header %d differs from the block's", h)
		}
	}
	v, _ := s.get(heightKey(prefixHeader, 2))
	v[40] ^= 1
	_ = s.db.Set(heightKey(prefixHeader, 2), v, pebble.Sync)
	var ce *CorruptionError
	if _, err := s.Header(2); !errors.As(err, &ce) || ce.Height != 2 {
		t.Fatalf("corrupted header: %v", err)
	}
	if _, err := s.Header(4); !errors.Is(err, ErrNotFound) {
		t.Fatalf("header 4: %v", err)
	}
}

func TestTxResultsRange(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 3, 4)
	rs, err := s.TxResults(2, 4)
	blk, _ := s.Block(2)
	if err != nil || len(rs) != 4 || string(rs[3]) != string(leaf(blk.Txs[3], "ok")) {
		t.Fatalf("%q %v", rs, err)
	}
	if _, err := s.TxResults(2, 5); err == nil {
		t.Fatal("a wrong count was not reported")
	}
}

// TestUsageAfterCompact: after Compact, every table holding data is
// counted, and CommittedTxs counts the blocks' transactions.
func TestUsageAfterCompact(t *testing.T) {
	s, _ := openTemp(t)
	commitN(t, s, ledgertest.NewChain("qian-test", 4), 20, 50)
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	u, err := s.Usage()
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]uint64{}
	for _, t := range u {
		by[t.Name] = t.Bytes
	}
	if by["blocks"] == 0 || by["tx index"] == 0 || by["results"] == 0 || by["state"] == 0 {
		t.Fatalf("usage %v: a table with data counted nothing", u)
	}
	// StateUsage splits the state table by key range: the whole range is
	// the table; the range holding every key ("k/...") its data blocks,
	// part of it (a range is estimated from the data blocks it overlaps,
	// the table's index and properties go to none); a range holding no key
	// nothing.
	all, err := s.StateUsage(nil)
	if err != nil || all != by["state"] {
		t.Fatalf("state usage %d (%v), the table's %d", all, err, by["state"])
	}
	if k, err := s.StateUsage([]byte("k/")); err != nil || k == 0 || k > all {
		t.Fatalf("state usage of k/ %d (%v), of all %d", k, err, all)
	}
	if x, err := s.StateUsage([]byte("x/")); err != nil || x != 0 {
		t.Fatalf("state usage of x/, which holds no key: %d (%v)", x, err)
	}
	if n, b, err := s.CommittedTxs(); err != nil || n != 20*50 || b < n*100 {
		t.Fatalf("committed txs %d of %d bytes (%v), want %d", n, b, err, 20*50)
	}
	// A pruned store (or one restored from a snapshot) counts the blocks it
	// holds instead of failing on the first one it does not.
	if err := s.PruneBelow(11); err != nil {
		t.Fatal(err)
	}
	if n, _, err := s.CommittedTxs(); err != nil || n != 10*50 {
		t.Fatalf("after pruning below 11: committed txs %d (%v), want %d", n, err, 10*50)
	}
}

// TestCommitWithCallersHashes: hashes the caller computed index the
// transactions as the store's own would; a count that does not match the
// block's is refused and writes nothing.
func TestCommitWithCallersHashes(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	txs := []*ledger.Tx{c.Tx(1, 1, []byte("a")), c.Tx(2, 2, []byte("b"))}
	blk, cmt := c.Next(txs)
	hashes := []ledger.Hash{txs[0].Hash(), txs[1].Hash()}
	bad := &Committed{Block: blk, Commit: cmt, Results: leaves(txs, "\x01"), TxHashes: hashes[:1]}
	if err := s.CommitBlock(bad); err == nil || s.Height() != 0 {
		t.Fatalf("one hash for two transactions: err %v, height %d", err, s.Height())
	}
	if err := s.CommitBlock(&Committed{Block: blk, Commit: cmt, Results: leaves(txs, "\x01"), TxHashes: hashes}); err != nil {
		t.Fatal(err)
	}
	for i, h := range hashes {
		if height, pos, err := s.TxLocation(h); err != nil || height != 1 || pos != uint32(i) {
			t.Errorf("tx %d: at %d/%d (%v)", i, height, pos, err)
		}
	}
}

// TestBlockBatchIsSizedUpFront builds the batches of blocks of several
// shapes and checks each fits the bytes it was sized for, so that it never
// grows (and copies itself) while being built, without asking for much more
// than it needs.
func TestBlockBatchIsSizedUpFront(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	big := bytes.Repeat([]byte("v"), 70_000) // a value whose length takes a 3-byte varint
	for _, shape := range []struct {
		name          string
		txs, writes   int
		value, result []byte
		next          bool
	}{
		{name: "empty"},
		{name: "one", txs: 1, writes: 1, value: []byte("x"), result: []byte("ok")},
		{name: "deletes", txs: 3, writes: 40},
		{name: "large values", txs: 2, writes: 3, value: big, result: big},
		{name: "gateway block", txs: 1800, writes: 3600, value: make([]byte, 120), result: make([]byte, 40)},
		{name: "validator change", txs: 5, writes: 5, value: []byte("v"), next: true},
	} {
		h := c.Height() + 1
		var txs []*ledger.Tx
		for j := 0; j < shape.txs; j++ {
			txs = append(txs, c.Tx(uint64(j%5+1), h*10000+uint64(j), []byte(fmt.Sprintf("payload %d/%d", h, j))))
		}
		blk, cmt := c.Next(txs)
		results := make([][]byte, len(txs))
		for j, tx := range txs {
			results[j] = leaf(tx, string(shape.result))
		}
		var writes []Write
		for j := 0; j < shape.writes; j++ {
			writes = append(writes, Write{Key: []byte(fmt.Sprintf("lot/%d/%d", h, j)), Value: shape.value})
		}
		com := &Committed{Block: blk, Commit: cmt, Results: results, Writes: writes, AppHash: ledger.Hash{byte(h)}}
		if shape.next {
			com.NextValidators = testSet()
		}
		b, planned, err := s.blockBatch(com, blk.Hash())
		if err != nil {
			t.Fatal(err)
		}
		used := len(b.Repr())
		b.Close()
		if used > planned {
			t.Errorf("%s: the batch holds %d bytes, more than the %d it was sized for: it grew while being built", shape.name, used, planned)
		}
		if slack := planned - used; slack > used/4+2048 {
			t.Errorf("%s: sized for %d bytes, used %d: %d bytes asked for and never used", shape.name, planned, used, slack)
		}
		if err := s.CommitBlock(com); err != nil {
			t.Fatal(err)
		}
		c.SetAppHash(com.AppHash)
	}
}

// TestBlockCacheCountsReads: a read of a state key in a table on disk
// misses the block cache once and is served from it after, whether the
// store made its own cache (a node) or Pebble did (a caller's options).
func TestBlockCacheCountsReads(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  func() *Options
	}{
		{"store's cache", func() *Options { return nil }},
		{"Pebble's cache", func() *Options { return &Options{Pebble: &pebble.Options{Logger: quietLogger{}}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openWith(t, t.TempDir(), tc.opt())
			commitN(t, s, ledgertest.NewChain("qian-test", 4), 5, 10)
			if err := s.Compact(context.Background()); err != nil {
				t.Fatal(err)
			}
			before := s.BlockCache()
			get := func() {
				t.Helper()
				if v, err := s.Get([]byte("k/3")); err != nil || string(v) != "3" {
					t.Fatalf("k/3 = %q, %v", v, err)
				}
			}
			get()
			first := s.BlockCache()
			get()
			second := s.BlockCache()
			if first.Misses <= before.Misses || first.Bytes <= 0 {
				t.Fatalf("the first read of a table: %+v after %+v; want a miss and blocks held", first, before)
			}
			if second.Hits <= first.Hits || second.Misses != first.Misses {
				t.Fatalf("the second read: %+v after %+v; want hits only", second, first)
			}
		})
	}
}

// TestPrefixUpper: the bound after every key with a prefix (StateUsage's,
// spanPolicy's), and none — the end of the keys — for an empty or all-0xff
// prefix.
func TestPrefixUpper(t *testing.T) {
	if e := string(prefixUpper([]byte("t/e/"))); e != "t/e0" {
		t.Errorf("prefixUpper(t/e/) = %q", e)
	}
	if prefixUpper(nil) != nil || prefixUpper([]byte{0xff}) != nil {
		t.Error("prefixUpper of an empty or 0xff prefix is not the end of the keys")
	}
}
