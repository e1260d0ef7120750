package notary

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

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

// Proof returns item i's inclusion proof, identical to merkle.Prove's.
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

// Certificate proves offline that an item belongs to a batch whose root a
// signed transaction anchored: item -> root (the Merkle path) -> transaction
// (whose payload names the root, and whose signature binds it to the
// anchoring key). That the transaction is in a committed block is proven by
// the ledger's proof bundle for TxHash (`qian proof`, `qian verify`).
type Certificate struct {
	Version int         `json:"version"` // 1
	ChainID string      `json:"chain_id"`
	Item    ledger.Hash `json:"item"`  // the item's hash, e.g. SHA-256 of the file
	Index   uint64      `json:"index"` // leaf index
	Size    uint64      `json:"size"`  // leaves in the batch
	Path    []string    `json:"path"`  // sibling hashes, hex, leaf upwards
	Root    ledger.Hash `json:"root"`
	Tx      string      `json:"tx"`      // the anchoring transaction's canonical encoding, hex
	TxHash  ledger.Hash `json:"tx_hash"` // its hash
	Height  uint64      `json:"height,omitempty"`
	// Name is the item's name in the batch (a file name), for people; it
	// is not verified.
	Name string `json:"name,omitempty"`
}

// Certificate returns item i's certificate, given the signed anchoring
// transaction. height may be 0 before the transaction commits.
func (b *Batch) Certificate(i int, tx *ledger.Tx, height uint64) *Certificate {
	p := b.Proof(i)
	c := &Certificate{Version: 1, ChainID: tx.ChainID, Item: b.items[i], Index: p.Index, Size: p.Size,
		Root: b.Root(), Tx: hex.EncodeToString(tx.Encode()), TxHash: tx.Hash(), Height: height}
	c.Path = make([]string, len(p.Path))
	for j, h := range p.Path {
		c.Path[j] = hex.EncodeToString(h[:])
	}
	return c
}

// MarshalIndent renders a certificate as the JSON file a client keeps.
func (c *Certificate) MarshalIndent() []byte {
	b, _ := json.MarshalIndent(c, "", "  ") // plain fields always marshal
	return append(b, '\n')
}

// ParseCertificate reads a certificate file.
func ParseCertificate(b []byte) (*Certificate, error) {
	var c Certificate
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, call.Errorf(call.ErrCertificate, "not a notary certificate: %v", err)
	}
	return &c, nil
}

func certErr(format string, args ...any) error {
	return call.Errorf(call.ErrCertificate, format, args...)
}

// VerifyCertificate checks a certificate offline: the item's path leads to
// Root; Tx decodes, is a notary.anchor_batch on ChainID whose payload names
// Root and Size, hashes to TxHash, and carries a valid signature. It does
// not check that the transaction committed (that is the proof bundle's
// job) nor who the sender is (compare Sender with the membership records).
// A failure is an ERR_CERTIFICATE *call.Error.
func VerifyCertificate(c *Certificate) (*ledger.Tx, error) {
	if c.Version != 1 {
		return nil, certErr("unknown certificate version %d", c.Version)
	}
	p := merkle.Proof{Index: c.Index, Size: c.Size}
	for i, s := range c.Path {
		h, err := ledger.ParseHash(s)
		if err != nil {
			return nil, certErr("path[%d]: %v", i, err)
		}
		p.Path = append(p.Path, h)
	}
	if err := merkle.Verify(merkle.LeafHash(c.Item[:]), p, c.Root); err != nil {
		return nil, certErr("item %s is not in the batch with root %s: %v", c.Item, c.Root, err)
	}
	raw, err := hex.DecodeString(c.Tx)
	if err != nil {
		return nil, certErr("tx is not hexadecimal")
	}
	tx, err := ledger.DecodeTx(raw)
	if err != nil {
		return nil, certErr("tx: %v", err)
	}
	if tx.Hash() != c.TxHash {
		return nil, certErr("tx hashes to %s, the certificate says %s", tx.Hash(), c.TxHash)
	}
	if tx.ChainID != c.ChainID || tx.Contract != Contract || tx.Method != MethodAnchorBatch {
		return nil, certErr("tx is %s.%s on chain %q, not notary.anchor_batch on %q", tx.Contract, tx.Method, tx.ChainID, c.ChainID)
	}
	bp, err := DecodeBatch(tx.Payload)
	if err != nil {
		return nil, certErr("tx payload: %v", err)
	}
	if bp.Root != c.Root || bp.Size != c.Size {
		return nil, certErr("tx anchors root %s of %d items, the certificate says %s of %d", bp.Root, bp.Size, c.Root, c.Size)
	}
	if err := tx.VerifySignature(); err != nil {
		return nil, certErr("tx signature: %v", err)
	}
	return tx, nil
}

// String summarises a certificate for logs.
func (c *Certificate) String() string {
	return fmt.Sprintf("item %s #%d/%d root %s tx %s", c.Item.Short(), c.Index, c.Size, c.Root.Short(), c.TxHash.Short())
}
