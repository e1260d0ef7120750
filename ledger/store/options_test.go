package store

import (
	"context"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger/ledgertest"
)

// TestBottomLevelTables: once compacted, a store's tables sit on the
// bottom level, Zstandard-compressed and without a Bloom filter (which
// Pebble's point reads never consult there): what keeps a compacted store
// within twice its transactions' size (docs/benchmarks.md, "Disk").
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
	bottom := levels[len(levels)-1]
	if len(bottom) == 0 {
		t.Fatal("no table on the bottom level after a compaction")
	}
	for _, tab := range bottom {
		if p := tab.Properties; p.CompressionName != "ZSTD" || p.FilterPolicyName != "" {
			t.Errorf("bottom-level table %s: compression %q, filter %q; want ZSTD and none", tab.FileNum, p.CompressionName, p.FilterPolicyName)
		}
	}
}
