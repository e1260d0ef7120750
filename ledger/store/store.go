package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/sstable"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/statedigest"
)

// Store is a node's chain database. CommitBlock and InitGenesis must be
// called from one goroutine at a time (the node's executor); every read
// method may be called concurrently with them and with each other.
type Store struct {
	db  *pebble.DB
	tip atomic.Uint64 // last committed height; mirrors the "tip" meta key
	// base is the height a store restored from a snapshot starts at
	// (base.go); 0 for one that holds every block.
	base atomic.Uint64
	// hasGenesis records whether InitGenesis has run (or ran before Open).
	hasGenesis atomic.Bool
	closed     atomic.Bool
	// absent answers point lookups of absent keys in the transaction index
	// and the state prefixes Options.AbsentState names (absent.go).
	absent *absentFilter
	// reads counts point lookups by who answered them (PointReads). Every
	// read writes it, from every core: the padding keeps the fields above,
	// which every read only reads, off its cache line.
	_     [64]byte
	reads pointReads
	_     [64]byte
	// mem estimates the mutable memtable's fill (memtable.go); nil for a
	// store opened with the caller's own Pebble options.
	mem *memMeter
	// cache is the block cache the DB was opened with (nil when the
	// caller's Pebble options left Pebble to make its own). The DB holds a
	// reference to it until Close.
	cache *pebble.Cache
}

// Options tune Open. The zero value opens a store as the offline tools
// that only read it do; a node also gives AbsentState and SeparatedState.
type Options struct {
	// Pebble, when set, is passed to pebble.Open as is (tests use it to
	// run on an in-memory or crashable file system).
	Pebble *pebble.Options
	// MemTableSize, when not zero, replaces the default memtable size
	// (DefaultPebbleOptions) of a store opened without Pebble options.
	MemTableSize uint64
	// Log, when set, receives Pebble's flushes and compactions (debug) and
	// write stalls (warn) of a store opened without Pebble options (see
	// eventListener), and the progress of a format conversion (migrate.go).
	Log *slog.Logger
	// AbsentState lists state key prefixes whose keys are mostly looked up
	// to find them absent ("is this hash anchored?"); the store keeps them,
	// with the transaction index, in an in-memory filter that answers such
	// lookups without reading Pebble (absent.go). Open reads every covered
	// key once to fill it.
	AbsentState [][]byte
	// SeparatedState lists state key prefixes whose values are written
	// once and read back rarely, and never on execution's busy path (an
	// event's record, an anchor): their values go to blob files at flush
	// and compactions carry only references to them (spans.go). Every
	// opener that writes should give the same list (the node, `qian
	// snapshot restore`, `qian bench disk --compact`, an offline backup's
	// checkpoint): a flush or compaction by one that gives none writes
	// those values back into their tables, where the node's later
	// compactions keep them (they read the same either way). Openers that
	// only read use ReadOnly. Ignored with Pebble, as MemTableSize is.
	SeparatedState [][]byte
	// ReadOnly opens the store without writing to it (no flush, no
	// compaction, no format change), for tools that only read a stopped
	// node's store. Ignored with Pebble, which says so itself.
	ReadOnly bool
}

// Open opens (creating if needed) the store in dir.
func Open(dir string, opt *Options) (*Store, error) {
	po, own := pebbleOptions(opt)
	var mem *memMeter
	if own {
		defer po.Cache.Unref() // the DB holds its own reference
		mem = newMemMeter(po.MemTableSize)
		// The log's listener leaves background errors to Pebble's
		// logger; filled in here, since the tee would make them no-ops.
		var base pebble.EventListener
		if po.EventListener != nil {
			base = *po.EventListener
		}
		logger := po.Logger
		if logger == nil {
			logger = pebble.DefaultLogger
		}
		base.EnsureDefaults(logger)
		l := pebble.TeeEventListener(base, mem.listener())
		po.EventListener = &l
	}
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	s := &Store{db: db, mem: mem, cache: po.Cache}
	v, err := s.get(keyTip)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		db.Close()
		return nil, fmt.Errorf("open store %s: read tip: %w", dir, err)
	case len(v) != 8:
		db.Close()
		return nil, corrupt(0, "tip", "value has %d bytes, want 8", len(v))
	default:
		s.tip.Store(binary.BigEndian.Uint64(v))
	}
	if err := s.loadBase(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	if err := s.checkFormat(po.ReadOnly, migrateLog(opt)); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	if _, err := s.GenesisHash(); err == nil {
		s.hasGenesis.Store(true)
	}
	if err := s.fillAbsent(opt); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	return s, nil
}

