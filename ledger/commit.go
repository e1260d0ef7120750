package ledger

import (
	"fmt"
)

// CommitSig is one validator's precommit signature inside a commit.
type CommitSig struct {
	Validator uint16    `json:"validator"`
	Sig       Signature `json:"signature"`
}

// Commit is the certificate that a block was decided: precommits for
// BlockHash at Height and Round from validators holding more than two thirds
// of the voting power. Signatures are ordered by strictly increasing
// validator index, so a commit has one encoding for a given set of signers.
//
// Different nodes may hold different commits for the same block (each keeps
// the precommits it saw); all of them verify. The commit that the chain
// itself records for height h is the LastCommit of block h+1.
type Commit struct {
	Height    uint64      `json:"height"`
	Round     uint32      `json:"round"`
	BlockHash Hash        `json:"block_hash"`
	Sigs      []CommitSig `json:"signatures"`
}

func (c *Commit) encode(e *encoder) {
	e.u8(uint8(TagCommit))
	e.u64(c.Height)
	e.u32(c.Round)
	e.fixed(c.BlockHash[:])
	e.uvarint(uint64(len(c.Sigs)))
	for _, s := range c.Sigs {
		e.u16(s.Validator)
		e.fixed(s.Sig[:])
	}
}

// Encode returns the canonical encoding.
func (c *Commit) Encode() []byte {
	e := encoder{buf: make([]byte, 0, 48+66*len(c.Sigs))}
	c.encode(&e)
	return e.buf
}

// Hash is SHA-256 of the encoding; the next header carries it.
func (c *Commit) Hash() Hash { return Sum(c.Encode()) }

// Precommit returns signer i's precommit as a vote, as it was signed.
func (c *Commit) Precommit(i int) *Vote {
	h := c.BlockHash
	return &Vote{Type: Precommit, Height: c.Height, Round: c.Round, BlockHash: &h, Validator: c.Sigs[i].Validator, Sig: c.Sigs[i].Sig}
}

// Signers returns the validator indexes that signed, in order.
func (c *Commit) Signers() []int {
	out := make([]int, len(c.Sigs))
	for i, s := range c.Sigs {
		out[i] = int(s.Validator)
	}
	return out
}

// SignedPower sums the power of the signers, without checking signatures.
func (c *Commit) SignedPower(vals *ValidatorSet) uint64 {
	var p uint64
	for _, s := range c.Sigs {
		if v, ok := vals.Get(int(s.Validator)); ok {
			p += v.Power
		}
	}
	return p
}

// SigVerifier checks one signature. A node passes its own record of the
// signatures it has verified itself (the votes it counted); nil means
// PublicKey.Verify.
type SigVerifier interface {
	Verify(key PublicKey, msg Hash, sig Signature) bool
}

// Verify checks that c certifies blockHash at height on chain: every
// signature is a valid precommit by the validator it names, no validator
// appears twice, and the signers hold more than two thirds of the power.
// vals must be the validator set of height.
func (c *Commit) Verify(chain ChainIdentity, vals *ValidatorSet, height uint64, blockHash Hash) error {
	return c.VerifyWith(chain, vals, height, blockHash, nil)
}

// VerifyWith is Verify checking each signature through v (nil:
// PublicKey.Verify).
func (c *Commit) VerifyWith(chain ChainIdentity, vals *ValidatorSet, height uint64, blockHash Hash, v SigVerifier) error {
	if err := chain.Validate(); err != nil {
		return err
	}
	if err := c.CheckSigners(vals, height, blockHash); err != nil {
		return err
	}
	msg := c.SignBytes(chain)
	for _, s := range c.Sigs {
		val, _ := vals.Get(int(s.Validator))
		var valid bool
		if v != nil {
			valid = v.Verify(val.PubKey, msg, s.Sig)
		} else {
			valid = val.PubKey.Verify(msg, s.Sig)
		}
		if !valid {
			return fmt.Errorf("commit at height %d: precommit of validator %d (%s) on chain %s: %w", height, s.Validator, val.PubKey.Short(), chain, ErrBadSignature)
		}
	}
	return nil
}

// CheckSigners checks everything Verify checks except the signatures: c is
// for (height, blockHash), its signers are members of vals in strictly
// increasing order, and they hold more than two thirds of vals' power. A
// verifier that checks many signatures as one batch (ledger/proof) calls
// it, then verifies each signer's precommit, SignBytes, against the
// signer's key in vals; that together is Verify.
func (c *Commit) CheckSigners(vals *ValidatorSet, height uint64, blockHash Hash) error {
	if c.Height != height {
		return fmt.Errorf("commit is for height %d, want %d", c.Height, height)
	}
	if c.BlockHash != blockHash {
		return fmt.Errorf("commit at height %d is for block %s, want %s", height, c.BlockHash.Short(), blockHash.Short())
	}
	var power uint64
	last := -1
	for _, s := range c.Sigs {
		i := int(s.Validator)
		if i <= last {
			return fmt.Errorf("commit at height %d: signers not in strictly increasing order at validator %d", height, i)
		}
		last = i
		v, ok := vals.Get(i)
		if !ok {
			return fmt.Errorf("commit at height %d: validator index %d is not in the set of %d", height, i, vals.Size())
		}
		power += v.Power
	}
	if power < vals.QuorumPower() {
		return fmt.Errorf("commit at height %d: signers hold %d of %d voting power, need more than two thirds (%d)", height, power, vals.TotalPower(), vals.QuorumPower())
	}
	return nil
}

// SignBytes is the message every signature of c signs on chain: the
// precommit sign bytes of (height, round, block).
func (c *Commit) SignBytes(chain ChainIdentity) Hash {
	return voteSignBytes(chain, Precommit, c.Height, c.Round, &c.BlockHash)
}

// DecodeCommit decodes the canonical encoding of a commit.
func DecodeCommit(b []byte) (*Commit, error) {
	d := newDecoder("commit", b)
	c := decodeCommit(d)
	if err := d.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

func decodeCommit(d *decoder) *Commit {
	c := &Commit{}
	d.tag(TagCommit)
	c.Height = d.height("height")
	c.Round = d.round("round")
	d.fixed("block_hash", c.BlockHash[:])
	n := d.count("signatures", MaxValidators)
	if d.err == nil && n == 0 {
		d.fail("signatures", "a commit needs at least one signature")
	}
	c.Sigs = make([]CommitSig, n)
	last := -1
	for i := range c.Sigs {
		c.Sigs[i].Validator = d.validatorIndex("signatures.validator")
		if d.err == nil && int(c.Sigs[i].Validator) <= last {
			d.fail("signatures.validator", "validator %d not in strictly increasing order", c.Sigs[i].Validator)
		}
		last = int(c.Sigs[i].Validator)
		d.fixed("signatures.signature", c.Sigs[i].Sig[:])
	}
	if d.err != nil {
		return nil
	}
	return c
}
