package membership

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/mr-tron/base58"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// The validator set lives in this contract's state, so the app hash commits
// to it and every node derives the same set for every height from its own
// executed state. It is kept as a history of sets, each stored under the
// first height it signs:
//
//	m/v/{from, u64 big-endian}  -> ValidatorSet: the set from that height on, and the changes that made it
//	m/vk/{key, 32 bytes}        -> org id: every key that was ever a validator's (never reused)
//
// Genesis writes the set of height 1. A change approved by executing block
// h takes effect at height h+2: the approval writes the set of h+2 (every
// change approved in block h lands in that one record), and header h+1,
// which carries the app hash after block h, names it as its next set. The
// set of height H is the record with the greatest from ≤ H. Records are
// never rewritten once their height is reached, so the present state
// answers for every past height too.
const (
	validatorSetPrefix = "m/v/"
	validatorKeyPrefix = "m/vk/"
)

// EffectDelay is how many heights after the approving block a validator-set
// change takes effect: approved by block h, it signs from h+2.
const EffectDelay = 2

func validatorSetKey(from uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(validatorSetPrefix), from)
}

func validatorKeyKey(k ledger.PublicKey) []byte { return append([]byte(validatorKeyPrefix), k[:]...) }

// ValidatorSetFrom reports whether a state key is a validator-set record,
// and the height it takes effect. The node reads a block's writes with it
// to learn the set it scheduled.
func ValidatorSetFrom(key []byte) (uint64, bool) {
	if len(key) != len(validatorSetPrefix)+8 || !bytes.HasPrefix(key, []byte(validatorSetPrefix)) {
		return 0, false
	}
	return binary.BigEndian.Uint64(key[len(validatorSetPrefix):]), true
}

// PeerID is a node's libp2p peer id in binary form: the identity multihash
// of its Ed25519 public key (38 bytes), the only kind genesis accepts. Its
// text form is base58btc, "12D3KooW...". The contract checks the form
// without libp2p (contracts import no network code).
type PeerID []byte

// peerIDPrefix is the identity multihash header (0x00, length 36) and the
// protobuf PublicKey header of an Ed25519 key (type 1, 32 data bytes).
var peerIDPrefix = []byte{0x00, 0x24, 0x08, 0x01, 0x12, 0x20}

// PeerIDLen is the length of an Ed25519 peer id.
const PeerIDLen = 38

func (p PeerID) String() string { return base58.Encode(p) }

// MarshalText renders the base58 form in JSON.
func (p PeerID) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads the base58 form (empty: no peer id), checked as
// ParsePeerID checks it.
func (p *PeerID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = nil
		return nil
	}
	id, err := ParsePeerID(string(b))
	if err != nil {
		return err
	}
	*p = id
	return nil
}

// ParsePeerID parses the base58 form and checks it is an Ed25519 peer id.
func ParsePeerID(s string) (PeerID, error) {
	b, err := base58.Decode(s)
	if err != nil {
		return nil, fmt.Errorf("peer id %q is not base58: %v", s, err)
	}
	if err := ValidatePeerID(b); err != nil {
		return nil, err
	}
	return PeerID(b), nil
}

// ValidatePeerID checks that b is an Ed25519 peer id in binary form.
func ValidatePeerID(b []byte) error {
	if len(b) != PeerIDLen || !bytes.HasPrefix(b, peerIDPrefix) {
		return fmt.Errorf("peer id of %d bytes is not the identity multihash of an Ed25519 node key (38 bytes beginning %x)", len(b), peerIDPrefix)
	}
	return nil
}

// Validator is one member of the validator set as the contract keeps it:
// what consensus counts (key and power, in the header's validators_hash)
// and what the network and the pages need.
type Validator struct {
	PubKey ledger.PublicKey `json:"pub_key"`
	Power  uint64           `json:"power"`
	Org    string           `json:"org"`     // the organisation that runs it; "" only on a chain without organisations
	Name   string           `json:"name"`    // operator's label, unique in the set
	PeerID PeerID           `json:"peer_id"` // its node's libp2p identity
	Since  uint64           `json:"since"`   // the first height it signed with this key (1 for genesis)
}

// ValidatorChange is one approved change: what the proposal asked.
type ValidatorChange struct {
	Proposal ledger.Hash      `json:"proposal,omitzero"` // zero inside a propose payload
	Kind     ProposalKind     `json:"kind"`
	Key      ledger.PublicKey `json:"key"`               // the validator: its key before the change (the new validator's, for add)
	NewKey   ledger.PublicKey `json:"new_key,omitzero"`  // rotate: the new consensus key; zero keeps the key
	Power    uint64           `json:"power,omitempty"`   // add, power: the new voting power
	Org      string           `json:"org,omitempty"`     // add
	Name     string           `json:"name,omitempty"`    // add
	PeerID   PeerID           `json:"peer_id,omitempty"` // add; rotate: the new peer id, empty keeps it
}

