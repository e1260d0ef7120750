package ledger

import (
	"errors"
	"fmt"
)

// Validator is one member of the validator set: a consensus key and its
// voting power. Names and network addresses live in genesis; only what
// consensus counts is hashed into headers.
type Validator struct {
	PubKey PublicKey `json:"pub_key"`
	Power  uint64    `json:"power"`
}

// ValidatorSet is the ordered list of validators. A validator's index in the
// list is how votes, proposals and commits name it.
type ValidatorSet struct {
	Validators []Validator
	total      uint64
	index      map[PublicKey]int
}

// NewValidatorSet checks vals (1 to MaxValidators entries, distinct valid
// keys, power 1 to MaxVotingPower each) and builds the set.
func NewValidatorSet(vals []Validator) (*ValidatorSet, error) {
	if len(vals) == 0 {
		return nil, errors.New("validator set is empty")
	}
	if len(vals) > MaxValidators {
		return nil, fmt.Errorf("validator set has %d validators, limit %d", len(vals), MaxValidators)
	}
	s := &ValidatorSet{Validators: append([]Validator(nil), vals...), index: make(map[PublicKey]int, len(vals))}
	for i, v := range vals {
		if v.Power == 0 {
			return nil, fmt.Errorf("validator %d (%s): voting power is zero", i, v.PubKey.Short())
		}
		if v.Power > MaxVotingPower {
			return nil, fmt.Errorf("validator %d (%s): voting power %d exceeds limit %d", i, v.PubKey.Short(), v.Power, uint64(MaxVotingPower))
		}
		if err := v.PubKey.Validate(); err != nil {
			return nil, fmt.Errorf("validator %d: %w", i, err)
		}
		if j, dup := s.index[v.PubKey]; dup {
			return nil, fmt.Errorf("validator %d has the same public key as validator %d", i, j)
		}
		s.index[v.PubKey] = i
		s.total += v.Power
	}
	return s, nil
}

// Size is the number of validators.
func (s *ValidatorSet) Size() int { return len(s.Validators) }

// TotalPower is the sum of all voting power.
func (s *ValidatorSet) TotalPower() uint64 { return s.total }

// QuorumPower is the least power that is more than two thirds of the total:
// floor(2*total/3) + 1.
func (s *ValidatorSet) QuorumPower() uint64 { return s.total*2/3 + 1 }

// OneThirdPower is the least power that is more than one third of the total
// (f+1 in Algorithm 1): floor(total/3) + 1.
func (s *ValidatorSet) OneThirdPower() uint64 { return s.total/3 + 1 }

// IndexOf returns the index of key, or -1.
func (s *ValidatorSet) IndexOf(key PublicKey) int {
	if i, ok := s.index[key]; ok {
		return i
	}
	return -1
}

// Get returns validator i, or false if i is out of range.
func (s *ValidatorSet) Get(i int) (Validator, bool) {
	if i < 0 || i >= len(s.Validators) {
		return Validator{}, false
	}
	return s.Validators[i], true
}

// Encode returns the canonical encoding: the tag, a count, then each
// validator's key and power in index order.
func (s *ValidatorSet) Encode() []byte {
	e := encoder{buf: make([]byte, 0, 3+40*len(s.Validators))}
	e.u8(uint8(TagValidatorSet))
	e.uvarint(uint64(len(s.Validators)))
	for _, v := range s.Validators {
		e.fixed(v.PubKey[:])
		e.u64(v.Power)
	}
	return e.buf
}

// Hash is SHA-256 of the encoding; every header carries it.
func (s *ValidatorSet) Hash() Hash { return Sum(s.Encode()) }

// DecodeValidatorSet decodes and validates a validator set.
func DecodeValidatorSet(b []byte) (*ValidatorSet, error) {
	d := newDecoder("validator set", b)
	d.tag(TagValidatorSet)
	n := d.count("validators", MaxValidators)
	vals := make([]Validator, n)
	for i := range vals {
		d.fixed("pub_key", vals[i].PubKey[:])
		vals[i].Power = d.u64("power")
	}
	if err := d.finish(); err != nil {
		return nil, err
	}
	s, err := NewValidatorSet(vals)
	if err != nil {
		return nil, &DecodeError{Type: "validator set", Field: "validators", Reason: err.Error()}
	}
	return s, nil
}
