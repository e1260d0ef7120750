package ledger

import (
	"bytes"
	"errors"
	"fmt"
)

// DuplicateVoteEvidence proves that one validator signed two different votes
// of the same type at the same height and round: a fault that honest
// validators never commit. The two votes are ordered by their encodings (A's
// sorts first), so a pair has one encoding.
//
// Signer is the consensus key that signed both. Votes name their validator
// by its index in the set of their height, and once the set changes the
// same index can name another key; the evidence names the key itself, so
// that it accuses the right validator whatever the set is when it is read.
// A verifier checks it against the set of the votes' height: the key must
// be the one at the votes' index there (Verify).
type DuplicateVoteEvidence struct {
	Signer PublicKey `json:"signer"`
	A      *Vote     `json:"vote_a"`
	B      *Vote     `json:"vote_b"`
}

// NewDuplicateVoteEvidence orders two conflicting votes of signer
// canonically.
func NewDuplicateVoteEvidence(signer PublicKey, x, y *Vote) *DuplicateVoteEvidence {
	if bytes.Compare(x.Encode(), y.Encode()) > 0 {
		x, y = y, x
	}
	return &DuplicateVoteEvidence{Signer: signer, A: x, B: y}
}

// Validate checks the pair's shape without checking signatures.
func (ev *DuplicateVoteEvidence) Validate() error {
	a, b := ev.A, ev.B
	switch {
	case a == nil || b == nil:
		return errors.New("evidence: missing vote")
	case a.Type != b.Type || a.Height != b.Height || a.Round != b.Round || a.Validator != b.Validator:
		return errors.New("evidence: votes differ in type, height, round or validator")
	case sameTarget(a.BlockHash, b.BlockHash):
		return errors.New("evidence: votes are for the same block")
	case bytes.Compare(a.Encode(), b.Encode()) >= 0:
		return errors.New("evidence: votes are not in canonical order")
	}
	return nil
}

func sameTarget(x, y *Hash) bool {
	if x == nil || y == nil {
		return x == nil && y == nil
	}
	return *x == *y
}

// Verify checks the pair's shape and both signatures, on chain, against
// Signer, and that Signer is the validator the votes name in vals, which
// must be the validator set of the votes' height: a key that was not a
// validator at that height (one rotated away or removed before it, or
// added after it) signed nothing that counts there.
func (ev *DuplicateVoteEvidence) Verify(chain ChainIdentity, vals *ValidatorSet) error {
	if err := ev.Validate(); err != nil {
		return err
	}
	v, ok := vals.Get(int(ev.A.Validator))
	if !ok {
		return fmt.Errorf("evidence: validator index %d is not in the set of height %d", ev.A.Validator, ev.A.Height)
	}
	if v.PubKey != ev.Signer {
		return fmt.Errorf("evidence: validator %d at height %d is %s, not the named signer %s", ev.A.Validator, ev.A.Height, v.PubKey.Short(), ev.Signer.Short())
	}
	if err := ev.A.Verify(chain, ev.Signer); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	if err := ev.B.Verify(chain, ev.Signer); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	return nil
}

func (ev *DuplicateVoteEvidence) encode(e *encoder) {
	e.u8(uint8(TagEvidence))
	e.fixed(ev.Signer[:])
	ev.A.encode(e)
	ev.B.encode(e)
}

// Encode returns the canonical encoding.
func (ev *DuplicateVoteEvidence) Encode() []byte {
	e := encoder{buf: make([]byte, 0, 262)}
	ev.encode(&e)
	return e.buf
}

// DecodeEvidence decodes and validates the shape of a piece of evidence.
func DecodeEvidence(b []byte) (*DuplicateVoteEvidence, error) {
	d := newDecoder("evidence", b)
	ev := decodeEvidence(d)
	if err := d.finish(); err != nil {
		return nil, err
	}
	return ev, nil
}

func decodeEvidence(d *decoder) *DuplicateVoteEvidence {
	d.tag(TagEvidence)
	ev := &DuplicateVoteEvidence{}
	d.fixed("signer", ev.Signer[:])
	ev.A, ev.B = decodeVote(d), decodeVote(d)
	if d.err == nil {
		if err := ev.Validate(); err != nil {
			d.fail("votes", "%v", err)
		}
	}
	return ev
}