// migrateLog is where a format conversion at Open logs its progress:
// Options.Log, else the default logger (an offline tool's stderr).
func migrateLog(opt *Options) *slog.Logger {
	if opt != nil && opt.Log != nil {
		return opt.Log
	}
	return slog.Default()
}

// fillAbsent makes the absent-key filter and adds every covered key the
// store holds (about 0.45 s per million keys: BenchmarkHasTxAbsent).
func (s *Store) fillAbsent(opt *Options) error {
	prefixes := [][]byte{{prefixTx}}
	if opt != nil {
		for _, p := range opt.AbsentState {
			prefixes = append(prefixes, stateKey(p))
		}
	}
	f := newAbsentFilter(prefixes)
	for _, p := range prefixes {
		it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: p, UpperBound: prefixUpper(p)})
		if err != nil {
			return err
		}
		for valid := it.First(); valid; valid = it.Next() {
			f.add(it.Key())
		}
		if err := it.Close(); err != nil {
			return err
		}
	}
	s.absent = f
	return nil
}

// prefixUpper is the exclusive upper bound of the keys that start with p.
func prefixUpper(p []byte) []byte {
	u := bytes.Clone(p)
	for i := len(u) - 1; i >= 0; i-- {
		if u[i] < 0xff {
			u[i]++
			return u[:i+1]
		}
	}
	return nil
}

// pebbleOptions resolves opt to the options for pebble.Open; own reports
// whether they were made here (and so hold a cache reference for Open to
// release). Options given as Pebble are used as they are.
func pebbleOptions(opt *Options) (po *pebble.Options, own bool) {
	if opt != nil && opt.Pebble != nil {
		return opt.Pebble, false
	}
	po = DefaultPebbleOptions()
	if opt != nil && opt.MemTableSize != 0 {
		po.MemTableSize = opt.MemTableSize
	}
	if opt != nil && opt.Log != nil {
		po.EventListener = eventListener(opt.Log)
	}
	if opt != nil && len(opt.SeparatedState) > 0 {
		po.Experimental.SpanPolicyFunc = spanPolicy(opt.SeparatedState)
	}
	if opt != nil && opt.ReadOnly {
		po.ReadOnly = true
	}
	return po, true
}

// Close closes the database. Closing twice is harmless; no other method may
// be called after Close.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	return s.db.Close()
}

// Height returns the last committed height: 0 when only genesis (or
// nothing) is stored.
func (s *Store) Height() uint64 { return s.tip.Load() }

// GenesisHash returns the hash of the genesis the store was initialised
// with, or ErrNotFound.
func (s *Store) GenesisHash() (ledger.Hash, error) {
	v, err := s.get(keyGenesis)
	if err != nil {
		return ledger.Hash{}, err
	}
	if len(v) != ledger.HashSize {
		return ledger.Hash{}, corrupt(0, "genesis hash", "value has %d bytes", len(v))
	}
	return ledger.Hash(v), nil
}

// Write is one state change; a nil Value deletes the key.
type Write struct {
	Key   []byte
	Value []byte
}

// InitGenesis stores the genesis state, its state digest's Sum, the
// genesis validator set (which signs from height 1), the app hash the first
// block's header carries and the store's Format, in one synced batch. It
// fails if the store is not empty.
func (s *Store) InitGenesis(genesisHash ledger.Hash, vals *ledger.ValidatorSet, writes []Write, appHash ledger.Hash) error {
	if s.hasGenesis.Load() {
		return errors.New("store already holds a genesis")
	}
	if vals == nil {
		return errors.New("store genesis: no validator set")
	}
	b := s.db.NewBatch()
	defer b.Close()
	for _, w := range writes {
		if _, err := s.putState(b, nil, w); err != nil {
			return err
		}
	}
	sum := genesisSum(writes)
	_ = b.Set(keyStateSum, sum.Encode(), nil)
	_ = b.Set(validatorsKey(1), vals.Encode(), nil)
	_ = b.Set(heightKey(prefixAppHash, 0), appHash[:], nil)
	_ = b.Set(keyGenesis, genesisHash[:], nil)
	_ = b.Set(keyFormat, u64(Format), nil)
	_ = b.Set(keyTip, u64(0), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store genesis: %w", err)
	}
	s.hasGenesis.Store(true)
	return nil
}

