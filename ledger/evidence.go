package ledger

import (
	"bytes"
	"errors"
	"fmt"
)

// DuplicateVoteEvidence proves that one validator signed two different votes
// of the same type at the same height and round: a fault that honest
// validators never commit. Anyone holding the validator set can check it.
// The two votes are ordered by their encodings (A's sorts first), so a pair
// has one encoding.
type DuplicateVoteEvidence struct {
	A *Vote `json:"vote_a"`
	B *Vote `json:"vote_b"`
}

// NewDuplicateVoteEvidence orders two conflicting votes canonically.
func NewDuplicateVoteEvidence(x, y *Vote) *DuplicateVoteEvidence {
	if bytes.Compare(x.Encode(), y.Encode()) > 0 {
		x, y = y, x
	}
	return &DuplicateVoteEvidence{A: x, B: y}
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
// vals.
func (ev *DuplicateVoteEvidence) Verify(chain ChainIdentity, vals *ValidatorSet) error {
	if err := ev.Validate(); err != nil {
		return err
	}
	v, ok := vals.Get(int(ev.A.Validator))
	if !ok {
		return fmt.Errorf("evidence: validator index %d is not in the set", ev.A.Validator)
	}
	if err := ev.A.Verify(chain, v.PubKey); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	if err := ev.B.Verify(chain, v.PubKey); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	return nil
}

func (ev *DuplicateVoteEvidence) encode(e *encoder) {
	e.u8(uint8(TagEvidence))
	ev.A.encode(e)
	ev.B.encode(e)
}

// Encode returns the canonical encoding.
func (ev *DuplicateVoteEvidence) Encode() []byte {
	e := encoder{buf: make([]byte, 0, 230)}
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
	ev := &DuplicateVoteEvidence{A: decodeVote(d), B: decodeVote(d)}
	if d.err == nil {
		if err := ev.Validate(); err != nil {
			d.fail("votes", "%v", err)
		}
	}
	return ev
}
