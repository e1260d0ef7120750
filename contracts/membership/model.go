// Package membership is the contract that says who may write what: the
// organisations of the supply chain, their roles, GS1 company prefixes and
// GLNs, and the accounts (public keys) that act for them.
//
// Founding organisations come from genesis. Adding, suspending or
// reinstating an organisation is a proposal that passes when more than 2/3
// of the electorate — the active organisations that are founding or hold
// the regulator role — approve it. An organisation's admins add, rotate and
// revoke its own keys. A suspended organisation or a revoked key can no
// longer write; what it wrote stays.
package membership

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/ledger"
)

// Role is what an organisation does in the supply chain.
type Role string

const (
	Farm         Role = "farm"
	Cooperative  Role = "cooperative"
	Processor    Role = "processor"
	Logistics    Role = "logistics"
	Retailer     Role = "retailer"
	Inspector    Role = "inspector"
	Regulator    Role = "regulator"
	DataExchange Role = "data_exchange"
	Auditor      Role = "auditor"
)

// AllRoles lists the roles in their canonical order (the order of their
// bits in the encoding).
var AllRoles = []Role{Farm, Cooperative, Processor, Logistics, Retailer, Inspector, Regulator, DataExchange, Auditor}

func roleBit(r Role) (uint16, bool) {
	for i, x := range AllRoles {
		if x == r {
			return 1 << i, true
		}
	}
	return 0, false
}

// OrgStatus is an organisation's standing.
type OrgStatus uint8

const (
	Active    OrgStatus = 1
	Suspended OrgStatus = 2
)

func (s OrgStatus) String() string {
	if s == Suspended {
		return "suspended"
	}
	return "active"
}

// MarshalText renders the status as a word in JSON.
func (s OrgStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Org is an organisation.
type Org struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Roles    []Role    `json:"roles"`    // canonical order, unique
	Prefixes []string  `json:"prefixes"` // GS1 company prefixes, sorted
	GLNs     []string  `json:"glns"`     // GLNs, sorted
	Founding bool      `json:"founding"`
	Status   OrgStatus `json:"status"`
	Since    uint64    `json:"since"` // height it joined; 0 for genesis
}

// Has reports whether the organisation holds role r.
func (o *Org) Has(r Role) bool {
	for _, x := range o.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// HasAny reports whether the organisation holds one of rs.
func (o *Org) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if o.Has(r) {
			return true
		}
	}
	return false
}

// OwnsKey reports whether one of the organisation's company prefixes is the
// prefix of a GS1 key (a GTIN-14, SSCC or GLN).
func (o *Org) OwnsKey(key string) bool {
	for _, p := range o.Prefixes {
		if gs1.Owns(p, key) {
			return true
		}
	}
	return false
}

// OwnsObject reports whether one of the organisation's company prefixes is
// the prefix of the object's key (kind-aware: a GSRN or GIAI starts with
// its prefix, a GTIN, SSCC or GRAI after one digit).
func (o *Org) OwnsObject(id gs1.ObjectID) bool {
	for _, p := range o.Prefixes {
		if gs1.OwnsObject(p, id) {
			return true
		}
	}
	return false
}

// Elector reports whether the organisation votes on proposals.
func (o *Org) Elector() bool { return o.Status == Active && (o.Founding || o.Has(Regulator)) }

// AccountRole is a key's role within its organisation.
type AccountRole uint8

const (
	Admin    AccountRole = 1
	Operator AccountRole = 2
)

