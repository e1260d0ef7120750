package notary

import (
	"crypto/sha256"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// Batch is the RFC 6962 Merkle tree over a batch's items, built by the
// client that anchors it. Item i is a 32-byte hash (typically the SHA-256
// of a file); its leaf is SHA-256(0x00 || item), as in ledger/merkle.
//
// Batch keeps every level of the tree (about 64 MB for 1,000,000 items) so
// that each item's certificate costs O(log n), not a tree rebuild.
type Batch struct {
	items  []ledger.Hash
	levels [][]merkle.Hash // levels[0] are the leaf hashes; the last level is the root
}

// NewBatch builds the tree over 1 to MaxBatchItems items. items is kept,
// not copied: the caller must not modify it.
func NewBatch(items []ledger.Hash) (*Batch, error) {
	if len(items) == 0 || len(items) > MaxBatchItems {
		return nil, call.Errorf(call.ErrInvalid, "a batch holds 1 to %d items, not %d", MaxBatchItems, len(items))
	}
	leaves := make([]merkle.Hash, len(items))
	var buf [1 + 32]byte // leaf prefix 0x00, then the item
	h := sha256.New()
	for i, it := range items {
		copy(buf[1:], it[:])
		h.Reset()
		h.Write(buf[:])
		h.Sum(leaves[i][:0])
	}
	b := &Batch{items: items, levels: [][]merkle.Hash{leaves}}
	var node [1 + 64]byte
	node[0] = 0x01
	for level := leaves; len(level) > 1; {
		next := make([]merkle.Hash, (len(level)+1)/2)
		for i := 0; i+1 < len(level); i += 2 {
			copy(node[1:], level[i][:])
			copy(node[33:], level[i+1][:])
			h.Reset()
			h.Write(node[:])
			h.Sum(next[i/2][:0])
		}
		if len(level)%2 == 1 {
			next[len(next)-1] = level[len(level)-1] // an unpaired node is carried up
		}
		b.levels = append(b.levels, next)
		level = next
	}
	return b, nil
}

// Size is the number of items.
func (b *Batch) Size() int { return len(b.items) }

// Root is the tree's root, which notary.anchor_batch anchors.
func (b *Batch) Root() ledger.Hash { return b.levels[len(b.levels)-1][0] }

// Payload returns the notary.anchor_batch payload for the batch.
func (b *Batch) Payload(name string, attrs []Attr) []byte {
	as := append([]Attr(nil), attrs...)
	SortAttrs(as)
	p := &BatchPayload{Root: b.Root(), Size: uint64(len(b.items)), Name: name, Attrs: as}
	return p.Encode()
}

// Proof returns item i's inclusion proof, identical to merkle.Prove's. Once
// the anchoring transaction is committed, the item's offline certificate is
// its proof bundle with this path attached (ledger/proof: AttachBatchItem,
// NewCertificate).
func (b *Batch) Proof(i int) merkle.Proof {
	p := merkle.Proof{Index: uint64(i), Size: uint64(len(b.items))}
	idx := i
	for _, level := range b.levels[:len(b.levels)-1] {
		if sib := idx ^ 1; sib < len(level) {
			p.Path = append(p.Path, level[sib])
		}
		idx /= 2
	}
	return p
}
