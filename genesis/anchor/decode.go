package anchor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
)

// HashTag is the BIP-340 tag of the genesis hash (genesis.HashTag; a test
// holds the two equal).
const HashTag = "qian/genesis/v1"

// MaxEncodingBytes bounds the encoding Decode reads: a genesis with the
// largest validator set (ledger.MaxValidators) and hundreds of
// organisations is well under it.
const MaxEncodingBytes = 4 << 20

// Genesis is what a genesis encoding holds that a verifier uses: the
// chain's identity, its validators and its founding organisations.
// Consensus timeouts, limits, addresses, observers and join signatures are
// read (they are part of the hashed bytes) but not kept.
type Genesis struct {
	// Encoding is the bytes decoded; Hash is TaggedHash(HashTag, Encoding).
	Encoding    []byte
	Hash        ledger.Hash
	ChainID     string
	GenesisTime int64 // Unix nanoseconds
	// Validators are in file order, which is the validator set's order.
	Validators    []Validator
	Organisations []Organisation
	set           *ledger.ValidatorSet
}

// Validator is a genesis validator.
type Validator struct {
	Name   string           `json:"name"`
	PubKey ledger.PublicKey `json:"pub_key"`
	Power  uint64           `json:"power"`
	Org    string           `json:"org,omitempty"` // the id of the organisation that runs it
}

// Organisation is a founding organisation.
type Organisation struct {
	ID     string             `json:"id"`
	Name   string             `json:"name"`
	NameEN string             `json:"name_en,omitempty"`
	Roles  []string           `json:"roles"`
	GLNs   []string           `json:"glns"`
	Admins []ledger.PublicKey `json:"admins"`
}

// Decode reads a genesis encoding. A failure says where the bytes stop
// making sense; nothing of them is trusted until Decode returns.
func Decode(enc []byte) (*Genesis, error) {
	if len(enc) > MaxEncodingBytes {
		return nil, fmt.Errorf("genesis encoding: %d bytes, more than %d", len(enc), MaxEncodingBytes)
	}
	d := &decoder{b: enc}
	g := &Genesis{Encoding: append([]byte(nil), enc...), Hash: ledger.TaggedHash(HashTag, enc)}
	g.ChainID = d.str("chain_id")
	g.GenesisTime = int64(d.u64("genesis_time"))
	for range 7 + 3 { // timeouts and empty-block interval; block and tx limits
		d.u64("consensus")
	}
	n := d.count("validators", 1+32+1+8)
	for i := 0; i < n && d.err == nil; i++ {
		v := Validator{Name: d.str("validators.name")}
		copy(v.PubKey[:], d.take("validators.pub_key", 32))
		d.bytes("validators.peer_id")
		v.Power = d.u64("validators.power")
		g.Validators = append(g.Validators, v)
	}
	n = d.count("organisations", 7)
	for i := 0; i < n && d.err == nil; i++ {
		o := Organisation{ID: d.str("organisations.id"), Name: d.str("organisations.name"), NameEN: d.str("organisations.name_en")}
		o.Roles = d.strs("organisations.roles")
		d.strs("organisations.gs1_company_prefixes")
		o.GLNs = d.strs("organisations.glns")
		k := d.count("organisations.admins", 32)
		for j := 0; j < k && d.err == nil; j++ {
			var a ledger.PublicKey
			copy(a[:], d.take("organisations.admins", 32))
			o.Admins = append(o.Admins, a)
		}
		g.Organisations = append(g.Organisations, o)
	}
	if d.err == nil && len(d.b) > 0 {
		d.extension(g)
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) > 0 {
		return nil, fmt.Errorf("genesis encoding: %d bytes after the end", len(d.b))
	}
	if err := g.check(); err != nil {
		return nil, err
	}
	return g, nil
}

// extension reads the part that came with validator organisations and the
// founding ceremony: marked 01, each validator's org and addresses, the
// observers, the organisations' join signatures.
func (d *decoder) extension(g *Genesis) {
	if m := d.take("extension", 1); d.err == nil && m[0] != 1 {
		d.fail("extension", "marker %02x, want 01", m[0])
		return
	}
	if n := d.count("extension.validators", 2); d.err == nil && n != len(g.Validators) {
		d.fail("extension.validators", "%d entries for %d validators", n, len(g.Validators))
		return
	}
	for i := range g.Validators {
		g.Validators[i].Org = d.str("extension.validators.org")
		d.strs("extension.validators.addresses")
	}
	n := d.count("extension.observers", 4)
	for i := 0; i < n && d.err == nil; i++ {
		d.str("extension.observers.name")
		d.str("extension.observers.org")
		d.bytes("extension.observers.peer_id")
		d.strs("extension.observers.addresses")
	}
	if n := d.count("extension.organisations", 1); d.err == nil && n != len(g.Organisations) {
		d.fail("extension.organisations", "%d entries for %d organisations", n, len(g.Organisations))
		return
	}
	for range g.Organisations {
		if !d.option("extension.organisations.join") {
			continue
		}
		d.take("join.admin", 64)
		if d.option("join.validator") {
			d.take("join.validator", 64)
		}
		d.take("join.node", 64)
	}
}

