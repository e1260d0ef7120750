package membership

import (
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// The rules a validator-set change must pass, checked when it is proposed
// and again when its approval would execute it, before anything takes
// effect (docs/consensus.md, "Validator-set changes"):
//
//   - it names an existing validator (ERR_UNKNOWN_VALIDATOR), or for an
//     addition an active organisation (ERR_UNKNOWN_ORG, ERR_ORG_SUSPENDED);
//   - a new key was never a validator's (ERR_VALIDATOR_KEY_USED), a new
//     peer id is no other validator's (ERR_VALIDATOR_PEER_USED), a power is
//     1 to 2^50 (ERR_VALIDATOR_POWER);
//   - the validator has no approved change still waiting to take effect
//     (ERR_VALIDATOR_PENDING);
//   - the set does not become empty (ERR_VALIDATOR_SET_EMPTY);
//   - all the changes taking effect at one height together keep more than
//     two thirds of both the old and the new total power with the
//     validators that sign both heights with the same key
//     (ERR_VALIDATOR_POWER_SHIFT).
//
// The last rule is about liveness, not verification: every transition is
// certified by the whole previous set, so a verifier needs no overlap
// between sets; but validators that were signing already hold a quorum of
// the new set while an added or rotated one comes online, and a removed
// one's absence never costs the old set its quorum.

// plan is what executing a change in block h works with: the set in force
// at h+1 (prev) and the set of h+2 as every change approved so far makes it
// (next, a copy this change may modify).
type plan struct {
	height uint64 // the executing block
	prev   *ValidatorSet
	next   *ValidatorSet
	// pending lists the records that have not taken effect at h: their
	// changes are still waiting.
	pending []*ValidatorSet
}

func loadPlan(t *state.Tx, h uint64) (*plan, error) {
	hist, err := ValidatorHistory(t)
	if err != nil {
		return nil, err
	}
	if len(hist) == 0 {
		return nil, call.Errorf(call.ErrValidatorSetEmpty, "the chain has no validator set")
	}
	p := &plan{height: h}
	for _, s := range hist {
		if s.From <= h+1 {
			p.prev = s
		}
		if s.From > h {
			p.pending = append(p.pending, s)
		}
	}
	latest := hist[len(hist)-1]
	p.next = &ValidatorSet{From: h + EffectDelay, Validators: append([]Validator(nil), latest.Validators...), Changes: []ValidatorChange{}}
	if latest.From == h+EffectDelay {
		p.next.Changes = append(p.next.Changes, latest.Changes...)
	}
	return p, nil
}

// isPending reports whether an approved change of the validator with key k
// has not taken effect yet.
func (p *plan) isPending(k ledger.PublicKey) (uint64, bool) {
	for _, s := range p.pending {
		for _, c := range s.Changes {
			if c.Key == k || (c.Kind == RotateValidator && c.NewKey == k) {
				return s.From, true
			}
		}
	}
	return 0, false
}

// checkValidatorOrg checks that org exists and is active.
func checkValidatorOrg(t *state.Tx, org string) error {
	o, err := GetOrg(t, org)
	if err != nil {
		return err
	}
	if o == nil {
		return call.Errorf(call.ErrUnknownOrg, "no organisation %q to run the validator", org)
	}
	if o.Status != Active {
		return call.Errorf(call.ErrOrgSuspended, "organisation %s is suspended; it cannot run a validator or change one", org)
	}
	return nil
}

// checkNewKey refuses a consensus key that is not a valid curve point or
// was ever a validator's.
func checkNewKey(t *state.Tx, k ledger.PublicKey) error {
	if err := k.Validate(); err != nil {
		return call.Errorf(call.ErrInvalid, "validator key %s: %v", k, err)
	}
	b, err := t.Get(validatorKeyKey(k))
	if err != nil {
		return err
	}
	if b != nil {
		return call.Errorf(call.ErrValidatorKeyUsed, "key %s is, or was, a validator key of %q (validator keys are never reused)", k, b)
	}
	return nil
}

// checkPeerFree refuses a peer id that is malformed or that a validator of
// set other than the one at index self uses.
func checkPeerFree(set *ValidatorSet, id PeerID, self int) error {
	if err := ValidatePeerID(id); err != nil {
		return call.Errorf(call.ErrInvalid, "%v", err)
	}
	for i, v := range set.Validators {
		if i != self && string(v.PeerID) == string(id) {
			return call.Errorf(call.ErrValidatorPeerUsed, "peer id %s is the node of validator %s", id, v.Name)
		}
	}
	return nil
}

// checkNewValidator checks a validator joining set.
func checkNewValidator(t *state.Tx, set *ValidatorSet, k ledger.PublicKey, name string, peer PeerID, power uint64) error {
	if !validValidatorName(name) {
		return call.Errorf(call.ErrInvalid, "validator name %q must be 1 to %d characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit", name, MaxValidatorNameLen)
	}
	for _, v := range set.Validators {
		if v.Name == name {
			return call.Errorf(call.ErrInvalid, "validator name %q is taken", name)
		}
	}
	if err := checkNewKey(t, k); err != nil {
		return err
	}
	if err := checkPeerFree(set, peer, -1); err != nil {
		return err
	}
	if len(set.Validators) >= ledger.MaxValidators {
		return call.Errorf(call.ErrInvalid, "the set already has %d validators, the limit", ledger.MaxValidators)
	}
	return checkPower(power)
}

// apply checks change c against the plan and applies it to p.next. It does
// not write: execute does, after every check has passed.
func (p *plan) apply(t *state.Tx, c *ValidatorChange) error {
	next := p.next
	if c.Kind == AddValidator {
		if err := checkValidatorOrg(t, c.Org); err != nil {
			return err
		}
		if err := checkNewValidator(t, next, c.Key, c.Name, c.PeerID, c.Power); err != nil {
			return err
		}
		next.Validators = append(next.Validators, Validator{PubKey: c.Key, Power: c.Power, Org: c.Org, Name: c.Name, PeerID: c.PeerID, Since: next.From})
	} else {
		i := next.IndexOf(c.Key)
		if i < 0 {
			return call.Errorf(call.ErrUnknownValidator, "no validator with key %s in the set (as of every approved change)", c.Key)
		}
		if from, ok := p.isPending(c.Key); ok {
			return call.Errorf(call.ErrValidatorPending, "validator %s already has an approved change that takes effect at height %d; propose this one after it", next.Validators[i].Name, from)
		}
		v := &next.Validators[i]
		if c.Kind != RemoveValidator && v.Org != "" {
			if err := checkValidatorOrg(t, v.Org); err != nil {
				return err
			}
		}
		switch c.Kind {
		case RemoveValidator:
			if len(next.Validators) == 1 {
				return call.Errorf(call.ErrValidatorSetEmpty, "validator %s is the last one; removing it would leave no validator", v.Name)
			}
			next.Validators = append(next.Validators[:i:i], next.Validators[i+1:]...)
		case SetValidatorPower:
			if err := checkPower(c.Power); err != nil {
				return err
			}
			if c.Power == v.Power {
				return call.Errorf(call.ErrInvalid, "validator %s already has power %d", v.Name, v.Power)
			}
			v.Power = c.Power
		case RotateValidator:
			if isZeroKey(c.NewKey) && len(c.PeerID) == 0 {
				return call.Errorf(call.ErrInvalid, "a rotation names a new key, a new peer id, or both")
			}
			if !isZeroKey(c.NewKey) {
				if err := checkNewKey(t, c.NewKey); err != nil {
					return err
				}
				v.PubKey, v.Since = c.NewKey, next.From
			}
			if len(c.PeerID) > 0 {
				if string(c.PeerID) == string(v.PeerID) {
					return call.Errorf(call.ErrInvalid, "peer id %s is already validator %s's", c.PeerID, v.Name)
				}
				if err := checkPeerFree(next, c.PeerID, i); err != nil {
					return err
				}
				v.PeerID = c.PeerID
			}
		}
	}
	next.Changes = append(next.Changes, *c)
	return checkShift(p.prev, next)
}

// checkShift enforces the power rule between the set in force at h+1 and
// the set of h+2: the validators in both with the same key keep, between
// them, min(old power, new power) each; that retained power must be more
// than two thirds of the old total and of the new total.
func checkShift(prev, next *ValidatorSet) error {
	old := make(map[ledger.PublicKey]uint64, len(prev.Validators))
	for _, v := range prev.Validators {
		old[v.PubKey] = v.Power
	}
	var retained uint64
	for _, v := range next.Validators {
		retained += min(old[v.PubKey], v.Power)
	}
	oldTotal, newTotal := prev.TotalPower(), next.TotalPower()
	if 3*retained <= 2*oldTotal || 3*retained <= 2*newTotal {
		return call.Errorf(call.ErrValidatorPowerShift,
			"the changes taking effect at height %d keep %d of the voting power with validators already signing (old total %d, new total %d); more than two thirds of both must stay, so make the change in smaller steps",
			next.From, retained, oldTotal, newTotal)
	}
	return nil
}

// write stores the set of h+2 with c applied, and the key index for a new
// key. The caller has run apply on p.
func (p *plan) write(t *state.Tx, c *ValidatorChange) {
	t.Set(validatorSetKey(p.next.From), p.next.Encode())
	switch {
	case c.Kind == AddValidator:
		t.Set(validatorKeyKey(c.Key), []byte(c.Org))
	case c.Kind == RotateValidator && !isZeroKey(c.NewKey):
		i := p.next.IndexOf(c.NewKey)
		t.Set(validatorKeyKey(c.NewKey), []byte(p.next.Validators[i].Org))
	}
}

func isZeroKey(k ledger.PublicKey) bool { return k == ledger.PublicKey{} }
