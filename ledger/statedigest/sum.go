package statedigest

import (
	"encoding/binary"
	"fmt"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// Lanes is the number of 16-bit lanes of a Sum; Size its encoding's length.
const (
	Lanes = 1024
	Size  = 2 * Lanes
	words = Lanes / 4
)

// Domain is the tag of Digest.
const Domain = "qian/state/v1"

// Sum is the LtHash of a set of elements: 1,024 lanes of 16 bits, held four
// to a word (lane 4i+j in bits 16j to 16j+15 of word i, so that the
// little-endian encoding of the words is the little-endian encoding of the
// lanes). The zero value is the Sum of the empty set.
type Sum struct {
	w [words]uint64
}

// Masks of the lanes' top bits and of the other 15 bits: a lane-wise sum
// adds the low 15 bits of each lane (no carry crosses into the next lane)
// and sets the top bit by exclusive or.
const (
	hi = 0x8000_8000_8000_8000
	lo = ^uint64(hi)
)

// add sets s to s + e lane-wise modulo 2^16.
func (s *Sum) add(e *[words]uint64) {
	for i, b := range e {
		a := s.w[i]
		s.w[i] = ((a & lo) + (b & lo)) ^ ((a ^ b) & hi)
	}
}

// sub sets s to s - e lane-wise modulo 2^16.
func (s *Sum) sub(e *[words]uint64) {
	for i, b := range e {
		a := s.w[i]
		s.w[i] = ((a | hi) - (b & lo)) ^ ((a ^ ^b) & hi)
	}
}

// Combine adds the set o sums to s (the Sum of the union of two disjoint
// sets).
func (s *Sum) Combine(o *Sum) { s.add(&o.w) }

// Lane returns lane i (0 ≤ i < Lanes).
func (s *Sum) Lane(i int) uint16 { return uint16(s.w[i/4] >> (16 * (i % 4))) }

// Encode returns the Sum's 2,048 bytes: the lanes in order, each
// little-endian.
func (s *Sum) Encode() []byte {
	out := make([]byte, Size)
	for i, w := range s.w {
		binary.LittleEndian.PutUint64(out[8*i:], w)
	}
	return out
}

// Decode reads what Encode wrote.
func Decode(b []byte) (Sum, error) {
	var s Sum
	if len(b) != Size {
		return s, fmt.Errorf("state digest sum of %d bytes, want %d", len(b), Size)
	}
	for i := range s.w {
		s.w[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return s, nil
}

// Digest is the 32 bytes the app hash commits to:
// TaggedHash("qian/state/v1", Encode()).
func (s *Sum) Digest() ledger.Hash { return ledger.TaggedHash(Domain, s.Encode()) }

// AppendWriteLeaf appends a write's leaf data in the writes tree to dst:
// bytes(key), then 00 for a delete or 01 ‖ bytes(value) for a set, bytes
// being a uvarint length and the bytes (value nil is a delete; empty is a
// set to nothing). The executor hashes these leaves for the app hash
// (contracts) and the store for a height it is handed without its tree
// (ledger/store.WritesTree): one encoding, so the two cannot drift.
func AppendWriteLeaf(dst, key, value []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	if value == nil {
		return append(dst, 0)
	}
	dst = append(dst, 1)
	dst = binary.AppendUvarint(dst, uint64(len(value)))
	return append(dst, value...)
}

// WritesRoot is the writes root of a block, the app hash's commitment to
// what the block changed and to the state it left (docs/state.md section
// 2): the Merkle node over tree, the RFC 6962 root of the block's writes,
// and the leaf 00 ‖ digest, the state digest after the block. The leaf's
// first byte, a zero-length key, is one no write's leaf has.
func WritesRoot(tree, digest ledger.Hash) ledger.Hash {
	leaf := make([]byte, 0, 1+ledger.HashSize)
	leaf = append(append(leaf, 0), digest[:]...)
	return ledger.Hash(merkle.NodeHash(merkle.Hash(tree), merkle.LeafHash(leaf)))
}
