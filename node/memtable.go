package node

// Validators hold the same state and write the same bytes at each height,
// so with equal memtables every validator would flush (and then compact)
// its store at the same height. A flush and the compaction after it take
// a core for a second or more; when all validators pause at once, consensus
// pauses with them, while one paused validator of four does not hold up a
// quorum. So each validator's memtable gets its own size, spread by its
// index in the validator set from 40 MB to just under 64 MB: for four
// validators 40, 46, 52 and 58 MB, which at 3,000 tx/s (about 3 MB of
// memtable per second) fill in 13 to 19 s. All stay under 64 MB because
// Pebble grows a new store's memtables by doubling from 256 KB up to the
// configured size: above 64 MB, the doubling step would give two
// validators the same 64 MB memtable. An observer votes on nothing and
// keeps the default.
const (
	memTableMin    = 40 << 20
	memTableSpread = 24 << 20
)

// memTableSize is the memtable size of the validator at index of n
// validators, or 0 (the store's default) for an observer (index < 0).
func memTableSize(index, n int) uint64 {
	if index < 0 || n <= 0 {
		return 0
	}
	return memTableMin + uint64(memTableSpread)*uint64(index)/uint64(n)
}
