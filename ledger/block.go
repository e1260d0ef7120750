package ledger

import (
	"bytes"
	"fmt"

	"github.com/qianchain/qianchain/ledger/merkle"
)

// Block is a header with the transactions its TxRoot commits to, the commit
// certificate of the previous block (absent at height 1), and evidence of
// validator misbehaviour.
type Block struct {
	Header     Header                   `json:"header"`
	Txs        []*Tx                    `json:"txs"`
	LastCommit *Commit                  `json:"last_commit"`
	Evidence   []*DuplicateVoteEvidence `json:"evidence"`
}

// Hash is the header's hash.
func (b *Block) Hash() Hash { return b.Header.Hash() }

// TxRoot returns the Merkle root over txs' encodings, in order.
func TxRoot(txs []*Tx) Hash {
	leaves := make([]merkle.Hash, len(txs))
	for i, tx := range txs {
		leaves[i] = merkle.LeafHash(tx.encoding())
	}
	return merkle.Root(leaves)
}

// EvidenceRoot returns the Merkle root over the evidence encodings.
func EvidenceRoot(evs []*DuplicateVoteEvidence) Hash {
	leaves := make([]merkle.Hash, len(evs))
	for i, ev := range evs {
		leaves[i] = merkle.LeafHash(ev.Encode())
	}
	return merkle.Root(leaves)
}

// FillHeader sets the header fields derived from the block's contents:
// TxCount, TxRoot, LastCommitHash and EvidenceHash.
func (b *Block) FillHeader() {
	b.Header.TxCount = uint32(len(b.Txs))
	b.Header.TxRoot = TxRoot(b.Txs)
	b.Header.LastCommitHash = ZeroHash
	if b.LastCommit != nil {
		b.Header.LastCommitHash = b.LastCommit.Hash()
	}
	b.Header.EvidenceHash = EvidenceRoot(b.Evidence)
}

// ValidateContents checks that the header's derived fields match the
// contents and that every transaction is for the header's chain. It checks
// no signature and nothing that needs the previous block or the state.
func (b *Block) ValidateContents() error {
	h := &b.Header
	if int(h.TxCount) != len(b.Txs) {
		return fmt.Errorf("block %d: header says %d transactions, block has %d", h.Height, h.TxCount, len(b.Txs))
	}
	for i, tx := range b.Txs {
		if tx.ChainID != h.ChainID {
			return fmt.Errorf("block %d: transaction %d is for chain %q, block is for %q", h.Height, i, tx.ChainID, h.ChainID)
		}
	}
	if root := TxRoot(b.Txs); root != h.TxRoot {
		return fmt.Errorf("block %d: transaction root is %s, header says %s", h.Height, root.Short(), h.TxRoot.Short())
	}
	switch {
	case h.Height == 1 && b.LastCommit != nil:
		return fmt.Errorf("block 1: must not carry a last commit")
	case h.Height > 1 && b.LastCommit == nil:
		return fmt.Errorf("block %d: missing the commit of block %d", h.Height, h.Height-1)
	case h.Height > 1 && b.LastCommit.Height != h.Height-1:
		return fmt.Errorf("block %d: last commit is for height %d", h.Height, b.LastCommit.Height)
	case h.Height > 1 && b.LastCommit.BlockHash != h.PrevBlockHash:
		return fmt.Errorf("block %d: last commit is for block %s, previous block is %s", h.Height, b.LastCommit.BlockHash.Short(), h.PrevBlockHash.Short())
	case h.Height > 1 && b.LastCommit.Hash() != h.LastCommitHash:
		return fmt.Errorf("block %d: last commit hash does not match the header", h.Height)
	}
	if root := EvidenceRoot(b.Evidence); root != h.EvidenceHash {
		return fmt.Errorf("block %d: evidence root does not match the header", h.Height)
	}
	return nil
}

// Encode returns the canonical encoding, in a buffer of exactly its size.
// Sizing it reads each transaction's encoding twice: for a decoded
// transaction (every block a node receives, and its own, built from its
// mempool) that is the kept bytes' check, twice; only a transaction built in
// memory is encoded twice.
func (b *Block) Encode() []byte {
	head, tail := b.ends()
	return b.appendEncoding(make([]byte, 0, b.encodedLen(head, tail)), head, tail)
}

// EncodedLen is the length of the canonical encoding.
func (b *Block) EncodedLen() int { return b.encodedLen(b.ends()) }