func (r AccountRole) String() string {
	switch r {
	case Admin:
		return "admin"
	case Operator:
		return "operator"
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

func (r AccountRole) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// ParseAccountRole parses "admin" or "operator".
func ParseAccountRole(s string) (AccountRole, error) {
	switch s {
	case "admin":
		return Admin, nil
	case "operator":
		return Operator, nil
	}
	return 0, fmt.Errorf("account role %q is neither admin nor operator", s)
}

// Account is a public key acting for an organisation.
type Account struct {
	Key     ledger.PublicKey `json:"key"`
	Org     string           `json:"org"`
	Role    AccountRole      `json:"role"`
	Revoked bool             `json:"revoked"`
	Label   string           `json:"label"`
	Added   uint64           `json:"added"` // height
	Ended   uint64           `json:"ended"` // height it was revoked or rotated away; 0 while active
}

// OrgSpec describes an organisation to found (genesis) or add (proposal).
type OrgSpec struct {
	ID       string             `json:"id"`
	Name     string             `json:"name"`
	Roles    []Role             `json:"roles"`
	Prefixes []string           `json:"prefixes"` // GS1 company prefixes
	GLNs     []string           `json:"glns"`     // party and location GLNs
	Admins   []ledger.PublicKey `json:"admins"`   // at least one
}

// Limits.
const (
	MaxOrgIDLen  = 32
	MaxNameLen   = 200
	MaxPrefixes  = 16
	MaxGLNs      = 64
	MaxAdmins    = 16
	MaxLabelLen  = 64
	MaxReasonLen = 500
)

// ValidOrgID reports whether s is 1-32 characters of [a-z0-9_-] starting
// with a letter.
func ValidOrgID(s string) bool {
	if len(s) == 0 || len(s) > MaxOrgIDLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Normalize sorts the spec's lists into canonical order and checks every
// field, returning an ERR_INVALID or ERR_INVALID_GTIN *call.Error.
func (s *OrgSpec) Normalize() error {
	if !ValidOrgID(s.ID) {
		return call.Errorf(call.ErrInvalid, "organisation id %q must be 1-%d characters of [a-z0-9_-] starting with a letter", s.ID, MaxOrgIDLen)
	}
	if s.Name == "" || len(s.Name) > MaxNameLen || !utf8.ValidString(s.Name) || strings.TrimSpace(s.Name) != s.Name {
		return call.Errorf(call.ErrInvalid, "organisation name must be 1-%d bytes of UTF-8 without surrounding spaces", MaxNameLen)
	}
	if len(s.Roles) == 0 {
		return call.Errorf(call.ErrInvalid, "organisation %s must hold at least one role", s.ID)
	}
	var bits uint16
	for _, r := range s.Roles {
		b, ok := roleBit(r)
		if !ok {
			return call.Errorf(call.ErrInvalid, "unknown role %q (roles: %s)", r, rolesList())
		}
		if bits&b != 0 {
			return call.Errorf(call.ErrInvalid, "role %q listed twice", r)
		}
		bits |= b
	}
	s.Roles = rolesFromBits(bits)
	if len(s.Prefixes) > MaxPrefixes || len(s.GLNs) > MaxGLNs {
		return call.Errorf(call.ErrInvalid, "at most %d company prefixes and %d GLNs", MaxPrefixes, MaxGLNs)
	}
	sort.Strings(s.Prefixes)
	for i, p := range s.Prefixes {
		if err := gs1.ValidateCompanyPrefix(p); err != nil {
			return call.Errorf(call.ErrInvalidGTIN, "%v", err)
		}
		if i > 0 && gs1.PrefixesOverlap(p, s.Prefixes[i-1]) {
			return call.Errorf(call.ErrInvalid, "company prefixes %s and %s overlap", s.Prefixes[i-1], p)
		}
	}
	sort.Strings(s.GLNs)
	for i, g := range s.GLNs {
		if err := gs1.ValidateGLN(g); err != nil {
			return call.Errorf(call.ErrInvalidGTIN, "%v", err)
		}
		if i > 0 && g == s.GLNs[i-1] {
			return call.Errorf(call.ErrInvalid, "GLN %s listed twice", g)
		}
	}
	if len(s.Admins) == 0 || len(s.Admins) > MaxAdmins {
		return call.Errorf(call.ErrInvalid, "organisation %s needs 1-%d admin keys", s.ID, MaxAdmins)
	}
	sort.Slice(s.Admins, func(i, j int) bool { return string(s.Admins[i][:]) < string(s.Admins[j][:]) })
	for i, k := range s.Admins {
		if err := k.Validate(); err != nil {
			return call.Errorf(call.ErrInvalid, "admin key %s: %v", k, err)
		}
		if i > 0 && k == s.Admins[i-1] {
			return call.Errorf(call.ErrInvalid, "admin key %s listed twice", k)
		}
	}
	return nil
}

func rolesList() string {
	s := make([]string, len(AllRoles))
	for i, r := range AllRoles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func rolesFromBits(bits uint16) []Role {
	var out []Role
	for i, r := range AllRoles {
		if bits&(1<<i) != 0 {
			out = append(out, r)
		}
	}
	return out
}

func rolesBits(rs []Role) uint16 {
	var b uint16
	for _, r := range rs {
		x, _ := roleBit(r)
		b |= x
	}
	return b
}

func encodeStrings(e *codec.Encoder, ss []string) {
	e.Count(len(ss))
	for _, s := range ss {
		e.String(s)
	}
}

func decodeStrings(d *codec.Decoder, field string, max, maxLen int) []string {
	n := d.Count(field, max)
	var out []string
	for i := 0; i < n && d.Err() == nil; i++ {
		out = append(out, d.String(fmt.Sprintf("%s[%d]", field, i), maxLen))
	}
	return out
}

func decodeRoles(d *codec.Decoder) []Role {
	bits := d.U16("roles")
	if d.Err() == nil && bits>>len(AllRoles) != 0 {
		d.Fail("roles", "unknown role bits 0x%04x", bits)
	}
	return rolesFromBits(bits)
}

func (s *OrgSpec) encode(e *codec.Encoder) {
	e.String(s.ID)
	e.String(s.Name)
	e.U16(rolesBits(s.Roles))
	encodeStrings(e, s.Prefixes)
	encodeStrings(e, s.GLNs)
	e.Count(len(s.Admins))
	for _, k := range s.Admins {
		e.Fixed(k[:])
	}
}

func decodeSpec(d *codec.Decoder) OrgSpec {
	var s OrgSpec
	s.ID = d.String("org.id", MaxOrgIDLen)
	s.Name = d.String("org.name", MaxNameLen)
	s.Roles = decodeRoles(d)
	s.Prefixes = decodeStrings(d, "org.prefixes", MaxPrefixes, 12)
	s.GLNs = decodeStrings(d, "org.glns", MaxGLNs, 13)
	n := d.Count("org.admins", MaxAdmins)
	for i := 0; i < n && d.Err() == nil; i++ {
		var k ledger.PublicKey
		d.Fixed(fmt.Sprintf("org.admins[%d]", i), k[:])
		s.Admins = append(s.Admins, k)
	}
	return s
}

// Encode returns the state encoding of an organisation.
func (o *Org) Encode() []byte {
	e := &codec.Encoder{}
	e.U8(1) // version
	e.String(o.ID)
	e.String(o.Name)
	e.U16(rolesBits(o.Roles))
	encodeStrings(e, o.Prefixes)
	encodeStrings(e, o.GLNs)
	e.Bool(o.Founding)
	e.U8(uint8(o.Status))
	e.U64(o.Since)
	return e.Buf
}

// DecodeOrg decodes an organisation record.
func DecodeOrg(b []byte) (*Org, error) {
	d := codec.NewDecoder("membership org", b)
	if v := d.U8("version"); d.Err() == nil && v != 1 {
		d.Fail("version", "unknown version %d", v)
	}
	o := &Org{}
	o.ID = d.String("id", MaxOrgIDLen)
	o.Name = d.String("name", MaxNameLen)
	o.Roles = decodeRoles(d)
	o.Prefixes = decodeStrings(d, "prefixes", MaxPrefixes, 12)
	o.GLNs = decodeStrings(d, "glns", MaxGLNs, 13)
	o.Founding = d.Bool("founding")
	o.Status = OrgStatus(d.U8("status"))
	o.Since = d.U64("since")
	if d.Err() == nil && o.Status != Active && o.Status != Suspended {
		d.Fail("status", "unknown status %d", o.Status)
	}
	return o, d.Finish()
}

// Encode returns the state encoding of an account.
func (a *Account) Encode() []byte {
	e := &codec.Encoder{}
	e.U8(1)
	e.Fixed(a.Key[:])
	e.String(a.Org)
	e.U8(uint8(a.Role))
	e.Bool(a.Revoked)
	e.String(a.Label)
	e.U64(a.Added)
	e.U64(a.Ended)
	return e.Buf
}

// DecodeAccount decodes an account record.
func DecodeAccount(b []byte) (*Account, error) {
	d := codec.NewDecoder("membership account", b)
	if v := d.U8("version"); d.Err() == nil && v != 1 {
		d.Fail("version", "unknown version %d", v)
	}
	a := &Account{}
	d.Fixed("key", a.Key[:])
	a.Org = d.String("org", MaxOrgIDLen)
	a.Role = AccountRole(d.U8("role"))
	a.Revoked = d.Bool("revoked")
	a.Label = d.String("label", MaxLabelLen)
	a.Added = d.U64("added")
	a.Ended = d.U64("ended")
	return a, d.Finish()
}
