package store

import (
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
)

// memMeter estimates how full the store's mutable memtable is, so that the
// node can choose when to flush it (StartFlush) instead of leaving it to
// the moment it fills: validators whose memtables fill at the same heights
// would otherwise flush together (node/flushphase.go).
//
// Pebble does not say how much of its mutable memtable is in use, so the
// meter counts the bytes of the batches committed since the last flush
// began and scales them by the ratio of memtable bytes to batch bytes that
// the last flush showed (the memtable's skiplist adds a node of about 40
// bytes to each key: about 1.25 for a block of transactions).
type memMeter struct {
	capacity uint64        // the configured memtable size
	written  atomic.Uint64 // batch bytes in the mutable memtable
	ratio    atomic.Uint64 // memtable bytes per 1,024 batch bytes
	flushes  atomic.Int64  // flushes begun and not yet ended
	// handed is the batch bytes of the memtable StartFlush handed over,
	// until its flush begins and measures the ratio; asked is closed once
	// that flush has ended.
	handed atomic.Uint64
	asked  atomic.Pointer[<-chan struct{}]
}

// initialRatio is the ratio before a flush has measured one: 1.25, as
// measured on the bench's blocks.
const initialRatio = 1280

func newMemMeter(capacity uint64) *memMeter {
	m := &memMeter{capacity: capacity}
	m.ratio.Store(initialRatio)
	return m
}

// wrote counts one committed batch.
func (m *memMeter) wrote(n int) {
	if m != nil {
		m.written.Add(uint64(n))
	}
}

// listener follows Pebble's flushes. A flush Pebble starts by itself (the
// memtable is full) hands the memtable over at its start, so the count
// starts again there; one StartFlush asked for was handed over already.
// Either way the flush's start learns the ratio from the memtable bytes it
// takes.
func (m *memMeter) listener() pebble.EventListener {
	return pebble.EventListener{
		FlushBegin: func(i pebble.FlushInfo) {
			m.flushes.Add(1)
			w := m.handed.Swap(0)
			if w == 0 {
				w = m.written.Swap(0)
			}
			if i.Ingest || w < 256<<10 {
				return // too little to measure the ratio by
			}
			if r := i.InputBytes * 1024 / w; r >= 1024 && r <= 4096 {
				m.ratio.Store(r)
			}
		},
		FlushEnd: func(pebble.FlushInfo) { m.flushes.Add(-1) },
	}
}

// MemTable is how full the store's mutable memtable is, estimated.
type MemTable struct {
	// Used estimates the bytes in use; Capacity is the configured size, at
	// which Pebble flushes by itself.
	Used, Capacity uint64
	// Flushing reports a flush under way.
	Flushing bool
}

// MemTable estimates how full the mutable memtable is; zero for a store
// opened with the caller's own Pebble options.
func (s *Store) MemTable() MemTable {
	m := s.mem
	if m == nil {
		return MemTable{}
	}
	flushing := m.flushes.Load() > 0
	if c := m.asked.Load(); c != nil {
		select {
		case <-*c:
		default:
			flushing = true
		}
	}
	return MemTable{
		Used:     m.written.Load() * m.ratio.Load() / 1024,
		Capacity: m.capacity,
		Flushing: flushing,
	}
}

// StartFlush hands the mutable memtable to a flush and returns without
// waiting for it: commits go on into a fresh memtable meanwhile. Call it
// from the goroutine that commits, so that the count of the memtable it
// hands over is exact.
func (s *Store) StartFlush() error {
	done, err := s.db.AsyncFlush()
	if err != nil {
		return err
	}
	if m := s.mem; m != nil {
		m.handed.Store(m.written.Swap(0))
		m.asked.Store(&done)
	}
	return nil
}