// Committed is everything stored for one height, in one batch.
type Committed struct {
	Block  *ledger.Block
	Commit *ledger.Commit // this node's certificate for Block
	// Results holds the executor's result of each transaction, in order:
	// its app-hash leaf, which begins with the transaction's hash
	// (results.go).
	Results [][]byte
	// Writes are the block's state changes.
	Writes []Write
	// AppHash is the state commitment after executing Block; the next
	// header carries it.
	AppHash ledger.Hash
	// TxHashes, when set, are the hashes of Block's transactions in order,
	// as the caller computed them executing the block (the store hashes
	// them itself otherwise).
	TxHashes []ledger.Hash
	// NextValidators is the validator set of height h+2 when executing
	// Block (height h) scheduled a change, else nil: the set every
	// validator-set change approved in Block makes (docs/consensus.md).
	NextValidators *ledger.ValidatorSet
	// State is the state digest's Sum after Block (ledger/statedigest),
	// whose Digest AppHash commits to; nil for an application that keeps
	// none (the writes root then holds a zero digest).
	State *statedigest.Sum
	// WritesTree, when set, is WritesTree(Writes) as the caller computed it
	// executing the block (the store computes it itself otherwise).
	WritesTree *ledger.Hash
}

// CommitBlock stores one height with a single synced batch. The caller has
// verified the block and its commit and executed the block; the store checks
// only that the height follows the tip and that the pieces fit together.
func (s *Store) CommitBlock(c *Committed) error {
	if !s.hasGenesis.Load() {
		return errors.New("commit block: store has no genesis")
	}
	blk := c.Block
	h := blk.Header.Height
	if want := s.Height() + 1; h != want {
		return fmt.Errorf("commit block %d: next height is %d", h, want)
	}
	hash := blk.Hash()
	switch {
	case c.Commit == nil || c.Commit.Height != h || c.Commit.BlockHash != hash:
		return fmt.Errorf("commit block %d: commit certificate is not for this block", h)
	case len(c.Results) != len(blk.Txs):
		return fmt.Errorf("commit block %d: %d results for %d transactions", h, len(c.Results), len(blk.Txs))
	case c.TxHashes != nil && len(c.TxHashes) != len(blk.Txs):
		return fmt.Errorf("commit block %d: %d transaction hashes for %d transactions", h, len(c.TxHashes), len(blk.Txs))
	}

	b, _, err := s.blockBatch(c, hash)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("commit block %d: %w", h, err)
	}
	s.mem.wrote(b.Len())
	s.tip.Store(h)
	return nil
}

