package merkle

import (
	"crypto/sha256"
)

// Hash is a SHA-256 digest.
type Hash = [sha256.Size]byte

const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// EmptyRoot is the root of the tree with no leaves.
var EmptyRoot = Hash(sha256.Sum256(nil))

// LeafHash is SHA-256(0x00 || data). The digest stays on the stack: it
// allocates nothing (TestRootsAllocateNothingPerHash).
func LeafHash(data []byte) Hash {
	h := sha256.New()
	h.Write([]byte{leafPrefix})
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// hasher holds the buffer of a tree's node hashes. Each is
// sha256.Sum256 of it: a hash.Hash kept in the hasher escaped to the heap
// with it, and every node's digest was allocated (about 5,000 allocations
// for a block of 5,000 transactions, docs/benchmarks.md "Fewer allocations
// per transaction").
type hasher struct {
	buf [1 + 2*sha256.Size]byte
}

func newHasher() *hasher {
	hs := &hasher{}
	hs.buf[0] = nodePrefix
	return hs
}

// node is SHA-256(0x01 || left || right).
func (hs *hasher) node(left, right Hash) Hash {
	copy(hs.buf[1:], left[:])
	copy(hs.buf[1+sha256.Size:], right[:])
	return sha256.Sum256(hs.buf[:])
}

// NodeHash is SHA-256(0x01 || left || right).
func NodeHash(left, right Hash) Hash { return newHasher().node(left, right) }

// Root returns the tree hash of the leaves whose leaf hashes are given.
//
// It works bottom-up: pair neighbours at each level and carry an unpaired
// last node up unchanged. That builds exactly RFC 6962's tree, whose left
// subtrees are always complete, in place and without recursion. leaves is
// overwritten.
func Root(leaves []Hash) Hash {
	if len(leaves) == 0 {
		return EmptyRoot
	}
	hs := newHasher()
	level := leaves
	for len(level) > 1 {
		next := level[:0]
		for i := 0; i+1 < len(level); i += 2 {
			next = append(next, hs.node(level[i], level[i+1]))
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		level = next
	}
	return level[0]
}

// RootOf hashes each of data as a leaf and returns the tree hash.
func RootOf(data [][]byte) Hash {
	leaves := make([]Hash, len(data))
	for i, d := range data {
		leaves[i] = LeafHash(d)
	}
	return Root(leaves)
}
