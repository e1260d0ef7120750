package ledger

import "fmt"

// VoteType is the step a vote belongs to.
type VoteType uint8

const (
	Prevote   VoteType = 1
	Precommit VoteType = 2
)

func (t VoteType) String() string {
	switch t {
	case Prevote:
		return "prevote"
	case Precommit:
		return "precommit"
	}
	return fmt.Sprintf("VoteType(%d)", uint8(t))
}

// Vote is a validator's signed prevote or precommit for a block (or for nil,
// when BlockHash is nil) at one height and round.
//
// The validator is named by its index in the chain's validator set; the
// signature does not cover the index, because the key that verifies it does
// the naming. The chain's identity (chain id and genesis hash) is covered by
// the signature but not encoded: both sides of a connection know which
// chain they are on.
type Vote struct {
	Type      VoteType  `json:"type"`
	Height    uint64    `json:"height"`
	Round     uint32    `json:"round"`
	BlockHash *Hash     `json:"block_hash"` // nil for a vote for nil
	Validator uint16    `json:"validator"`
	Sig       Signature `json:"signature"`
}

// IsNil reports whether v is a vote for nil.
func (v *Vote) IsNil() bool { return v.BlockHash == nil }

// SignBytes is the message a vote's signature signs: the tagged hash of the
// chain's identity (chain id and genesis hash), type, height, round and
// block hash.
func (v *Vote) SignBytes(chain ChainIdentity) Hash {
	return voteSignBytes(chain, v.Type, v.Height, v.Round, v.BlockHash)
}

func voteSignBytes(chain ChainIdentity, t VoteType, height uint64, round uint32, block *Hash) Hash {
	return TaggedHash(domainVote, voteSignPayload(chain, t, height, round, block))
}

// voteSignPayload is what the vote's tagged hash hashes (docs/encoding.md,
// "Hashes and signatures").
func voteSignPayload(chain ChainIdentity, t VoteType, height uint64, round uint32, block *Hash) []byte {
	e := encoder{buf: make([]byte, 0, 128)}
	chain.encode(&e)
	e.u8(uint8(t))
	e.u64(height)
	e.u32(round)
	e.optionalHash(block)
	return e.buf
}

// Sign sets Sig to k's signature of v on chain.
func (v *Vote) Sign(chain ChainIdentity, k PrivateKey) error {
	if err := chain.Validate(); err != nil {
		return err
	}
	sig, err := k.Sign(v.SignBytes(chain))
	if err != nil {
		return err
	}
	v.Sig = sig
	return nil
}

// Verify checks v's signature, on chain, against the validator's key.
func (v *Vote) Verify(chain ChainIdentity, key PublicKey) error {
	if err := chain.Validate(); err != nil {
		return err
	}
	if !key.Verify(v.SignBytes(chain), v.Sig) {
		return fmt.Errorf("%s from validator %d at height %d round %d: %w", v.Type, v.Validator, v.Height, v.Round, ErrBadSignature)
	}
	return nil
}

func (v *Vote) encode(e *encoder) {
	e.u8(uint8(TagVote))
	e.u8(uint8(v.Type))
	e.u64(v.Height)
	e.u32(v.Round)
	e.optionalHash(v.BlockHash)
	e.u16(v.Validator)
	e.fixed(v.Sig[:])
}

// Encode returns the canonical encoding.
func (v *Vote) Encode() []byte {
	e := encoder{buf: make([]byte, 0, 112)}
	v.encode(&e)
	return e.buf
}

// DecodeVote decodes the canonical encoding of a vote.
func DecodeVote(b []byte) (*Vote, error) {
	d := newDecoder("vote", b)
	v := decodeVote(d)
	if err := d.finish(); err != nil {
		return nil, err
	}
	return v, nil
}

func decodeVote(d *decoder) *Vote {
	v := &Vote{}
	d.tag(TagVote)
	v.Type = VoteType(d.u8("type"))
	if d.err == nil && v.Type != Prevote && v.Type != Precommit {
		d.fail("type", "unknown vote type %d", uint8(v.Type))
	}
	v.Height = d.height("height")
	v.Round = d.round("round")
	v.BlockHash = d.optionalHash("block_hash")
	v.Validator = d.validatorIndex("validator")
	d.fixed("signature", v.Sig[:])
	return v
}

func (e *encoder) optionalHash(h *Hash) {
	if h == nil {
		e.bool(false)
		return
	}
	e.bool(true)
	e.fixed(h[:])
}

func (d *decoder) optionalHash(field string) *Hash {
	if !d.bool(field + " present") {
		return nil
	}
	var h Hash
	d.fixed(field, h[:])
	return &h
}

func (d *decoder) height(field string) uint64 {
	h := d.u64(field)
	if d.err == nil && h == 0 {
		d.fail(field, "height must be at least 1")
	}
	return h
}

func (d *decoder) round(field string) uint32 {
	r := d.u32(field)
	if d.err == nil && r > MaxRound {
		d.fail(field, "round %d exceeds limit %d", r, MaxRound)
	}
	return r
}

func (d *decoder) validatorIndex(field string) uint16 {
	i := d.u16(field)
	if d.err == nil && int(i) >= MaxValidators {
		d.fail(field, "validator index %d exceeds limit %d", i, MaxValidators-1)
	}
	return i
}
