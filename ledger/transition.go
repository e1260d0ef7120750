package ledger

import (
	"errors"
	"fmt"
)

// ErrNotFound is how a reader of a committed chain (the node's store, any
// Source of ledger/proof) reports a height, hash or key it does not hold.
// It lives here so that code reading a chain through an interface matches
// it without importing the store (ledger/proof stays free of Pebble).
var ErrNotFound = errors.New("not found")

// Transition is the evidence that the validator set changes at Height():
// header Height()-1, signed by the set in force there (Commit, by more than
// two thirds of its power), whose NextValidatorsHash names the new set,
// Validators. A verifier that holds only genesis follows the set through
// the chain's transitions in height order (SetFollower); docs/verification.md
// specifies the rule and docs/encoding.md the bundle's form of a
// transition.
type Transition struct {
	Header     *Header
	Commit     *Commit
	Validators *ValidatorSet
}

// Height is the first height the new set signs: the transition header's
// height plus one.
func (t *Transition) Height() uint64 { return t.Header.Height + 1 }

// SignedMessage is one signature a check leaves to its caller: Sig must be
// Key's BIP-340 signature of Msg. SetFollower returns them so that a
// verifier checks all the signatures of a bundle as one batch
// (ledger/schnorrbatch), or each with PublicKey.Verify: the verdict is the
// same.
type SignedMessage struct {
	Key PublicKey
	Msg Hash
	Sig Signature
}

// SetFollower follows a chain's validator set from genesis, the way a
// verifier that trusts nothing but the genesis file does:
//
//   - it starts with the genesis set, which signs from height 1;
//   - Transition moves it to a new set, if the transition's header names
//     the set in force (validators_hash), is certified by more than two
//     thirds of that set's power, and names the new set as the next
//     (next_validators_hash); transitions come in strictly increasing height,
//     each after every header already checked;
//   - Header checks a header of a height at or after the current set's first
//     height: it names the current set and a certificate of it holds more
//     than two thirds of that set's power.
//
// Every transition is certified by the whole previous set, so following
// needs no overlap between successive sets. What it cannot see is a
// transition withheld: if more than a third of a set that has since been
// replaced were corrupted, their keys could certify an alternative history
// from the height they were replaced on, and a follower shown only that
// history would accept it (docs/verification.md, "Limits"). A full audit of
// the chain, or a trusted set hash at a later height (SetAt), closes that.
//
// A SetFollower checks the structure of certificates and returns their
// signatures (SignedMessage) for the caller to verify; until the caller
// has, nothing it accepted is proven. It is not safe for concurrent use.
type SetFollower struct {
	chain   ChainIdentity
	spans   []setSpan // From strictly increasing; spans[0].From == 1
	checked uint64    // the highest header height checked so far
}

type setSpan struct {
	From uint64
	Set  *ValidatorSet
}

// NewSetFollower starts following chain from its genesis set.
func NewSetFollower(chain ChainIdentity, genesis *ValidatorSet) *SetFollower {
	return &SetFollower{chain: chain, spans: []setSpan{{From: 1, Set: genesis}}}
}

// Current is the set reached so far, and From the first height it signs.
func (f *SetFollower) Current() *ValidatorSet { return f.spans[len(f.spans)-1].Set }

// From is the first height the current set signs (1 for the genesis set).
func (f *SetFollower) From() uint64 { return f.spans[len(f.spans)-1].From }

// Transitions is the number of transitions followed.
func (f *SetFollower) Transitions() int { return len(f.spans) - 1 }

// SetAt returns the set the followed transitions give for height h (h ≥ 1):
// the set of the last transition at or below h. It is the chain's set at h
// only if every transition up to h has been followed, which is the case for
// every h up to the highest header checked.
func (f *SetFollower) SetAt(h uint64) *ValidatorSet {
	for i := len(f.spans) - 1; i > 0; i-- {
		if f.spans[i].From <= h {
			return f.spans[i].Set
		}
	}
	return f.spans[0].Set
}

