package merkle

import (
	"errors"
	"fmt"
)

// Proof is an inclusion proof: the audit path of RFC 6962 section 2.1.1 for
// the leaf at Index in a tree of Size leaves, siblings from the leaf upwards.
type Proof struct {
	Index uint64
	Size  uint64
	Path  []Hash
}

// MaxPathLen bounds a proof's length: a tree of at most 2^64 leaves has
// depth at most 64.
const MaxPathLen = 64

// Prove returns the inclusion proof for leaf index in the tree over leaves
// (leaf hashes). leaves is not modified.
func Prove(leaves []Hash, index uint64) (Proof, error) {
	n := uint64(len(leaves))
	if index >= n {
		return Proof{}, fmt.Errorf("merkle: index %d out of range for %d leaves", index, n)
	}
	hs := newHasher()
	level := append([]Hash(nil), leaves...)
	var path []Hash
	i := index
	for len(level) > 1 {
		// The sibling is i^1 if it exists; a last, unpaired node has none
		// at this level and is carried up, adding nothing to the path.
		if sib := i ^ 1; sib < uint64(len(level)) {
			path = append(path, level[sib])
		}
		next := level[:0]
		for j := 0; j+1 < len(level); j += 2 {
			next = append(next, hs.node(level[j], level[j+1]))
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		level = next
		i /= 2
	}
	return Proof{Index: index, Size: n, Path: path}, nil
}

// Errors returned by Verify.
var (
	ErrIndexOutOfRange = errors.New("merkle: leaf index is not less than tree size")
	ErrPathLength      = errors.New("merkle: proof path has the wrong length for this index and size")
	ErrRootMismatch    = errors.New("merkle: proof does not lead to the expected root")
)

// RootFromProof computes the root that p implies for the leaf hash leaf,
// following RFC 9162 section 2.1.3.2. It fails if the path's length does not
// fit p.Index and p.Size.
func RootFromProof(leaf Hash, p Proof) (Hash, error) {
	if p.Index >= p.Size {
		return Hash{}, ErrIndexOutOfRange
	}
	if len(p.Path) > MaxPathLen {
		return Hash{}, ErrPathLength
	}
	hs := newHasher()
	fn, sn := p.Index, p.Size-1
	r := leaf
	for _, sib := range p.Path {
		if sn == 0 {
			return Hash{}, ErrPathLength
		}
		if fn&1 == 1 || fn == sn {
			r = hs.node(sib, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = hs.node(r, sib)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return Hash{}, ErrPathLength
	}
	return r, nil
}

// Verify checks that p proves leaf (a leaf hash) is in the tree with root.
func Verify(leaf Hash, p Proof, root Hash) error {
	got, err := RootFromProof(leaf, p)
	if err != nil {
		return err
	}
	if got != root {
		return ErrRootMismatch
	}
	return nil
}

// PathLen is the number of siblings in the inclusion proof of leaf index in
// a tree of size leaves (index < size).
func PathLen(index, size uint64) int {
	n := 0
	fn, sn := index, size-1
	for sn != 0 {
		if fn&1 == 1 || fn != sn {
			n++
		}
		fn >>= 1
		sn >>= 1
	}
	return n
}