// blockBatch builds the batch CommitBlock commits for c, whose block hashes
// to hash: the block, its header, certificate and app hash, each
// transaction's index entry and result, the state writes, the writes root
// and the tip. It also returns the bytes it sized the batch for
// (batchSize).
func (s *Store) blockBatch(c *Committed, hash ledger.Hash) (*pebble.Batch, int, error) {
	blk, h := c.Block, c.Block.Header.Height
	encLen, hdr, cmt := blk.EncodedLen(), blk.Header.Encode(), c.Commit.Encode()
	var sum, next []byte
	if c.State != nil {
		sum = c.State.Encode()
	}
	if c.NextValidators != nil {
		next = c.NextValidators.Encode()
	}
	planned := batchSize(c, encLen+len(hdr)+len(cmt)+len(sum)+len(next))
	b := s.db.NewBatchWithSize(planned, pebble.WithMaxRetainedSizeBytes(maxRetainedBatch))
	// The block (megabytes) is encoded straight into the batch: encoding it
	// first and prefixing its hash cost two more buffers of its size per
	// block, and large allocations under the node's memory limit are where
	// the allocator scavenges (docs/benchmarks.md, "Kept encodings").
	if err := putBlock(b, heightKey(prefixBlock, h), hash, blk, encLen); err != nil {
		b.Close()
		return nil, 0, fmt.Errorf("commit block %d: %w", h, err)
	}
	_ = b.Set(heightKey(prefixHeader, h), append(append(make([]byte, 0, ledger.HashSize+len(hdr)), hash[:]...), hdr...), nil)
	_ = b.Set(hashKey(prefixHash, hash), u64(h), nil)
	_ = b.Set(heightKey(prefixCommit, h), cmt, nil)
	_ = b.Set(heightKey(prefixAppHash, h), c.AppHash[:], nil)
	loc := make([]byte, 12)
	binary.BigEndian.PutUint64(loc, h)
	var key []byte // scratch for the keys: Set copies them
	for i, tx := range blk.Txs {
		binary.BigEndian.PutUint32(loc[8:], uint32(i))
		var txh ledger.Hash
		if c.TxHashes != nil {
			txh = c.TxHashes[i]
		} else {
			txh = tx.Hash()
		}
		key = s.putTx(b, key, txh, loc)
		res, err := resultValue(h, i, txh, c.Results[i])
		if err != nil {
			b.Close()
			return nil, 0, err
		}
		key = appendResultKey(key[:0], h, uint32(i))
		_ = b.Set(key, res, nil)
	}
	for _, w := range c.Writes {
		var err error
		if key, err = s.putState(b, key, w); err != nil {
			b.Close()
			return nil, 0, fmt.Errorf("commit block %d: %w", h, err)
		}
	}
	// The writes root's inputs, one input of the app hash, are kept because
	// they cannot be rebuilt from current state: proof bundles use the root
	// to prove a transaction's outcome (ledger/proof), snapshots the state
	// digest (writesroot.go).
	var digest ledger.Hash
	if c.State != nil {
		digest = c.State.Digest()
		_ = b.Set(keyStateSum, sum, nil)
	}
	var tree ledger.Hash
	if c.WritesTree != nil {
		tree = *c.WritesTree
	} else {
		tree = WritesTree(c.Writes)
	}
	_ = b.Set(writesRootKey(h), append(tree[:], digest[:]...), nil)
	if c.NextValidators != nil {
		_ = b.Set(validatorsKey(h+2), next, nil)
	}
	_ = b.Set(keyTip, u64(h), nil)
	return b, planned, nil
}

// putBlock sets key to hash ‖ the block's encoding, of encLen bytes,
// written in place in the batch.
func putBlock(b *pebble.Batch, key []byte, hash ledger.Hash, blk *ledger.Block, encLen int) error {
	op := b.SetDeferred(len(key), ledger.HashSize+encLen)
	copy(op.Key, key)
	copy(op.Value, hash[:])
	// A three-index slice: were the encoding longer than encLen, append
	// would move it elsewhere rather than write past the value.
	out := blk.AppendEncoding(op.Value[: ledger.HashSize : ledger.HashSize+encLen])
	if len(out) != len(op.Value) || &out[0] != &op.Value[0] {
		return fmt.Errorf("block encoding is %d bytes, not the %d planned", len(out)-ledger.HashSize, encLen)
	}
	return op.Finish()
}

// batchSize is at least the bytes of the batch CommitBlock builds for c,
// whose values of variable size outside the transactions and writes come to
// fixed bytes: a batch that starts empty grows by doubling and copying,
// which for a block of 1,800 transactions was 3 % of a validator's CPU
// (pebble's Batch.grow in a profile at 8,000 tx/s). Each record costs a kind
// byte and two length varints besides its key and value.
func batchSize(c *Committed, fixed int) int {
	const (
		record   = 1 + 2*binary.MaxVarintLen32
		hashed   = 1 + ledger.HashSize // hashKey
		height   = 9                   // heightKey
		perBlock = 10 * (record + height + 2*ledger.HashSize)
	)
	n := batchHeaderLen + fixed + perBlock
	for _, r := range c.Results {
		n += record + hashed + 12 + record + 13 + len(r) - ledger.HashSize
	}
	for _, w := range c.Writes {
		n += record + 1 + len(w.Key) + len(w.Value)
	}
	return n
}

