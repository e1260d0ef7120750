package store

import (
	"bytes"
	"slices"

	"github.com/cockroachdb/pebble/v2"
)

// How the store's keys are cut into tables, and which values live outside
// them.
//
// spanPolicy ends flush and compaction outputs at the bounds of the tables
// whose keys come in different orders (tableSplits): block bodies never
// share a table with the keys around them, and the results, keyed by
// height, no longer share one with the random-keyed state and transaction
// index. An L0 table of state or of the index then holds that table's keys
// only: a point lookup of a state key or a transaction hash meets only its
// own table's L0 tables, and a results table that overlaps nothing below
// it moves down a level without being rewritten (moves 61 -> 104 in node1's
// log of a 5-minute run). Two alternating rounds at 4,000 tx/s
// offered: 121-127 µs per transaction per validator against 133-171, with
// about as many bytes compacted (docs/benchmarks.md, "Tables kept apart").
// The price is disk: a results table moved to the bottom level keeps L0's
// Snappy compression (results 58 -> 75 bytes per transaction compacted).
//
// Values stay in their tables — state values are read by point lookup in
// execution and must not pay for a blob read — except in two kinds of span,
// whose values of blobMinimumSize or more go to blob files at flush, which
// compactions carry by reference instead of rewriting (blobPolicy):
//
//   - the block bodies, one value of up to a megabyte a height;
//   - the state prefixes of Options.SeparatedState: records written once
//     and read back by the API rather than by execution (an event's
//     record, an anchor). They are most of the state's bytes, and their
//     keys are hashes: every compaction out of L0 rewrote them with the
//     base level's tables under them (docs/benchmarks.md, "Records out of
//     the compactions' way").

// spanPolicy is the store's pebble.SpanPolicyFunc, with the state prefixes
// of separated (state keys without the table's prefix byte) in spans of
// their own whose values are separated.
func spanPolicy(separated [][]byte) pebble.SpanPolicyFunc {
	spans := make([][2][]byte, 0, len(separated))
	for _, p := range separated {
		if len(p) == 0 {
			continue
		}
		lo := stateKey(p)
		hi := prefixUpper(lo) // not nil: lo starts with prefixState
		spans = append(spans, [2][]byte{lo, hi})
	}
	slices.SortFunc(spans, func(a, b [2][]byte) int { return bytes.Compare(a[0], b[0]) })
	// A prefix inside another's span (t/ and t/e/) is already separated.
	kept := spans[:0]
	for _, sp := range spans {
		if len(kept) > 0 && bytes.Compare(sp[0], kept[len(kept)-1][1]) < 0 {
			continue
		}
		kept = append(kept, sp)
	}
	spans = kept
	return func(start []byte) (pebble.SpanPolicy, []byte, error) {
		policy := pebble.SpanPolicy{ValueStoragePolicy: pebble.ValueStorageLowReadLatency}
		if len(start) > 0 && start[0] == prefixBlock {
			policy = pebble.SpanPolicy{} // block bodies: blobPolicy
		}
		var end []byte
		for _, b := range tableSplits {
			if len(start) == 0 || start[0] < b {
				end = []byte{b}
				break
			}
		}
		for _, sp := range spans {
			if bytes.Compare(start, sp[1]) >= 0 {
				continue // a span below start
			}
			if bytes.Compare(start, sp[0]) >= 0 {
				return pebble.SpanPolicy{}, sp[1], nil // inside it: blobPolicy
			}
			if end == nil || bytes.Compare(sp[0], end) < 0 {
				end = sp[0] // the next span starts before the table ends
			}
			break
		}
		return policy, end, nil
	}
}

// tableSplits are the first keys of the spans spanPolicy keeps apart. The
// spans, in key order: headers and app hashes ('H', 'a'); the blocks; the
// commits, the block-hash index and the meta keys ('c', 'h', 'm': a few
// keys a height); the results; the state; the transaction index; the
// validator sets and writes trees ('v', 'w').
var tableSplits = []byte{prefixBlock, prefixBlock + 1, prefixResult, prefixState, prefixTx, prefixTx + 1}

// blobMinimumSize is the smallest value kept in a blob file rather than in
// its sstable, in the spans that separate values: blocks under load are
// tens to hundreds of kilobytes, an empty block's body a few hundred bytes;
// an event's record about 350 bytes, an anchor about 200. A blob
// reference costs its sstable about ten bytes.
const blobMinimumSize = 128
