package ledger

import (
	"fmt"
	"time"
)

// Header is what a block's hash commits to. Everything about a block that
// can be checked is reachable from its header: the transactions through
// TxRoot, the previous block through PrevBlockHash and LastCommitHash, the
// state through AppHash.
type Header struct {
	ChainID string `json:"chain_id"`
	Height  uint64 `json:"height"`
	// Time is the proposer's clock when it made the block, in nanoseconds
	// since the Unix epoch. It is strictly greater than the previous block's.
	Time          int64 `json:"time"`
	PrevBlockHash Hash  `json:"prev_block_hash"` // zero at height 1
	// TxCount and TxRoot: the number of transactions and the RFC 6962
	// Merkle root over their encodings, in block order.
	TxCount uint32 `json:"tx_count"`
	TxRoot  Hash   `json:"tx_root"`
	// AppHash commits to the state after executing every block up to and
	// including height-1 (the application hash is known only after a block
	// executes, so it rides in the next header).
	AppHash Hash `json:"app_hash"`
	// ValidatorsHash is the hash of the set that signs this height;
	// NextValidatorsHash the hash of the set that signs the next one. Every
	// node derives both from its executed state (a change approved by
	// block h takes effect at h+2, so header h+1 already names it), and a
	// verifier holding only genesis follows the set from header to header
	// through them (docs/consensus.md, "Validator-set changes").
	ValidatorsHash     Hash      `json:"validators_hash"`
	NextValidatorsHash Hash      `json:"next_validators_hash"`
	Proposer           PublicKey `json:"proposer"`
	LastCommitHash     Hash      `json:"last_commit_hash"` // zero at height 1
	EvidenceHash       Hash      `json:"evidence_hash"`    // Merkle root of the block's evidence
}

// Timestamp returns Time as a time.Time in UTC.
func (h *Header) Timestamp() time.Time { return time.Unix(0, h.Time).UTC() }

func (h *Header) encode(e *encoder) {
	e.u8(uint8(TagHeader))
	e.string(h.ChainID)
	e.u64(h.Height)
	e.u64(uint64(h.Time))
	e.fixed(h.PrevBlockHash[:])
	e.u32(h.TxCount)
	e.fixed(h.TxRoot[:])
	e.fixed(h.AppHash[:])
	e.fixed(h.ValidatorsHash[:])
	e.fixed(h.NextValidatorsHash[:])
	e.fixed(h.Proposer[:])
	e.fixed(h.LastCommitHash[:])
	e.fixed(h.EvidenceHash[:])
}

// Encode returns the canonical encoding.
func (h *Header) Encode() []byte {
	e := encoder{buf: make([]byte, 0, 384)}
	h.encode(&e)
	return e.buf
}

// Hash is the block hash: SHA-256 of the header's encoding.
func (h *Header) Hash() Hash { return Sum(h.Encode()) }

// DecodeHeader decodes the canonical encoding of a header.
func DecodeHeader(b []byte) (*Header, error) {
	d := newDecoder("header", b)
	h := decodeHeader(d)
	if err := d.finish(); err != nil {
		return nil, err
	}
	return h, nil
}

func decodeHeader(d *decoder) *Header {
	h := &Header{}
	d.tag(TagHeader)
	h.ChainID = d.chainID("chain_id", "")
	h.Height = d.height("height")
	t := d.u64("time")
	if d.err == nil && t > MaxUnixNanoseconds {
		d.fail("time", "%d exceeds limit %d", t, uint64(MaxUnixNanoseconds))
	}
	h.Time = int64(t)
	d.fixed("prev_block_hash", h.PrevBlockHash[:])
	h.TxCount = d.u32("tx_count")
	if d.err == nil && h.TxCount > MaxBlockTxs {
		d.fail("tx_count", "%d exceeds limit %d", h.TxCount, MaxBlockTxs)
	}
	d.fixed("tx_root", h.TxRoot[:])
	d.fixed("app_hash", h.AppHash[:])
	d.fixed("validators_hash", h.ValidatorsHash[:])
	d.fixed("next_validators_hash", h.NextValidatorsHash[:])
	d.fixed("proposer", h.Proposer[:])
	d.fixed("last_commit_hash", h.LastCommitHash[:])
	d.fixed("evidence_hash", h.EvidenceHash[:])
	if d.err == nil && h.Height == 1 && (!h.PrevBlockHash.IsZero() || !h.LastCommitHash.IsZero()) {
		d.fail("prev_block_hash", "the first block's previous block hash and last commit hash must be zero")
	}
	return h
}

// String is a one-line summary for logs.
func (h *Header) String() string {
	return fmt.Sprintf("#%d %s txs=%d", h.Height, h.Hash().Short(), h.TxCount)
}