// maxRetainedBatch is the largest batch buffer Pebble's batch pool keeps for
// the next batch, rather than its default 1 MB: a block of 2,000
// transactions takes about 1 MB, and a validator at full rate would
// otherwise allocate (and the runtime later return to the OS) a new one for
// each block.
const maxRetainedBatch = 8 << 20

// batchHeaderLen is the bytes a Pebble batch's representation begins with.
const batchHeaderLen = 12

// putTx adds transaction h's index entry (loc: its height and position) to
// b, and its key to the absent-key filter before b is committed. The key is
// built in scratch, returned for the next key: neither the batch nor the
// filter keeps it, so a block's batch builds its keys in one buffer.
func (s *Store) putTx(b *pebble.Batch, scratch []byte, h ledger.Hash, loc []byte) []byte {
	k := appendHashKey(scratch[:0], prefixTx, h)
	s.absent.add(k) // before the batch is visible: see absentFilter
	_ = b.Set(k, loc, nil)
	return k
}

// putState adds w to b, and its key to the absent-key filter before b is
// committed; the key is built in scratch, as putTx's.
func (s *Store) putState(b *pebble.Batch, scratch []byte, w Write) ([]byte, error) {
	if len(w.Key) == 0 {
		return scratch, errors.New("empty state key")
	}
	k := appendStateKey(scratch[:0], w.Key)
	if w.Value == nil {
		return k, b.Delete(k, nil)
	}
	s.absent.add(k)
	return k, b.Set(k, w.Value, nil)
}

// get returns a copy of the value at key, or ErrNotFound.
func (s *Store) get(key []byte) ([]byte, error) {
	covered := false
	if s.absent != nil {
		var absent bool
		if covered, absent = s.absent.lookup(key); absent {
			s.reads.filtered.Add(1)
			return nil, ErrNotFound
		}
	}
	v, closer, err := s.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		if covered {
			s.reads.falsePositive.Add(1)
		} else {
			s.reads.absent.Add(1)
		}
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	s.reads.found.Add(1)
	// A present empty value stays non-nil: nil means absent to the
	// contracts (state.Store), and the state digest removes an entry the
	// executor finds present.
	out := make([]byte, len(v))
	copy(out, v)
	closer.Close()
	return out, nil
}

