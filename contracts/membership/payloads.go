package membership

import (
	"fmt"

	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/upgrade"
	"github.com/qianchain/qianchain/ledger"
)

// Contract and method names.
const (
	Contract         = "membership"
	MethodPropose    = "propose"
	MethodApprove    = "approve"
	MethodAddAccount = "add_account"
	MethodRotateKey  = "rotate_key"
	MethodRevokeKey  = "revoke_key"
)

// ProposalKind is what a proposal would do.
type ProposalKind uint8

const (
	AddOrg       ProposalKind = 1
	SuspendOrg   ProposalKind = 2
	ReinstateOrg ProposalKind = 3
	// Validator-set changes: each takes effect two heights after the block
	// that approves it (EffectDelay).
	AddValidator      ProposalKind = 4 // a new validator, run by an active organisation
	RemoveValidator   ProposalKind = 5
	SetValidatorPower ProposalKind = 6
	RotateValidator   ProposalKind = 7 // a new consensus key, a new node peer id, or both
	// Upgrades at an agreed height (contracts/upgrade): every node commits
	// the height with the rules it has and executes the next one with the
	// upgrade's, or stops.
	ScheduleUpgrade ProposalKind = 8
	CancelUpgrade   ProposalKind = 9
)

func (k ProposalKind) String() string {
	switch k {
	case AddOrg:
		return "add_org"
	case SuspendOrg:
		return "suspend_org"
	case ReinstateOrg:
		return "reinstate_org"
	case AddValidator:
		return "add_validator"
	case RemoveValidator:
		return "remove_validator"
	case SetValidatorPower:
		return "set_validator_power"
	case RotateValidator:
		return "rotate_validator"
	case ScheduleUpgrade:
		return "schedule_upgrade"
	case CancelUpgrade:
		return "cancel_upgrade"
	}
	return "unknown"
}

// IsValidatorChange reports whether k changes the validator set.
func (k ProposalKind) IsValidatorChange() bool { return k >= AddValidator && k <= RotateValidator }

// IsUpgrade reports whether k schedules or cancels an upgrade.
func (k ProposalKind) IsUpgrade() bool { return k == ScheduleUpgrade || k == CancelUpgrade }

// UpgradeSpec is what an upgrade proposal names: the upgrade and, to
// schedule it, the last height executed before it (0 when cancelling).
type UpgradeSpec struct {
	Name   string `json:"name"`
	Height uint64 `json:"height,omitempty"`
}

