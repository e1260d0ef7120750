package membership

import (
	"fmt"
	"sort"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// Proposal is a pending or executed membership change.
type Proposal struct {
	ID   ledger.Hash  `json:"id"` // hash of the proposing transaction
	Kind ProposalKind `json:"kind"`
	// Org: AddOrg: the new organisation; otherwise only ID is set (for a
	// validator change, the validator's organisation, when it has one).
	Org OrgSpec `json:"org"`
	// Validator is the change a validator-set proposal makes; nil for the
	// other kinds.
	Validator *ValidatorChange `json:"validator,omitempty"`
	Reason    string           `json:"reason"`
	Proposer  string           `json:"proposer"`
	Height    uint64           `json:"height"`
	Approvals []string         `json:"approvals"` // organisation ids, sorted
	Executed  uint64           `json:"executed"`  // height it passed; 0 while open
}

// Effective is the height a passed validator-set change takes effect
// (Executed + EffectDelay), 0 for other proposals and open ones.
func (p *Proposal) Effective() uint64 {
	if p.Validator == nil || p.Executed == 0 {
		return 0
	}
	return p.Executed + EffectDelay
}

// Encode returns the state encoding: version 1 for organisation proposals,
// version 2 (the same fields, then the validator change) for validator-set
// proposals.
func (p *Proposal) Encode() []byte {
	e := &codec.Encoder{}
	if p.Validator == nil {
		e.U8(1)
	} else {
		e.U8(2)
	}
	e.Fixed(p.ID[:])
	e.U8(uint8(p.Kind))
	p.Org.encode(e)
	e.String(p.Reason)
	e.String(p.Proposer)
	e.U64(p.Height)
	encodeStrings(e, p.Approvals)
	e.U64(p.Executed)
	if p.Validator != nil {
		p.Validator.encode(e)
	}
	return e.Buf
}

// DecodeProposal decodes a proposal record.
func DecodeProposal(b []byte) (*Proposal, error) {
	d := codec.NewDecoder("membership proposal", b)
	version := d.U8("version")
	if d.Err() == nil && version != 1 && version != 2 {
		d.Fail("version", "unknown version %d", version)
	}
	p := &Proposal{}
	d.Fixed("id", p.ID[:])
	p.Kind = ProposalKind(d.U8("kind"))
	p.Org = decodeSpec(d)
	p.Reason = d.String("reason", MaxReasonLen)
	p.Proposer = d.String("proposer", MaxOrgIDLen)
	p.Height = d.U64("height")
	p.Approvals = decodeStrings(d, "approvals", 1<<16, MaxOrgIDLen)
	p.Executed = d.U64("executed")
	if version == 2 {
		c := decodeChange(d)
		p.Validator = &c
	}
	return p, d.Finish()
}

// GetProposal returns the proposal, or nil.
func GetProposal(r Reader, id ledger.Hash) (*Proposal, error) {
	b, err := r.Get(proposalKey(id))
	if err != nil || b == nil {
		return nil, err
	}
	p, err := DecodeProposal(b)
	if err != nil {
		return nil, fmt.Errorf("membership: corrupt proposal %s: %w", id, err)
	}
	return p, nil
}

// ListProposals returns every proposal in id order.
func ListProposals(r Reader) ([]*Proposal, error) {
	var out []*Proposal
	var derr error
	err := r.Iterate([]byte(proposalPrefix), state.PrefixEnd([]byte(proposalPrefix)), func(_, v []byte) bool {
		p, err := DecodeProposal(v)
		if err != nil {
			derr = err
			return false
		}
		out = append(out, p)
		return true
	})
	if err == nil {
		err = derr
	}
	return out, err
}

// Electorate returns the ids of the organisations that vote: active, and
// founding or holding the regulator role.
func Electorate(r Reader) ([]string, error) {
	orgs, err := ListOrgs(r)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range orgs {
		if o.Elector() {
			out = append(out, o.ID)
		}
	}
	return out, nil
}

// Passes reports whether approvals from more than 2/3 of electorate are
// present. Approvals from organisations that have left the electorate do
// not count.
func Passes(approvals, electorate []string) (have, need int) {
	in := map[string]bool{}
	for _, e := range electorate {
		in[e] = true
	}
	for _, a := range approvals {
		if in[a] {
			have++
		}
	}
	need = 2*len(electorate)/3 + 1 // the least n with 3n > 2N
	return have, need
}

func requireElector(who *Caller) error {
	if !who.Org.Elector() {
		return call.Errorf(call.ErrNotElector, "only founding or regulator organisations propose and approve; %s is neither", who.Org.ID)
	}
	if !who.IsAdmin() {
		return call.Errorf(call.ErrNotAdmin, "proposals and approvals need an admin key of %s", who.Org.ID)
	}
	return nil
}

// checkProposal checks that the proposal can be executed in the current
// state, by block height.
func checkProposal(t *state.Tx, height uint64, p *Proposal) error {
	switch {
	case p.Kind == AddOrg:
		return checkSpecFree(t, &p.Org)
	case p.Validator != nil:
		pl, err := loadPlan(t, height)
		if err != nil {
			return err
		}
		return pl.apply(t, p.Validator)
	default:
		o, err := GetOrg(t, p.Org.ID)
		if err != nil {
			return err
		}
		if o == nil {
			return call.Errorf(call.ErrUnknownOrg, "no organisation %s", p.Org.ID)
		}
		if (p.Kind == SuspendOrg) != (o.Status == Active) {
			return call.Errorf(call.ErrOrgStatus, "organisation %s is already %s", o.ID, o.Status)
		}
	}
	return nil
}

// RunPropose executes membership.propose. The proposer's organisation
// approves its own proposal, which may therefore pass at once.
func RunPropose(c *call.Context, who *Caller, payload []byte) error {
	pl, err := DecodePropose(payload)
	if err != nil {
		return call.PayloadError(err)
	}
	if err := requireElector(who); err != nil {
		return err
	}
	p := &Proposal{ID: c.TxHash, Kind: pl.Kind, Org: pl.Org, Reason: pl.Reason, Proposer: who.Org.ID, Height: c.Block.Height}
	switch {
	case pl.Validator != nil:
		v := *pl.Validator
		v.Proposal = p.ID
		p.Validator = &v
		org, err := validatorOrg(c.State, &v)
		if err != nil {
			return err
		}
		p.Org = OrgSpec{ID: org}
	case pl.Kind != AddOrg:
		p.Org = OrgSpec{ID: pl.OrgID}
	}
	if err := checkProposal(c.State, c.Block.Height, p); err != nil {
		return err
	}
	c.Emit("membership.proposed", "proposal", p.ID.String(), "kind", p.Kind.String(), "org", p.Org.ID, "proposer", who.Org.ID)
	return approve(c, who, p)
}

// RunApprove executes membership.approve.
func RunApprove(c *call.Context, who *Caller, payload []byte) error {
	pl, err := DecodeApprove(payload)
	if err != nil {
		return call.PayloadError(err)
	}
	if err := requireElector(who); err != nil {
		return err
	}
	p, err := GetProposal(c.State, pl.Proposal)
	if err != nil {
		return err
	}
	if p == nil {
		return call.Errorf(call.ErrUnknownProposal, "no proposal %s", pl.Proposal)
	}
	if p.Executed != 0 {
		return call.Errorf(call.ErrProposalClosed, "proposal %s passed at height %d", p.ID.Short(), p.Executed)
	}
	for _, a := range p.Approvals {
		if a == who.Org.ID {
			return call.Errorf(call.ErrAlreadyVoted, "%s has already approved proposal %s", who.Org.ID, p.ID.Short())
		}
	}
	return approve(c, who, p)
}

// approve records who's approval and executes the proposal if it passes.
func approve(c *call.Context, who *Caller, p *Proposal) error {
	p.Approvals = append(p.Approvals, who.Org.ID)
	sort.Strings(p.Approvals)
	electorate, err := Electorate(c.State)
	if err != nil {
		return err
	}
	have, need := Passes(p.Approvals, electorate)
	c.Emit("membership.approved", "proposal", p.ID.String(), "org", who.Org.ID,
		"approvals", fmt.Sprint(have), "needed", fmt.Sprint(need))
	if have >= need {
		if err := checkProposal(c.State, c.Block.Height, p); err != nil {
			return err
		}
		if err := execute(c, p); err != nil {
			return err
		}
		p.Executed = c.Block.Height
	}
	c.State.Set(proposalKey(p.ID), p.Encode())
	return nil
}

func execute(c *call.Context, p *Proposal) error {
	if p.Validator != nil {
		pl, err := loadPlan(c.State, c.Block.Height)
		if err != nil {
			return err
		}
		if err := pl.apply(c.State, p.Validator); err != nil {
			return err
		}
		pl.write(c.State, p.Validator)
		c.Emit("membership.validator_change", "proposal", p.ID.String(), "kind", p.Kind.String(),
			"key", p.Validator.Key.String(), "effective", fmt.Sprint(c.Block.Height+EffectDelay))
		return nil
	}
	switch p.Kind {
	case AddOrg:
		createOrg(c.State, &p.Org, false, c.Block.Height)
		c.Emit("membership.org_added", "org", p.Org.ID, "proposal", p.ID.String())
	case SuspendOrg, ReinstateOrg:
		o, err := GetOrg(c.State, p.Org.ID)
		if err != nil {
			return err
		}
		o.Status = Active
		what := "membership.org_reinstated"
		if p.Kind == SuspendOrg {
			o.Status, what = Suspended, "membership.org_suspended"
		}
		putOrg(c.State, o)
		c.Emit(what, "org", o.ID, "proposal", p.ID.String())
	}
	return nil
}

// validatorOrg is the organisation a change concerns: the new validator's,
// or the named validator's as of every approved change ("" when there is
// none: an unknown validator, refused later with its own code).
func validatorOrg(r Reader, c *ValidatorChange) (string, error) {
	if c.Kind == AddValidator {
		return c.Org, nil
	}
	hist, err := ValidatorHistory(r)
	if err != nil || len(hist) == 0 {
		return "", err
	}
	latest := hist[len(hist)-1]
	if i := latest.IndexOf(c.Key); i >= 0 {
		return latest.Validators[i].Org, nil
	}
	return "", nil
}