// DefaultPebbleOptions are the Pebble settings of a node's store. Most
// reads are point lookups of keys that do not exist — "is this transaction
// already committed?" at admission, in block validation and when proposing
// — so every level above the bottom one gets a Bloom filter, which answers
// those without reading data blocks on L0 to L5. (Pebble's point reads skip
// L6's filters, where
// most of a young chain lives: an absent key there costs an index and a data
// block. Reading through an iterator with UseL6Filters was slower still in
// a benchmark of 600,000 index entries, 20 µs against 9 µs a lookup: L6's
// filter blocks are large. So the transaction index and the state prefixes
// of Options.AbsentState are first asked of the store's own in-memory
// filter: absent.go.) The block cache is 64 MB rather than Pebble's 8 MB
// default, but Pebble charges the memtables against it (the one filling and
// the one kept for reuse), so a validator's 24-30 MB memtables leave it 4 to
// 16 MB of blocks and the default 32 MB ones (an observer's, the offline
// tools') next to none. Under load a validator's cache served 80-93 % of its
// block reads, and half again as much cache moved that by under three
// points without saving CPU (docs/benchmarks.md, "The block cache");
// 48-62 % since the absent filter answers each commissioning's object
// lookup, which were its easiest hits. Cache
// and memtables are most of a node's memory: with 256 MB of cache and 64 MB
// memtables a validator passed 300 MB within minutes under load.
// The caller must Unref the returned Cache once the DB is open.
func DefaultPebbleOptions() *pebble.Options {
	o := &pebble.Options{
		Logger:       quietLogger{},
		Cache:        pebble.NewCache(DefaultCacheSize),
		MemTableSize: 32 << 20,
	}
	for i := range o.Levels {
		o.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	// The bottom level holds most of the chain once compacted: its blocks
	// are Zstandard-compressed (a fifth of a compacted store smaller than
	// Snappy, docs/benchmarks.md "Disk"), and it carries no Bloom filter,
	// which Pebble's point reads never consult there (see above).
	bottom := &o.Levels[len(o.Levels)-1]
	bottom.FilterPolicy = pebble.NoFilterPolicy
	bottom.Compression = bottomCompression
	// A block's body is one value of up to a megabyte, written once and
	// rarely read; in the LSM every compaction from L0 down rewrote it with
	// the small random-keyed state and index around it (compactions were a
	// fifth of a validator's CPU at 4,000 tx/s, 6 % in the same minute of
	// load with bodies in blob files: docs/benchmarks.md "Block bodies in
	// blob files"). Values of at least blobMinimumSize go to blob files at
	// flush instead, which compactions only reference: see blobPolicy (and
	// spans.go for which values: the blocks', and the state's records
	// named by Options.SeparatedState). Blob files are written with L0's
	// compression profile, so the levels above the bottom one keep Snappy
	// for their data blocks but compress value blocks (the blob files'
	// blocks) with Zstandard, as the bottom level did for block bodies
	// before (a compaction that writes values again uses its output
	// level's profile: Zstandard level 1 for values on every level).
	for i := range o.Levels[:len(o.Levels)-1] {
		o.Levels[i].Compression = upperCompression
	}
	// L0 into the base level is most of what compactions write: the state
	// and the transaction index are random-keyed, so every flush spans
	// their whole key range (cut into tables of about 2 MB, each a slice of
	// it), and each compaction out of L0 rewrites the base level's tables
	// under the slices it takes. Pebble starts one when L0 is
	// L0CompactionThreshold/2 flushes deep (its score is twice the depth
	// over the threshold); at 16 rather than Pebble's 4 each carries four
	// times the flushed bytes through one rewrite of the base level. Point
	// lookups meet more L0 tables, most of which their Bloom filters and
	// the store's absent filter answer. Threshold 8 against 4, two
	// alternating 3-minute runs at 4,000 tx/s offered: L0 -> L5 wrote 1.7
	// and 2.0 MB per flushed MB against 3.0 and 2.5, compactions took 34
	// and 31 s against 54 and 52 (docs/benchmarks.md, "Twice the L0 before
	// compacting"). 16 against 8, two alternating 10-minute runs at 3,000
	// offered, where compactions grow with the chain: see "Ten minutes at
	// 3,000, minute by minute". Writes stop at three times the threshold,
	// as Pebble's defaults have it.
	o.L0CompactionThreshold = 16
	o.L0StopWritesThreshold = 48
	o.FormatMajorVersion = pebble.FormatValueSeparation
	o.Experimental.EnableColumnarBlocks = func() bool { return true }
	o.Experimental.ValueSeparationPolicy = blobPolicy
	o.Experimental.SpanPolicyFunc = spanPolicy(nil)
	return o
}

// upperCompression is Snappy for an upper level's data and other blocks
// (rewritten soon by a compaction, so cheap to write matters most) and
// Zstandard for its value blocks: block bodies in blob files, written once.
func upperCompression() *sstable.CompressionProfile { return &upperProfile }

var upperProfile = func() sstable.CompressionProfile {
	p := *sstable.SnappyCompression
	p.Name = "SnappyDataZstd1Values"
	p.ValueBlocks = zstdLevel1
	return p
}()

// bottomCompression is Zstandard at level 1 for every block of the bottom
// level. Level 3 (Pebble's ZstdCompression) cost a validator 7.5 % of its
// CPU at 4,000 tx/s in a fresh chain's first minute, when the base level
// is still L6 and every compaction out of L0 writes it; level 1 compresses
// about twice as fast for a few percent more disk (docs/benchmarks.md,
// "Zstandard level 1"). Blocks already written at level 3 stay readable:
// each block records how it was compressed.
func bottomCompression() *sstable.CompressionProfile { return &bottomProfile }

var bottomProfile = func() sstable.CompressionProfile {
	p := *sstable.ZstdCompression
	p.Name = "Zstd1"
	p.DataBlocks, p.ValueBlocks, p.OtherBlocks = zstdLevel1, zstdLevel1, zstdLevel1
	return p
}()

// zstdLevel1 is Pebble's Zstandard level 1 setting, taken from a profile
// because the setting's type lives in an internal package.
var zstdLevel1 = sstable.BalancedCompression.DataBlocks

// blobPolicy separates values of blobMinimumSize or more in the spans
// spanPolicy lets it (spans.go). A blob file's values die when pruning
// deletes old heights (PruneBelow) and when a compaction writes them again
// into new blob files (below); once garbage is a fifth of all blob files'
// values, Pebble rewrites what lives in those at least five minutes old.
//
// The reference depth is how many blob files, overlapping in keys, one
// table's values may lie in before a compaction writes them again into
// new ones; Pebble estimates a compaction's as the sum of its input
// levels' (each L0 sublevel counting as a level). Block bodies come in
// height order, so each flush's lie beside, not over, the last's, and
// their tables stay one or two deep. The separated state's keys are
// hashes: every flush's blob file spans the whole key range, and a
// compaction out of L0 adds the depth of every flush it takes (eight,
// L0CompactionThreshold/2) to the base level's. At a limit of 10 every
// other such compaction wrote all the values it carried again; at 200
// they are carried by reference through many (compactions wrote 30-40 %
// fewer bytes: docs/benchmarks.md, "Records out of the compactions'
// way"), and a point read still opens the one blob file its reference
// names. Pebble's own tests use 2 to 10.
func blobPolicy() pebble.ValueSeparationPolicy {
	return pebble.ValueSeparationPolicy{
		Enabled:               true,
		MinimumSize:           blobMinimumSize,
		MaxBlobReferenceDepth: 200,
		RewriteMinimumAge:     5 * time.Minute,
		TargetGarbageRatio:    0.2,
	}
}

// DefaultCacheSize is the block cache of a node's store.
const DefaultCacheSize = 64 << 20

// quietLogger keeps Pebble's informational messages out of the node's log;
// errors and fatal conditions still reach stderr.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Errorf(format string, args ...any) {
	pebble.DefaultLogger.Errorf(format, args...)
}
func (quietLogger) Fatalf(format string, args ...any) {
	pebble.DefaultLogger.Fatalf(format, args...)
}

