package node

import (
	"log/slog"

	"github.com/qianchain/qianchain/ledger/store"
)

// Validators write the same bytes at each height, so left to Pebble they
// flush their memtables at nearly the same heights. memtable.go gives each
// a memtable of its own size, but sizes 8 % apart make flush periods 8 %
// apart, and neighbours drift into phase about once a minute: in a
// debug-logged 5-minute run at 3,000 tx/s, every one of the five dips in
// the commit rate fell where two or three validators flushed within a
// second of each other (docs/benchmarks.md). A flush and the compaction
// after it take a core for 0.1 to 1 s; one validator of four busy with
// them leaves a quorum, two do not.
//
// So a validator flushes at heights of its own: validator i of n only at
// heights h with h mod (n·flushSpacing) = i·flushSpacing, flushSpacing
// heights after its predecessor in the set, and only when its memtable
// would otherwise fill before its next such height. At 3,000 tx/s a height
// takes about 0.25 s, so two validators' flushes start about 0.75 s apart
// and each validator's slot comes every 3 s. The memtable's own size stays
// the bound: a burst that fills it before the slot is flushed by Pebble as
// before.
const flushSpacing = 3

// flushPhase decides, after each stored height, whether this validator
// flushes its memtable now. It runs on the goroutine that commits.
type flushPhase struct {
	st  *store.Store
	log *slog.Logger
	// perHeight is a moving average of the memtable bytes one height
	// adds; lastUsed the estimate after the height before.
	perHeight, lastUsed uint64
}

// stored is called after height h is stored; index is this validator's
// index in the set of n validators that signs the next height (-1 for an
// observer, which flushes when Pebble does).
func (f *flushPhase) stored(h uint64, index, n int) {
	if f == nil {
		return
	}
	m := f.st.MemTable()
	grew := m.Used
	if m.Used >= f.lastUsed {
		grew = m.Used - f.lastUsed
	}
	f.lastUsed = m.Used
	f.perHeight = (3*f.perHeight + grew) / 4
	if m.Flushing || !flushDue(h, index, n, m.Used, m.Capacity, f.perHeight) {
		return
	}
	if err := f.st.StartFlush(); err != nil {
		f.log.Warn("could not start a flush", "height", h, "err", err)
		return
	}
	f.lastUsed = 0
	f.log.Debug("flushing the memtable at this validator's height", "height", h, "used", m.Used, "capacity", m.Capacity, "per_height", f.perHeight)
}

// flushDue reports whether validator index of n flushes after height h,
// with used bytes of its memtable's capacity filled and perHeight bytes
// added per height: at its own heights, when the memtable would fill (with
// half again as much to spare, for blocks of uneven size) before the next.
// A memtable under a quarter full is never flushed early.
func flushDue(h uint64, index, n int, used, capacity, perHeight uint64) bool {
	if index < 0 || n < 2 || capacity == 0 {
		return false
	}
	period := uint64(n * flushSpacing)
	if h%period != uint64(index*flushSpacing) {
		return false
	}
	return used >= capacity/4 && used+perHeight*period*3/2 >= capacity
}