// Transition checks t against the current set and, if it holds, makes t's
// set the current one. It returns the certificate's signatures, which the
// caller must verify.
func (f *SetFollower) Transition(t *Transition) ([]SignedMessage, error) {
	if t.Header == nil || t.Commit == nil || t.Validators == nil {
		return nil, fmt.Errorf("transition: a header, a certificate and a validator set are all required")
	}
	cur, from := f.Current(), f.From()
	at := t.Height()
	switch {
	case t.Header.ChainID != f.chain.ChainID():
		return nil, fmt.Errorf("transition at height %d: header is for chain %q, not %q", at, t.Header.ChainID, f.chain.ChainID())
	case at <= from:
		return nil, fmt.Errorf("transition at height %d: transitions must be in strictly increasing height, and the set in force already changed at height %d", at, from)
	case at <= f.checked:
		return nil, fmt.Errorf("transition at height %d: header %d was already checked against the set before it", at, f.checked)
	case t.Header.ValidatorsHash != cur.Hash():
		return nil, fmt.Errorf("transition at height %d: header %d names validator set %s, but the set in force since height %d is %s (a transition missing before it, or a header signed by a set with no right to sign it)", at, t.Header.Height, t.Header.ValidatorsHash.Short(), from, cur.Hash().Short())
	case t.Header.NextValidatorsHash != t.Validators.Hash():
		return nil, fmt.Errorf("transition at height %d: header %d names next validator set %s, the transition's set hashes to %s", at, t.Header.Height, t.Header.NextValidatorsHash.Short(), t.Validators.Hash().Short())
	case t.Validators.Hash() == cur.Hash():
		return nil, fmt.Errorf("transition at height %d: the new set is the set already in force", at)
	}
	if err := t.Commit.CheckSigners(cur, t.Header.Height, t.Header.Hash()); err != nil {
		return nil, fmt.Errorf("transition at height %d: certificate of header %d by the set in force: %w", at, t.Header.Height, err)
	}
	sigs := f.signatures(cur, t.Commit)
	f.spans = append(f.spans, setSpan{From: at, Set: t.Validators})
	f.checked = t.Header.Height
	return sigs, nil
}

// Header checks hdr and its certificate cmt against the current set: hdr
// is at or after the height the set took effect, names the set as its
// validators_hash, and cmt certifies it with more than two thirds of the
// set's power. It returns cmt's signatures, which the caller must verify.
// A transition taking effect at or below hdr's height cannot be followed
// after it.
func (f *SetFollower) Header(hdr *Header, cmt *Commit) ([]SignedMessage, error) {
	cur, from := f.Current(), f.From()
	switch {
	case hdr.ChainID != f.chain.ChainID():
		return nil, fmt.Errorf("header %d is for chain %q, not %q", hdr.Height, hdr.ChainID, f.chain.ChainID())
	case hdr.Height < from:
		return nil, fmt.Errorf("header %d is below height %d, where the set in force took effect", hdr.Height, from)
	case hdr.ValidatorsHash != cur.Hash():
		return nil, fmt.Errorf("header %d names validator set %s, but the set in force since height %d is %s", hdr.Height, hdr.ValidatorsHash.Short(), from, cur.Hash().Short())
	}
	if err := cmt.CheckSigners(cur, hdr.Height, hdr.Hash()); err != nil {
		return nil, err
	}
	f.checked = max(f.checked, hdr.Height)
	return f.signatures(cur, cmt), nil
}

func (f *SetFollower) signatures(vals *ValidatorSet, c *Commit) []SignedMessage {
	msg := c.SignBytes(f.chain)
	out := make([]SignedMessage, len(c.Sigs))
	for i, s := range c.Sigs {
		v, _ := vals.Get(int(s.Validator))
		out[i] = SignedMessage{Key: v.PubKey, Msg: msg, Sig: s.Sig}
	}
	return out
}

// VerifyEach verifies signatures one by one and returns the index of the
// first that fails, or -1.
func VerifyEach(sigs []SignedMessage) int {
	for i, s := range sigs {
		if !s.Key.Verify(s.Msg, s.Sig) {
			return i
		}
	}
	return -1
}