func (k ProposalKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads the name MarshalText writes, so that a client can
// decode what the API serves (GET /v1/validators, the proposals).
func (k *ProposalKind) UnmarshalText(b []byte) error {
	for c := AddOrg; c <= RotateValidator; c++ {
		if c.String() == string(b) {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("unknown proposal kind %q", b)
}

// Propose is the payload of membership.propose. Org is the new
// organisation (AddOrg); OrgID names the organisation to suspend or
// reinstate; Validator is a validator-set change (its Proposal field is
// not encoded: the proposal's id is the proposing transaction's hash).
//
// Encoding: u8 kind; then for AddOrg the spec (string id, string name, u16
// role bits, list of string prefixes, list of string GLNs, list of 32-byte
// admin keys); for SuspendOrg and ReinstateOrg string org id; for
// AddValidator string org, string name, 32-byte key, u64 power, bytes peer
// id; for RemoveValidator the 32-byte key; for SetValidatorPower the key and
// u64 power; for RotateValidator the key, the 32-byte new key (all zero:
// unchanged) and bytes new peer id (empty: unchanged); for ScheduleUpgrade
// string name and u64 height; for CancelUpgrade string name; then string
// reason.
type Propose struct {
	Kind      ProposalKind     `json:"kind"`
	Org       OrgSpec          `json:"org,omitempty"`
	OrgID     string           `json:"org_id,omitempty"`
	Validator *ValidatorChange `json:"validator,omitempty"`
	Upgrade   *UpgradeSpec     `json:"upgrade,omitempty"`
	Reason    string           `json:"reason"`
}

func (p *Propose) Encode() []byte {
	e := &codec.Encoder{}
	e.U8(uint8(p.Kind))
	switch {
	case p.Kind == AddOrg:
		p.Org.encode(e)
	case p.Kind.IsValidatorChange():
		c := ValidatorChange{Kind: p.Kind}
		if p.Validator != nil {
			c = *p.Validator
			c.Kind = p.Kind
		}
		c.encodeBody(e)
	case p.Kind.IsUpgrade():
		u := UpgradeSpec{}
		if p.Upgrade != nil {
			u = *p.Upgrade
		}
		e.String(u.Name)
		if p.Kind == ScheduleUpgrade {
			e.U64(u.Height)
		}
	default:
		e.String(p.OrgID)
	}
	e.String(p.Reason)
	return e.Buf
}

// DecodePropose decodes a propose payload. AddOrg specs must be in
// canonical order (as Normalize leaves them).
func DecodePropose(b []byte) (*Propose, error) {
	d := codec.NewDecoder("membership.propose payload", b)
	p := &Propose{Kind: ProposalKind(d.U8("kind"))}
	switch p.Kind {
	case AddOrg:
		p.Org = decodeSpec(d)
	case SuspendOrg, ReinstateOrg:
		p.OrgID = d.String("org_id", MaxOrgIDLen)
	case AddValidator, RemoveValidator, SetValidatorPower, RotateValidator:
		c := decodeChangeBody(d, p.Kind)
		p.Validator = &c
	case ScheduleUpgrade:
		p.Upgrade = &UpgradeSpec{Name: d.String("upgrade name", upgrade.MaxNameLen), Height: d.U64("upgrade height")}
	case CancelUpgrade:
		p.Upgrade = &UpgradeSpec{Name: d.String("upgrade name", upgrade.MaxNameLen)}
	default:
		d.Fail("kind", "unknown proposal kind %d", p.Kind)
	}
	p.Reason = d.String("reason", MaxReasonLen)
	if err := d.Finish(); err != nil {
		return nil, err
	}
	if p.Kind == AddOrg {
		s := p.Org
		s.Prefixes = append([]string(nil), s.Prefixes...)
		s.GLNs = append([]string(nil), s.GLNs...)
		s.Admins = append([]ledger.PublicKey(nil), s.Admins...)
		if err := s.Normalize(); err != nil {
			return nil, err
		}
		if string(s.Encode()) != string(p.Org.Encode()) {
			d.Fail("org", "lists must be sorted (prefixes, GLNs, admin keys)")
			return nil, d.Err()
		}
	}
	return p, nil
}

// Encode returns the spec's encoding (as inside a propose payload).
func (s *OrgSpec) Encode() []byte {
	e := &codec.Encoder{}
	s.encode(e)
	return e.Buf
}

// Approve is the payload of membership.approve: the proposal id (the hash
// of the transaction that proposed it). Encoding: 32 bytes.
type Approve struct {
	Proposal ledger.Hash `json:"proposal"`
}

func (p *Approve) Encode() []byte { return append([]byte(nil), p.Proposal[:]...) }

func DecodeApprove(b []byte) (*Approve, error) {
	d := codec.NewDecoder("membership.approve payload", b)
	p := &Approve{}
	d.Fixed("proposal", p.Proposal[:])
	return p, d.Finish()
}

// AddAccount is the payload of membership.add_account: a new key for the
// sender's organisation. Encoding: 32-byte key, u8 role (1 admin,
// 2 operator), string label.
type AddAccount struct {
	Key   ledger.PublicKey `json:"key"`
	Role  AccountRole      `json:"role"`
	Label string           `json:"label"`
}

func (p *AddAccount) Encode() []byte {
	e := &codec.Encoder{}
	e.Fixed(p.Key[:])
	e.U8(uint8(p.Role))
	e.String(p.Label)
	return e.Buf
}

func DecodeAddAccount(b []byte) (*AddAccount, error) {
	d := codec.NewDecoder("membership.add_account payload", b)
	p := &AddAccount{}
	d.Fixed("key", p.Key[:])
	p.Role = AccountRole(d.U8("role"))
	p.Label = d.String("label", MaxLabelLen)
	if d.Err() == nil && p.Role != Admin && p.Role != Operator {
		d.Fail("role", "must be 1 (admin) or 2 (operator)")
	}
	if d.Err() == nil {
		if err := p.Key.Validate(); err != nil {
			d.Fail("key", "%v", err)
		}
	}
	return p, d.Finish()
}

// RotateKey is the payload of membership.rotate_key: Old is revoked and New
// takes its role. Encoding: two 32-byte keys.
type RotateKey struct {
	Old ledger.PublicKey `json:"old"`
	New ledger.PublicKey `json:"new"`
}

func (p *RotateKey) Encode() []byte { return append(append([]byte(nil), p.Old[:]...), p.New[:]...) }

func DecodeRotateKey(b []byte) (*RotateKey, error) {
	d := codec.NewDecoder("membership.rotate_key payload", b)
	p := &RotateKey{}
	d.Fixed("old", p.Old[:])
	d.Fixed("new", p.New[:])
	if d.Err() == nil {
		if err := p.New.Validate(); err != nil {
			d.Fail("new", "%v", err)
		}
	}
	return p, d.Finish()
}

// RevokeKey is the payload of membership.revoke_key. Encoding: a 32-byte key.
type RevokeKey struct {
	Key ledger.PublicKey `json:"key"`
}

func (p *RevokeKey) Encode() []byte { return append([]byte(nil), p.Key[:]...) }

func DecodeRevokeKey(b []byte) (*RevokeKey, error) {
	d := codec.NewDecoder("membership.revoke_key payload", b)
	p := &RevokeKey{}
	d.Fixed("key", p.Key[:])
	return p, d.Finish()
}
