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
// The filter grows by segments of doubling capacity, 7 probes each. An
// absent key is "maybe" if any segment says so, so the segments' false
// positives add up: at 10 bits per key in every segment (about 0.8 %
// each) four segments (3.4 million keys, about what ten minutes at 3,000
// tx/s leave) sent 2.65 % of absent lookups to Pebble, where an absent
// key on L6 costs an index and a data block, and a validator's
// transaction-index lookups grew from 1.1 to 3.1 % of its CPU between the
// second and the eighth minute of such a run (docs/benchmarks.md, "Ten
// minutes at 3,000, minute by minute"). So each segment gets two bits per
// key more than the one before it, up to 20: 0.82, 0.33, 0.15, 0.07,
// 0.04 %, then 0.02 % per segment at 20 bits, so the sum is 1.29 % at four
// segments (TestAbsentFilterFalsePositivesStayBounded), 1.4 % by 8
// million keys, 1.5 % by 270 million, and grows 0.02 % per doubling
// after; for 1.25 bytes per key in the first segment and 2.5 from the
// sixth on (2.10 on average at four segments, against 1.44). Adds happen from
// one goroutine (CommitBlock, Open); lookups from any.
type absentFilter struct {
	seed     [2]maphash.Seed
	prefixes [][]byte // covered keys, as stored (table prefix included)

	mu   sync.Mutex                  // serialises adds
	segs atomic.Pointer[[]*bloomSeg] // newest last
}

type bloomSeg struct {
	words []atomic.Uint64
	bits  uint64
	cap   int // keys before the next segment starts
	n     int // keys added (under absentFilter.mu)
}

const (
	bloomBitsPerKey     = 10 // the first segment's
	bloomBitsPerKeyStep = 2  // each later segment's more than the one before
	bloomBitsPerKeyMax  = 20
	bloomProbes         = 7
	bloomFirstCap       = 1 << 18
)

func newAbsentFilter(prefixes [][]byte) *absentFilter {
	f := &absentFilter{seed: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, prefixes: prefixes}
	f.segs.Store(&[]*bloomSeg{newBloomSeg(bloomFirstCap, bloomBitsPerKey)})
	return f
}

func newBloomSeg(capacity, bitsPerKey int) *bloomSeg {
	bits := uint64(capacity) * uint64(bitsPerKey)
	return &bloomSeg{words: make([]atomic.Uint64, (bits+63)/64), bits: bits, cap: capacity}
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
	h1, h2 := f.hash(key)
	f.mu.Lock()
	defer f.mu.Unlock()
	segs := *f.segs.Load()
	s := segs[len(segs)-1]
	if s.n >= s.cap {
		s = newBloomSeg(2*s.cap, min(bloomBitsPerKey+bloomBitsPerKeyStep*len(segs), bloomBitsPerKeyMax))
		grown := append(append(make([]*bloomSeg, 0, len(segs)+1), segs...), s)
		f.segs.Store(&grown)
	}
	for i := uint64(0); i < bloomProbes; i++ {
		b := (h1 + i*h2) % s.bits
		s.words[b/64].Or(1 << (b % 64))
	}
	s.n++
}

// absent reports whether key (as stored) is certainly not in the store: it
// is covered and no segment may hold it.
func (f *absentFilter) absent(key []byte) bool {
	if !f.covers(key) {
		return false
	}
	h1, h2 := f.hash(key)
	for _, s := range *f.segs.Load() {
		if s.mayHold(h1, h2) {
			return false
		}
	}
	return true
}

func (s *bloomSeg) mayHold(h1, h2 uint64) bool {
	for i := uint64(0); i < bloomProbes; i++ {
		b := (h1 + i*h2) % s.bits
		if s.words[b/64].Load()&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

// hash derives the probes' two hashes (Kirsch–Mitzenmacher double
// hashing); h2 is odd so that probes differ.
func (f *absentFilter) hash(key []byte) (h1, h2 uint64) {
	return maphash.Bytes(f.seed[0], key), maphash.Bytes(f.seed[1], key) | 1
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
