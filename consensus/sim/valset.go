package sim

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/ledger"
)

// Validator-set changes, modelled as the chain makes them
// (docs/consensus.md section 10, contracts/membership/valchange.go): a
// change is a transaction in a block; executing block h applies every
// change it carries that passes the rules to the set of height h+2
// (effectDelay), the same on every replica. Each replica derives the set
// of every height from its own decided blocks (setHistory, kept in its
// chainStore); nothing is read from a global. The checkers keep one more
// history, of the first decided block of each height, as the reference.

// effectDelay is membership.EffectDelay: a change approved by block h
// takes effect at h+2. (consensus must not import contracts; the
// simulator's tests hold the two equal by documentation, and a change of
// the delay in the contract is a change of this rule.)
const effectDelay = 2

type changeKind uint8

const (
	changeAdd changeKind = iota + 1
	changeRemove
	changePower
	changeRotate
)

func (k changeKind) String() string {
	switch k {
	case changeAdd:
		return "add"
	case changeRemove:
		return "remove"
	case changePower:
		return "power"
	case changeRotate:
		return "rotate"
	}
	return fmt.Sprintf("change(%d)", uint8(k))
}

// change is one validator-set change as a governance transaction carries
// it: the validator's key (the new one for an addition), the power (add,
// power) and the new key (rotate). id tells apart changes with the same
// content (a plan may hold two).
type change struct {
	id     uint16
	kind   changeKind
	key    ledger.PublicKey
	newKey ledger.PublicKey
	power  uint64
}

func (c change) String() string {
	switch c.kind {
	case changeAdd:
		return fmt.Sprintf("#%d add %s power %d", c.id, c.key.Short(), c.power)
	case changeRemove:
		return fmt.Sprintf("#%d remove %s", c.id, c.key.Short())
	case changePower:
		return fmt.Sprintf("#%d power of %s to %d", c.id, c.key.Short(), c.power)
	}
	return fmt.Sprintf("#%d rotate %s to %s", c.id, c.key.Short(), c.newKey.Short())
}

const (
	changeContract = "membership"
	changeMethod   = "validator_change"
	changeBytes    = 2 + 1 + 2*ledger.PublicKeySize + 8
)

// tx is the change as a block transaction.
func (c change) tx(chainID string, height uint64) *ledger.Tx {
	p := make([]byte, 0, changeBytes)
	p = binary.BigEndian.AppendUint16(p, c.id)
	p = append(p, byte(c.kind))
	p = append(p, c.key[:]...)
	p = append(p, c.newKey[:]...)
	p = binary.BigEndian.AppendUint64(p, c.power)
	return &ledger.Tx{ChainID: chainID, Nonce: height, Contract: changeContract, Method: changeMethod, Payload: p}
}

// changeOf decodes a change transaction; false for any other transaction.
// A malformed change is refused when it executes, as the contract refuses
// a malformed payload.
func changeOf(tx *ledger.Tx) (change, bool, error) {
	if tx.Contract != changeContract || tx.Method != changeMethod {
		return change{}, false, nil
	}
	p := tx.Payload
	if len(p) != changeBytes {
		return change{}, true, errors.New("malformed change")
	}
	c := change{id: binary.BigEndian.Uint16(p), kind: changeKind(p[2])}
	copy(c.key[:], p[3:])
	copy(c.newKey[:], p[3+ledger.PublicKeySize:])
	c.power = binary.BigEndian.Uint64(p[3+2*ledger.PublicKeySize:])
	return c, true, nil
}

// setRecord is the set in force from height from on (until the next
// record), with the changes that made it from its predecessor: the
// contract's m/v/{from} record.
type setRecord struct {
	from    uint64
	vals    *ledger.ValidatorSet
	changes []change
}

// setHistory is a chain's validator sets, derived from its blocks:
// records[0] is genesis (from 1), then one record per block that approved
// a change. It is durable with the blocks it was derived from.
type setHistory struct {
	records []setRecord
	used    map[ledger.PublicKey]bool // every key that is or was a validator's
	applied int                       // changes accepted so far
}

func newSetHistory(genesis *ledger.ValidatorSet) *setHistory {
	h := &setHistory{records: []setRecord{{from: 1, vals: genesis}}, used: map[ledger.PublicKey]bool{}}
	for _, v := range genesis.Validators {
		h.used[v.PubKey] = true
	}
	return h
}

// at returns the set of height h. Executing block b makes the sets up to
// b+2 known; asking beyond that is a bug of the caller.
func (s *setHistory) at(h uint64) *ledger.ValidatorSet {
	vals := s.records[0].vals
	for _, r := range s.records {
		if r.from > h {
			break
		}
		vals = r.vals
	}
	return vals
}

// byzantineKeys tells whether a key is a byzantine validator's: the simulation's fault
// assumption, that byzantine power stays below a third of every set, is
// enforced as a rule of the simulated contract (a change that would break
// it is refused), so that it holds whatever changes land in whatever
// order.
type byzantineKeys func(ledger.PublicKey) bool