// ValidatorSet is the validator set from height From on, in index order
// (votes name validators by index), with the changes that made it from the
// previous record (none for genesis).
type ValidatorSet struct {
	From       uint64            `json:"from"`
	Validators []Validator       `json:"validators"`
	Changes    []ValidatorChange `json:"changes"`
}

// Ledger returns the set consensus counts: keys and powers in index order.
func (s *ValidatorSet) Ledger() (*ledger.ValidatorSet, error) {
	vals := make([]ledger.Validator, len(s.Validators))
	for i, v := range s.Validators {
		vals[i] = ledger.Validator{PubKey: v.PubKey, Power: v.Power}
	}
	return ledger.NewValidatorSet(vals)
}

// IndexOf returns the index of the validator with key k, or -1.
func (s *ValidatorSet) IndexOf(k ledger.PublicKey) int {
	for i, v := range s.Validators {
		if v.PubKey == k {
			return i
		}
	}
	return -1
}

// TotalPower sums the set's power.
func (s *ValidatorSet) TotalPower() uint64 {
	var t uint64
	for _, v := range s.Validators {
		t += v.Power
	}
	return t
}

func (v *Validator) encode(e *codec.Encoder) {
	e.Fixed(v.PubKey[:])
	e.U64(v.Power)
	e.String(v.Org)
	e.String(v.Name)
	e.Bytes(v.PeerID)
	e.U64(v.Since)
}

func decodeValidator(d *codec.Decoder) Validator {
	var v Validator
	d.Fixed("pub_key", v.PubKey[:])
	v.Power = d.U64("power")
	v.Org = d.String("org", MaxOrgIDLen)
	v.Name = d.String("name", MaxValidatorNameLen)
	v.PeerID = d.Bytes("peer_id", PeerIDLen)
	v.Since = d.U64("since")
	return v
}

func (c *ValidatorChange) encode(e *codec.Encoder) {
	e.Fixed(c.Proposal[:])
	e.U8(uint8(c.Kind))
	c.encodeBody(e)
}

// encodeBody writes the fields of c's kind, as a propose payload carries
// them (payloads.go).
func (c *ValidatorChange) encodeBody(e *codec.Encoder) {
	switch c.Kind {
	case AddValidator:
		e.String(c.Org)
		e.String(c.Name)
		e.Fixed(c.Key[:])
		e.U64(c.Power)
		e.Bytes(c.PeerID)
	case RemoveValidator:
		e.Fixed(c.Key[:])
	case SetValidatorPower:
		e.Fixed(c.Key[:])
		e.U64(c.Power)
	case RotateValidator:
		e.Fixed(c.Key[:])
		e.Fixed(c.NewKey[:])
		e.Bytes(c.PeerID)
	}
}

func decodeChangeBody(d *codec.Decoder, kind ProposalKind) ValidatorChange {
	c := ValidatorChange{Kind: kind}
	switch kind {
	case AddValidator:
		c.Org = d.String("org", MaxOrgIDLen)
		c.Name = d.String("name", MaxValidatorNameLen)
		d.Fixed("key", c.Key[:])
		c.Power = d.U64("power")
		c.PeerID = d.Bytes("peer_id", PeerIDLen)
	case RemoveValidator:
		d.Fixed("key", c.Key[:])
	case SetValidatorPower:
		d.Fixed("key", c.Key[:])
		c.Power = d.U64("power")
	case RotateValidator:
		d.Fixed("key", c.Key[:])
		d.Fixed("new_key", c.NewKey[:])
		c.PeerID = d.Bytes("peer_id", PeerIDLen)
	default:
		d.Fail("kind", "%s is not a validator change", kind)
	}
	if len(c.PeerID) == 0 {
		c.PeerID = nil
	}
	return c
}

func decodeChange(d *codec.Decoder) ValidatorChange {
	var id ledger.Hash
	d.Fixed("proposal", id[:])
	c := decodeChangeBody(d, ProposalKind(d.U8("kind")))
	c.Proposal = id
	return c
}

// Encode returns the state encoding: u8 version 1, u64 from, the
// validators (key, power, org, name, peer id, since), the changes.
func (s *ValidatorSet) Encode() []byte {
	e := &codec.Encoder{}
	e.U8(1)
	e.U64(s.From)
	e.Count(len(s.Validators))
	for i := range s.Validators {
		s.Validators[i].encode(e)
	}
	e.Count(len(s.Changes))
	for i := range s.Changes {
		s.Changes[i].encode(e)
	}
	return e.Buf
}

