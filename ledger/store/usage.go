package store

import (
	"context"
	"fmt"
)

// What the store holds on disk, by table, for operators sizing disks and
// for the benchmarks' disk per committed transaction (docs/benchmarks.md).
// Pebble estimates a key range's bytes from the tables that cover it, so the
// figures are exact only after a full compaction (Compact): before it, a
// range's share of tables that span several ranges is interpolated and
// memtables and the write-ahead log are not counted. A range's values in
// blob files (block bodies, separated records) count as the bytes its
// tables reference, not the garbage beside them in the same files (values
// a compaction wrote again elsewhere); the data directory's size has it.

// TableUsage is one table's estimated bytes on disk.
type TableUsage struct {
	Name   string
	Prefix byte
	Bytes  uint64
}

// tables names every key prefix (doc.go's layout).
var tables = []struct {
	name   string
	prefix byte
}{
	{"blocks", prefixBlock},
	{"headers", prefixHeader},
	{"block hashes", prefixHash},
	{"commits", prefixCommit},
	{"app hashes", prefixAppHash},
	{"tx index", prefixTx},
	{"results", prefixResult},
	{"writes roots", prefixWritesRoot},
	{"state", prefixState},
	{"meta", prefixMeta},
}

// Usage estimates each table's bytes on disk (see above), in the order of
// doc.go's layout.
func (s *Store) Usage() ([]TableUsage, error) {
	out := make([]TableUsage, 0, len(tables))
	for _, t := range tables {
		n, err := s.db.EstimateDiskUsage([]byte{t.prefix}, []byte{t.prefix + 1})
		if err != nil {
			return nil, fmt.Errorf("estimate %s: %w", t.name, err)
		}
		out = append(out, TableUsage{Name: t.name, Prefix: t.prefix, Bytes: n})
	}
	return out, nil
}

// Compact flushes the memtables and compacts every table into the bottom
// level, as Pebble would eventually; afterwards Usage is exact (but for
// blob files' garbage, above) and the write-ahead logs hold nothing the
// tables do not. It can take a while on a
// large chain and must not run beside a node's load (it is for a stopped
// node's store, opened by an offline tool).
func (s *Store) Compact(ctx context.Context) error {
	if err := s.db.Flush(); err != nil {
		return fmt.Errorf("compact: flush: %w", err)
	}
	if err := s.db.Compact(ctx, []byte{0}, []byte{0xff}, true); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	return nil
}

// CommittedTxs counts the transactions of every block the store holds
// (from BlockBase()+1: a store restored from a snapshot, or pruned, has
// none below) and the bytes of their canonical encodings: what "bytes on
// disk per transaction" is measured against. It reads every block.
func (s *Store) CommittedTxs() (txs, bytes uint64, err error) {
	for h := s.BlockBase() + 1; h <= s.Height(); h++ {
		b, err := s.Block(h)
		if err != nil {
			return 0, 0, err
		}
		for _, tx := range b.Txs {
			txs++
			bytes += uint64(len(tx.Encode()))
		}
	}
	return txs, bytes, nil
}

// StateUsage estimates the bytes on disk of the state keys that start
// with prefix (all of them for an empty one): one contract's share of the
// state table, for `qian bench disk`.
func (s *Store) StateUsage(prefix []byte) (uint64, error) {
	lo := stateKey(prefix)
	n, err := s.db.EstimateDiskUsage(lo, prefixUpper(lo))
	if err != nil {
		return 0, fmt.Errorf("estimate state %q: %w", prefix, err)
	}
	return n, nil
}
