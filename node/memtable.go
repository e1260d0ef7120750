package node

// Validators hold the same state and write the same bytes at each height,
// so with equal memtables every validator would flush (and then compact)
// its store at the same height. (Sizes alone drift into phase; the flush
// at a validator's own heights, flushphase.go, keeps them apart, and these
// sizes remain the bound when a burst fills a memtable before its turn.) A flush and the compaction after it take
// a core for a second or more; when all validators pause at once, consensus
// pauses with them, while one paused validator of four does not hold up a
// quorum. So each validator's memtable gets its own size, spread by its
// index in the validator set from 24 MB to just under 32 MB: for four
// validators 24, 26, 28 and 30 MB, which at 4,000 tx/s (about 4 MB of
// memtable per second) fill in 6 to 8 s. All stay under 32 MB because
// Pebble grows a new store's memtables by doubling from 256 KB up to the
// configured size: above 32 MB, the doubling step would give two
// validators the same 32 MB memtable. An observer votes on nothing and
// keeps the default.
//
// The size is memory: a store holds up to two memtables (one filling, one
// being flushed), so 64 MB memtables put up to 128 MB of a validator's
// 300 MB budget there. With these sizes, the 64 MB block cache and a
// smaller signature cache, a validator's peak RSS over 60 s at 2,500 tx/s
// went from 383-398 MiB to 240-247 MiB; flushing twice as often cost about
// 1 µs of CPU per transaction in compactions (docs/benchmarks.md,
// Headroom).
const (
	memTableMin    = 24 << 20
	memTableSpread = 8 << 20
)

// memTableSize is the memtable size of the validator at index of n
// validators, or 0 (the store's default) for an observer (index < 0).
func memTableSize(index, n int) uint64 {
	if index < 0 || n <= 0 {
		return 0
	}
	return memTableMin + uint64(memTableSpread)*uint64(index)/uint64(n)
}