// execute applies the changes of block b (its height h) in order: each
// change that passes the contract's rules against the plan (the set of
// h+1, and the set of h+2 as the changes accepted so far make it) is
// accepted; the others are refused and change nothing. It returns the
// accepted changes and the refusals (for the trace).
func (s *setHistory) execute(b *ledger.Block, byz byzantineKeys) (accepted []change, refused []string) {
	h := b.Header.Height
	prev := s.at(h + 1)
	next := append([]ledger.Validator(nil), s.at(h+effectDelay).Validators...)
	for _, tx := range b.Txs {
		c, ok, err := changeOf(tx)
		if !ok {
			continue
		}
		if err != nil {
			refused = append(refused, err.Error())
			continue
		}
		cand, err := s.check(h, prev, next, accepted, c, byz)
		if err != nil {
			refused = append(refused, fmt.Sprintf("%s: %v", c, err))
			continue
		}
		next = cand
		accepted = append(accepted, c)
	}
	if len(accepted) == 0 {
		return nil, refused
	}
	vs, err := ledger.NewValidatorSet(next)
	if err != nil { // check keeps every rule NewValidatorSet has
		panic(fmt.Sprintf("sim: a checked validator set does not build: %v", err))
	}
	s.records = append(s.records, setRecord{from: h + effectDelay, vals: vs, changes: accepted})
	for _, c := range accepted {
		s.used[c.key] = true
		if c.kind == changeRotate {
			s.used[c.newKey] = true
		}
	}
	s.applied += len(accepted)
	return accepted, refused
}

// check applies c to next (a copy) under the contract's rules, executing
// block h: the validator exists (add: the key was never a validator's),
// has no approved change still waiting, the power is valid and differs,
// the set does not become empty, the changes together keep more than two
// thirds of the old and the new power with validators already signing with
// the same key, and byzantine power stays below a third.
func (s *setHistory) check(h uint64, prev *ledger.ValidatorSet, cur []ledger.Validator, sameBlock []change, c change, byz byzantineKeys) ([]ledger.Validator, error) {
	next := append([]ledger.Validator(nil), cur...)
	index := -1
	for i, v := range next {
		if v.PubKey == c.key {
			index = i
		}
	}
	switch c.kind {
	case changeAdd:
		if s.used[c.key] || c.key.Validate() != nil {
			return nil, errors.New("key used")
		}
		if c.power == 0 || c.power > ledger.MaxVotingPower || len(next) >= ledger.MaxValidators {
			return nil, errors.New("power or size")
		}
		for _, o := range sameBlock {
			if o.key == c.key || o.newKey == c.key {
				return nil, errors.New("key used")
			}
		}
		next = append(next, ledger.Validator{PubKey: c.key, Power: c.power})
	case changeRemove, changePower, changeRotate:
		if index < 0 {
			return nil, errors.New("unknown validator")
		}
		if s.pending(h, c.key, sameBlock) {
			return nil, errors.New("pending")
		}
		switch c.kind {
		case changeRemove:
			if len(next) == 1 {
				return nil, errors.New("set empty")
			}
			next = append(next[:index:index], next[index+1:]...)
		case changePower:
			if c.power == 0 || c.power > ledger.MaxVotingPower || c.power == next[index].Power {
				return nil, errors.New("power")
			}
			next[index].Power = c.power
		case changeRotate:
			if s.used[c.newKey] || c.newKey.Validate() != nil {
				return nil, errors.New("key used")
			}
			for _, o := range sameBlock {
				if o.key == c.newKey || o.newKey == c.newKey {
					return nil, errors.New("key used")
				}
			}
			next[index].PubKey = c.newKey
		}
	default:
		return nil, errors.New("unknown change")
	}
	if err := checkShift(prev, next); err != nil {
		return nil, err
	}
	var total, bad uint64
	for _, v := range next {
		total += v.Power
		if byz(v.PubKey) {
			bad += v.Power
		}
	}
	if 3*bad >= total {
		return nil, errors.New("byzantine power would reach a third (the simulation's fault assumption)")
	}
	return next, nil
}

// pending reports whether the validator with key k has an approved change
// that has not taken effect at h (in a record from after h, or earlier in
// this block).
func (s *setHistory) pending(h uint64, k ledger.PublicKey, sameBlock []change) bool {
	for _, o := range sameBlock {
		if o.key == k || o.newKey == k {
			return true
		}
	}
	for _, r := range s.records {
		if r.from <= h {
			continue
		}
		for _, o := range r.changes {
			if o.key == k || (o.kind == changeRotate && o.newKey == k) {
				return true
			}
		}
	}
	return false
}

// checkShift is the contract's power rule (membership.checkShift): the
// validators in both sets with the same key retain min(old, new) power
// each; that must be more than two thirds of both totals.
func checkShift(prev *ledger.ValidatorSet, next []ledger.Validator) error {
	var retained, newTotal uint64
	for _, v := range next {
		newTotal += v.Power
		if i := prev.IndexOf(v.PubKey); i >= 0 {
			retained += min(prev.Validators[i].Power, v.Power)
		}
	}
	if 3*retained <= 2*prev.TotalPower() || 3*retained <= 2*newTotal {
		return errors.New("power shift")
	}
	return nil
}