// DecodeValidatorSet decodes a validator-set record.
func DecodeValidatorSet(b []byte) (*ValidatorSet, error) {
	d := codec.NewDecoder("membership validator set", b)
	if v := d.U8("version"); d.Err() == nil && v != 1 {
		d.Fail("version", "unknown version %d", v)
	}
	s := &ValidatorSet{From: d.U64("from")}
	n := d.Count("validators", ledger.MaxValidators)
	for i := 0; i < n && d.Err() == nil; i++ {
		s.Validators = append(s.Validators, decodeValidator(d))
	}
	m := d.Count("changes", ledger.MaxValidators)
	s.Changes = []ValidatorChange{}
	for i := 0; i < m && d.Err() == nil; i++ {
		s.Changes = append(s.Changes, decodeChange(d))
	}
	return s, d.Finish()
}

// ValidatorSetAt returns the record in force at height h (h ≥ 1): the one
// with the greatest From ≤ h. After executing block h, the state answers
// for every height up to h+2.
func ValidatorSetAt(r Reader, h uint64) (*ValidatorSet, error) {
	var last []byte
	err := r.Iterate([]byte(validatorSetPrefix), validatorSetKey(h+1), func(_, v []byte) bool {
		last = append(last[:0], v...)
		return true
	})
	if err != nil {
		return nil, err
	}
	if last == nil {
		return nil, fmt.Errorf("membership: no validator set at height %d (the state has no genesis validators)", h)
	}
	s, err := DecodeValidatorSet(last)
	if err != nil {
		return nil, fmt.Errorf("membership: corrupt validator set in force at height %d: %w", h, err)
	}
	return s, nil
}

// ValidatorHistory returns every validator-set record in height order: the
// genesis set, then one per height at which the set changed (or will, for
// the last ones, once approved changes take effect).
func ValidatorHistory(r Reader) ([]*ValidatorSet, error) {
	var out []*ValidatorSet
	var derr error
	err := r.Iterate([]byte(validatorSetPrefix), state.PrefixEnd([]byte(validatorSetPrefix)), func(k, v []byte) bool {
		s, err := DecodeValidatorSet(v)
		if err != nil {
			derr = fmt.Errorf("membership: corrupt validator set %x: %w", k, err)
			return false
		}
		out = append(out, s)
		return true
	})
	if err == nil {
		err = derr
	}
	return out, err
}

// Limits of validator records.
const MaxValidatorNameLen = 64

// validValidatorName is genesis's rule for validator names: 1 to 64
// characters of [A-Za-z0-9._-], starting with a letter or digit.
func validValidatorName(s string) bool {
	if len(s) == 0 || len(s) > MaxValidatorNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// checkPower refuses a power consensus cannot count.
func checkPower(p uint64) error {
	if p == 0 || p > ledger.MaxVotingPower {
		return call.Errorf(call.ErrValidatorPower, "voting power %d is outside 1 to %d", p, uint64(ledger.MaxVotingPower))
	}
	return nil
}

// GenesisValidators writes the genesis validator set (height 1) into t.
// Every validator is checked as an added one would be: a valid key, power
// and peer id, a unique key, peer id and name, and an active organisation
// (or none, when the chain has no organisations). The caller writes the
// organisations first.
func GenesisValidators(t *state.Tx, vals []Validator) error {
	if len(vals) == 0 {
		return call.Errorf(call.ErrValidatorSetEmpty, "genesis needs at least one validator")
	}
	if len(vals) > ledger.MaxValidators {
		return call.Errorf(call.ErrInvalid, "%d genesis validators, at most %d", len(vals), ledger.MaxValidators)
	}
	orgs, err := ListOrgs(t)
	if err != nil {
		return err
	}
	set := &ValidatorSet{From: 1, Changes: []ValidatorChange{}}
	for i, v := range vals {
		v.Since = 1
		if v.Org != "" || len(orgs) > 0 {
			if err := checkValidatorOrg(t, v.Org); err != nil {
				return fmt.Errorf("genesis validator %d (%s): %w", i, v.Name, err)
			}
		}
		if err := checkNewValidator(t, set, v.PubKey, v.Name, v.PeerID, v.Power); err != nil {
			return fmt.Errorf("genesis validator %d (%s): %w", i, v.Name, err)
		}
		set.Validators = append(set.Validators, v)
		t.Set(validatorKeyKey(v.PubKey), []byte(v.Org))
	}
	t.Set(validatorSetKey(1), set.Encode())
	return nil
}