// AppendEncoding appends the canonical encoding to dst. With EncodedLen it
// lets a caller encode a block of megabytes straight into memory it already
// holds (a Pebble batch, a message frame): each large buffer allocated is
// one more the allocator may have to scavenge memory for under the node's
// memory limit.
func (b *Block) AppendEncoding(dst []byte) []byte {
	head, tail := b.ends()
	return b.appendEncoding(dst, head, tail)
}

// ends returns the encoding before the transactions (tag, header, count)
// and after them (last commit, evidence): small, encoded once, so that a
// block's length and its bytes come from one description of its layout.
func (b *Block) ends() (head, tail []byte) {
	e := encoder{buf: make([]byte, 0, 512)}
	e.u8(uint8(TagBlock))
	b.Header.encode(&e)
	e.uvarint(uint64(len(b.Txs)))
	head = e.buf[:len(e.buf):len(e.buf)] // tail's bytes follow in the same array
	e = encoder{buf: e.buf[len(e.buf):]}
	if b.LastCommit == nil {
		e.bool(false)
	} else {
		e.bool(true)
		b.LastCommit.encode(&e)
	}
	e.uvarint(uint64(len(b.Evidence)))
	for _, ev := range b.Evidence {
		ev.encode(&e)
	}
	return head, e.buf
}

func (b *Block) encodedLen(head, tail []byte) int {
	n := len(head) + len(tail)
	for _, tx := range b.Txs {
		l := len(tx.encoding())
		n += uvarintLen(uint64(l)) + l
	}
	return n
}

func (b *Block) appendEncoding(dst, head, tail []byte) []byte {
	e := encoder{buf: append(dst, head...)}
	for _, tx := range b.Txs {
		e.bytes(tx.encoding())
	}
	return append(e.buf, tail...)
}

// DecodeBlock decodes the canonical encoding of a block. It checks the
// encoding only; ValidateContents checks the header against the contents.
func DecodeBlock(b []byte) (*Block, error) { return DecodeBlockKnown(b, nil) }

// KnownTx returns a transaction decoded before (a mempool's) that may have
// the canonical encoding enc, or nil. It must not keep enc, may be called
// from several goroutines at once, and the transactions it returns must
// never be modified (blocks share them).
type KnownTx func(enc []byte) *Tx

// DecodeBlockKnown is DecodeBlock, taking each transaction that known
// offers for its encoding instead of decoding it again. Most of a
// proposal's transactions are already in the receiving validator's
// mempool, decoded and hashed at admission; decoding them afresh was a
// sixth of what a validator allocated under load. A candidate is taken
// only when its kept encoding is byte for byte the block's, so a wrong
// candidate (or a lookup keyed on part of the encoding) changes nothing
// but the cost. The block then shares those transactions with their
// owner: neither may change them.
func DecodeBlockKnown(b []byte, known KnownTx) (*Block, error) {
	if len(b) > MaxBlockBytes {
		return nil, &DecodeError{Type: "block", Field: "(whole)", Reason: fmt.Sprintf("%d bytes exceeds limit %d", len(b), MaxBlockBytes)}
	}
	d := newDecoder("block", b)
	blk := &Block{}
	d.tag(TagBlock)
	blk.Header = *decodeHeader(d)
	n := d.count("txs", MaxBlockTxs)
	if n > 0 {
		blk.Txs = make([]*Tx, 0, n)
	}
	var like *Tx
	for i := 0; i < n && d.err == nil; i++ {
		// Each transaction keeps a copy of its own encoding (see Tx.enc);
		// the caller keeps b. One small copy per transaction, rather than
		// one copy of the whole block that every transaction would share:
		// under a memory limit, a large allocation per block costs the Go
		// runtime more (fresh pages, scavenged again) than many small ones.
		raw := d.window("txs", MaxTxBytes)
		if d.err != nil {
			break
		}
		if known != nil {
			if tx := known(raw); tx != nil && bytes.Equal(tx.kept(), raw) {
				blk.Txs = append(blk.Txs, tx)
				like = tx
				continue
			}
		}
		raw = bytes.Clone(raw)
		td := newDecoder("tx", raw)
		tx := decodeTx(td, like)
		if err := td.finish(); err != nil {
			d.fail(fmt.Sprintf("txs[%d]", i), "%v", err)
			break
		}
		tx.keep(raw)
		blk.Txs = append(blk.Txs, tx)
		like = tx
	}
	if d.bool("last_commit present") {
		blk.LastCommit = decodeCommit(d)
	}
	ne := d.count("evidence", MaxEvidence)
	for i := 0; i < ne && d.err == nil; i++ {
		blk.Evidence = append(blk.Evidence, decodeEvidence(d))
	}
	if err := d.finish(); err != nil {
		return nil, err
	}
	return blk, nil
}
