package store

import (
	"bytes"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// absentFilter answers "certainly absent" for keys of the tables it covers,
// so that the point lookups of keys that do not exist — "is this
// transaction committed?" at admission and in block validation, "is this
// hash anchored?" and "is this event id taken?" in execution — cost no
// Pebble read. Pebble's own point reads skip the Bloom filters of L6, where
// most of a chain lives, so each such lookup read an index and a data block
// (docs/benchmarks.md, Headroom).
//
// It is a Bloom filter held in memory and never stored: Open fills it from
// the covered tables and CommitBlock adds each block's keys before the
// block's batch is applied, so a key a reader can find in Pebble is always
// in the filter. It may say "maybe" for an absent key (then Pebble answers),
// never "absent" for a present one; deleted keys stay in it. Keys are
// hashed with a seed chosen at each start, so nobody can aim keys at its
// false positives for long, and what it answers never depends on the seed:
// a reader gets exactly what Pebble holds.
//
// The filter grows by segments of doubling capacity. An absent key is
// "maybe" if any segment says so, so the segments' false positives add
// up: at 10 bits per key in every segment (about 0.8 % each) four segments
// (3.4 million keys, about what ten minutes at 3,000 tx/s leave) sent 2.65
// % of absent lookups to Pebble, where an absent key on L6 costs an index
// and a data block, and a validator's transaction-index lookups grew from
// 1.1 to 3.1 % of its CPU between the second and the eighth minute of such
// a run (docs/benchmarks.md, "Ten minutes at 3,000, minute by minute"). So
// each segment gets two bits per key more than the one before it, from 11
// up to 21, and about 0.69 probes per bit per key (8 to 14): a plain
// filter's optimum; a blocked one's is a probe or two fewer, within 0.02 %
// of these false positives (helper-57's calculation), so the count is kept
// simple.
//
// Each segment is a blocked Bloom filter (Putze, Sanders and Singler,
// "Cache-, hash- and space-efficient Bloom filters", 2007; RocksDB's
// FastLocalBloom): a key's probes all fall in one 64-byte block, a cache
// line, chosen by the high half of one 64-bit hash, and the low half
// gives the bits within it. A lookup then costs one cache miss per
// segment rather than one per probe — every present key's lookup used to
// miss on all seven of its probes in the segment that holds it, and an
// absent key's on about two in each segment (mayHold was 1.7 % of a
// validator's CPU at 4,000 tx/s, docs/benchmarks.md "A cache line per
// lookup"). Blocks fill unevenly, so a blocked filter needs about a bit
// per key more than a plain one for the same false positives: at 11 bits
// and 8 probes the first segment's are 0.63 %, then 0.27, 0.12, 0.06 %,
// and the sum is 1.09 % at four full segments (1.04-1.09 % measured with
// the fourth three quarters full, TestAbsentFilterFalsePositivesStayBounded;
// 1.29 % there before, plain, from 10 bits), 1.2 % by 270 million keys, and grows 0.015 % per doubling
// after; for 1.4 bytes per key in the first segment and 2.6 from the sixth
// on (2.24 on average at four segments, against 2.10). Adds happen from
// one goroutine (CommitBlock, Open); lookups from any.
type absentFilter struct {
	seed     maphash.Seed
	prefixes [][]byte // covered keys, as stored (table prefix included)

	mu   sync.Mutex                  // serialises adds
	segs atomic.Pointer[[]*bloomSeg] // newest last
}

// bloomSeg is one segment: blocks of bloomBlockWords words.
type bloomSeg struct {
	words  []atomic.Uint64
	blocks uint64
	probes int
	cap    int // keys before the next segment starts
	n      int // keys added (under absentFilter.mu)
}

const (
	bloomBitsPerKey     = 11 // the first segment's
	bloomBitsPerKeyStep = 2  // each later segment's more than the one before
	bloomBitsPerKeyMax  = 21
	bloomFirstCap       = 1 << 18
	bloomBlockWords     = 8 // 512 bits, a cache line
)

func newAbsentFilter(prefixes [][]byte) *absentFilter {
	f := &absentFilter{seed: maphash.MakeSeed(), prefixes: prefixes}
	f.segs.Store(&[]*bloomSeg{newBloomSeg(bloomFirstCap, bloomBitsPerKey)})
	return f
}

// newBloomSeg makes a segment for capacity keys at bitsPerKey, with 0.69
// probes per bit per key, rounded (ln 2 is a plain filter's optimum).
// Its words are one allocation of hundreds of kilobytes or more, which Go's
// runtime starts at a page boundary (a large object begins its own span:
// how the runtime behaves, not a promise of the language; the test checks
// it), so every block is one cache line.
func newBloomSeg(capacity, bitsPerKey int) *bloomSeg {
	blocks := (uint64(capacity)*uint64(bitsPerKey) + 511) / 512
	probes := (bitsPerKey*69 + 50) / 100
	return &bloomSeg{words: make([]atomic.Uint64, blocks*bloomBlockWords), blocks: blocks, probes: probes, cap: capacity}
}

// covers reports whether key (as stored) is in a covered table.
func (f *absentFilter) covers(key []byte) bool {
	for _, p := range f.prefixes {
		if bytes.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// add records key (as stored) if it is covered.
func (f *absentFilter) add(key []byte) {
	if !f.covers(key) {
		return
	}
	h := f.hash(key)
	f.mu.Lock()
	defer f.mu.Unlock()
	segs := *f.segs.Load()
	s := segs[len(segs)-1]
	if s.n >= s.cap {
		s = newBloomSeg(2*s.cap, min(bloomBitsPerKey+bloomBitsPerKeyStep*len(segs), bloomBitsPerKeyMax))
		grown := append(append(make([]*bloomSeg, 0, len(segs)+1), segs...), s)
		f.segs.Store(&grown)
	}
	s.set(h)
	s.n++
}

// lookup reports whether key (as stored) is covered, and whether it is
// certainly not in the store.
func (f *absentFilter) lookup(key []byte) (covered, absent bool) {
	if !f.covers(key) {
		return false, false
	}
	h := f.hash(key)
	for _, s := range *f.segs.Load() {
		if s.mayHold(h) {
			return true, false
		}
	}
	return true, true
}

// block is the cache line of h in s: the high 32 bits of h scaled to the
// number of blocks (Lemire's multiply-shift, which needs no division).
func (s *bloomSeg) block(h uint64) []atomic.Uint64 {
	b := ((h >> 32) * s.blocks >> 32) * bloomBlockWords
	return s.words[b : b+bloomBlockWords : b+bloomBlockWords]
}

// The probes within a block are the top 9 bits of the low 32 bits of h,
// multiplied by the golden ratio's 32-bit fraction between probes (as
// RocksDB's FastLocalBloom does): each probe's 9 bits are well mixed from
// all 32.
const bloomProbeStep = 0x9e3779b9

func (s *bloomSeg) set(h uint64) {
	w := s.block(h)
	p := uint32(h)
	for range s.probes {
		bit := p >> 23
		w[bit>>6].Or(1 << (bit & 63))
		p *= bloomProbeStep
	}
}

func (s *bloomSeg) mayHold(h uint64) bool {
	w := s.block(h)
	p := uint32(h)
	for range s.probes {
		bit := p >> 23
		if w[bit>>6].Load()&(1<<(bit&63)) == 0 {
			return false
		}
		p *= bloomProbeStep
	}
	return true
}

// hash is the key's one 64-bit hash: the high half picks a block in
// every segment, the low half the bits within it.
func (f *absentFilter) hash(key []byte) uint64 {
	return maphash.Bytes(f.seed, key)
}

// size returns how many keys the filter holds and its size in bytes.
func (f *absentFilter) size() (keys int, bytes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range *f.segs.Load() {
		keys += s.n
		bytes += 8 * len(s.words)
	}
	return keys, bytes
}