// check refuses what a verifier could not use: no validators, an invalid
// key or power (ledger.NewValidatorSet), an empty chain id, and, on a
// chain with organisations, a validator that names none of them (what
// genesis.Validate refuses too: without it, the first part of an encoding
// would read as a genesis of its own, with anonymous validators).
func (g *Genesis) check() error {
	if g.ChainID == "" {
		return errors.New("genesis encoding: chain_id is empty")
	}
	vals := make([]ledger.Validator, len(g.Validators))
	for i, v := range g.Validators {
		if err := v.PubKey.Validate(); err != nil {
			return fmt.Errorf("genesis encoding: validators[%d].pub_key: %v", i, err)
		}
		if len(g.Organisations) > 0 && g.Organisation(v.Org) == nil {
			return fmt.Errorf("genesis encoding: validators[%d].org: %q is not a founding organisation", i, v.Org)
		}
		vals[i] = ledger.Validator{PubKey: v.PubKey, Power: v.Power}
	}
	set, err := ledger.NewValidatorSet(vals)
	if err != nil {
		return fmt.Errorf("genesis encoding: validators: %w", err)
	}
	g.set = set
	return nil
}

// Identity is the chain identity every certificate of the chain signs.
func (g *Genesis) Identity() ledger.ChainIdentity { return ledger.NewChainIdentity(g.ChainID, g.Hash) }

// ValidatorSet is the genesis validator set.
func (g *Genesis) ValidatorSet() *ledger.ValidatorSet { return g.set }

// Proof is the anchor ledger/proof verifies against: the identity, the
// genesis set and the validators' names.
func (g *Genesis) Proof() proof.Anchor {
	names := make(map[ledger.PublicKey]string, len(g.Validators))
	for _, v := range g.Validators {
		names[v.PubKey] = v.Name
	}
	return proof.Anchor{Chain: g.Identity(), Validators: g.set, Names: names}
}

// Validator returns the genesis validator holding key k, or nil: a
// validator that joined by governance later is not in genesis.
func (g *Genesis) Validator(k ledger.PublicKey) *Validator {
	for i := range g.Validators {
		if g.Validators[i].PubKey == k {
			return &g.Validators[i]
		}
	}
	return nil
}

// Organisation returns the founding organisation with this id, or nil.
func (g *Genesis) Organisation(id string) *Organisation {
	for i := range g.Organisations {
		if g.Organisations[i].ID == id {
			return &g.Organisations[i]
		}
	}
	return nil
}

// AdminOf returns the founding organisation one of whose genesis admin
// keys is k, or nil.
func (g *Genesis) AdminOf(k ledger.PublicKey) *Organisation {
	for i := range g.Organisations {
		for _, a := range g.Organisations[i].Admins {
			if a == k {
				return &g.Organisations[i]
			}
		}
	}
	return nil
}

// decoder reads the primitives of docs/encoding.md, remembering the first
// failure; after one, every read returns zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(field, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("genesis encoding: %s: %s", field, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) take(field string, n int) []byte {
	if d.err != nil {
		return make([]byte, n)
	}
	if n > len(d.b) {
		d.fail(field, "%d bytes needed, %d left", n, len(d.b))
		return make([]byte, n)
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) u64(field string) uint64 { return binary.BigEndian.Uint64(d.take(field, 8)) }

// uvarint reads a shortest-form unsigned LEB128 varint.
func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(field, "bad varint")
		return 0
	}
	if n != len(binary.AppendUvarint(nil, v)) {
		d.fail(field, "varint not in shortest form")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a list's length, each entry being at least min bytes, so
// that a count cannot claim more entries than the bytes left could hold.
func (d *decoder) count(field string, min int) int {
	n := d.uvarint(field)
	if d.err == nil && n > uint64(len(d.b)/min) {
		d.fail(field, "%d entries cannot fit in the %d bytes left", n, len(d.b))
		return 0
	}
	return int(n)
}

// bytes reads a length-prefixed byte string (a peer id's multihash).
func (d *decoder) bytes(field string) []byte { return d.take(field, d.count(field, 1)) }

func (d *decoder) str(field string) string {
	s := string(d.bytes(field))
	if d.err == nil && !utf8.ValidString(s) {
		d.fail(field, "not UTF-8")
	}
	return s
}

func (d *decoder) strs(field string) []string {
	n := d.count(field, 1)
	out := []string{}
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.str(field))
	}
	return out
}

func (d *decoder) option(field string) bool {
	switch b := d.take(field, 1); {
	case d.err != nil:
		return false
	case b[0] == 0:
		return false
	case b[0] == 1:
		return true
	default:
		d.fail(field, "option byte %02x, want 00 or 01", b[0])
		return false
	}
}