// DiskUsage is the bytes the store occupies on disk: tables, write-ahead
// log, manifest (Pebble's DiskSpaceUsage), for the node's metrics.
func (s *Store) DiskUsage() uint64 { return s.db.Metrics().DiskSpaceUsage() }

// PointReads counts the store's point lookups since it opened, by who
// answered them: state keys and the transaction index, which the filter
// covers, and the blocks, headers, commits and results read by execution,
// the API and block sync, which it does not.
// Filtered over Filtered plus FalsePositive is the share of covered
// absent keys the in-memory filter kept from Pebble (absent.go): about 99
// %, falling slowly as the filter grows.
type PointReads struct {
	Filtered      int64 // absent, answered by the in-memory filter
	FalsePositive int64 // absent, in a covered table, read from Pebble (the filter said "maybe")
	Absent        int64 // absent, in a table the filter does not cover, read from Pebble
	Found         int64 // present, read from Pebble
}

type pointReads struct {
	filtered, falsePositive, absent, found atomic.Int64
}

// PointReads reports the point lookups so far, for the node's metrics.
func (s *Store) PointReads() PointReads {
	return PointReads{Filtered: s.reads.filtered.Load(), FalsePositive: s.reads.falsePositive.Load(),
		Absent: s.reads.absent.Load(), Found: s.reads.found.Load()}
}

// BlockCache is the block cache's use since the store opened.
type BlockCache struct {
	Hits, Misses int64 // block reads served from the cache, and from the files
	Bytes        int64 // bytes of blocks held now
}

// BlockCache reports the block cache, for the node's metrics. The cache
// also holds the memtables' reservations (Pebble charges each memtable,
// the one filling and the one kept for reuse, against the cache's size),
// so Bytes is what the memtables leave to blocks. It asks the cache alone
// (a look at each of its shards), not the DB's Metrics, which walks every
// level and table under the DB's mutex: a scrape of /metrics calls it for
// each of the three figures.
func (s *Store) BlockCache() BlockCache {
	var m pebble.CacheMetrics
	if s.cache != nil {
		m = s.cache.Metrics()
	} else {
		m = s.db.Metrics().BlockCache
	}
	return BlockCache{Hits: m.Hits, Misses: m.Misses, Bytes: m.Size}
}
