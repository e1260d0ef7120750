package genesis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

// MaxFileBytes bounds genesis.json; a file with 1000 validators and 1000
// organisations is well under 4 MiB.
const MaxFileBytes = 16 << 20

// The JSON shape of genesis.json. Keys, hashes and durations are strings and
// are converted by hand so that every error names its field.
type jsonDoc struct {
	ChainID       string          `json:"chain_id"`
	GenesisTime   string          `json:"genesis_time"`
	Consensus     jsonConsensus   `json:"consensus"`
	Validators    []jsonValidator `json:"validators"`
	Organisations []jsonOrg       `json:"organisations"`
}

type jsonConsensus struct {
	TimeoutPropose        string `json:"timeout_propose"`
	TimeoutProposeDelta   string `json:"timeout_propose_delta"`
	TimeoutPrevote        string `json:"timeout_prevote"`
	TimeoutPrevoteDelta   string `json:"timeout_prevote_delta"`
	TimeoutPrecommit      string `json:"timeout_precommit"`
	TimeoutPrecommitDelta string `json:"timeout_precommit_delta"`
	EmptyBlockInterval    string `json:"empty_block_interval"`
	MaxBlockBytes         uint64 `json:"max_block_bytes"`
	MaxBlockTxs           uint64 `json:"max_block_txs"`
	MaxTxBytes            uint64 `json:"max_tx_bytes"`
}

type jsonValidator struct {
	Name   string `json:"name"`
	PubKey string `json:"pub_key"`
	PeerID string `json:"peer_id"`
	Power  uint64 `json:"power"`
	Org    string `json:"org"`
}

type jsonOrg struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	NameEN      string   `json:"name_en,omitempty"`
	Roles       []string `json:"roles"`
	GS1Prefixes []string `json:"gs1_company_prefixes"`
	GLNs        []string `json:"glns"`
	Admins      []string `json:"admins"`
}

// Load reads and validates the genesis file at path.
func Load(path string) (*Doc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("genesis: read %s: %w", path, err)
	}
	d, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// Parse decodes genesis JSON strictly (unknown fields, trailing data and
// missing required fields are errors) and validates it.
func Parse(b []byte) (*Doc, error) {
	if len(b) > MaxFileBytes {
		return nil, fieldErr("(file)", "%d bytes, at most %d", len(b), MaxFileBytes)
	}
	if !utf8.Valid(b) {
		return nil, fieldErr("(file)", "not valid UTF-8 text")
	}
	var j jsonDoc
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fieldErr("(file)", "data after the JSON object")
	}
	d, err := j.toDoc()
	if err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// jsonError turns encoding/json errors into FieldErrors where it can name
// the field.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fieldErr(te.Field, "expected %s, got JSON %s", te.Type, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fieldErr("(file)", "JSON syntax error at byte %d: %v", se.Offset, err)
	}
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fieldErr(strings.Trim(msg, `"`), "unknown field")
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fieldErr("(file)", "empty or truncated JSON")
	}
	return fieldErr("(file)", "%v", err)
}

func parseDuration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, fieldErr(field, "missing (a duration such as \"1s\" or \"500ms\")")
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fieldErr(field, "%q is not a duration such as \"1s\" or \"500ms\"", s)
	}
	return d, nil
}

func parseKey(field, s string) (ledger.PublicKey, error) {
	k, err := ledger.ParsePublicKey(s)
	if err != nil {
		return k, fieldErr(field, "%v", err)
	}
	if k.String() != s {
		return k, fieldErr(field, "public key must be lower-case hex")
	}
	return k, nil
}

func (j *jsonDoc) toDoc() (*Doc, error) {
	d := &Doc{ChainID: j.ChainID}
	if j.GenesisTime == "" {
		return nil, fieldErr("genesis_time", "missing (an RFC 3339 time such as \"2026-01-01T00:00:00Z\")")
	}
	t, err := time.Parse(time.RFC3339Nano, j.GenesisTime)
	if err != nil {
		return nil, fieldErr("genesis_time", "%q is not an RFC 3339 time such as \"2026-01-01T00:00:00Z\"", j.GenesisTime)
	}
	d.GenesisTime = t
	c := &d.Consensus
	for _, f := range []struct {
		name string
		text string
		dst  *time.Duration
	}{
		{"timeout_propose", j.Consensus.TimeoutPropose, &c.TimeoutPropose},
		{"timeout_propose_delta", j.Consensus.TimeoutProposeDelta, &c.TimeoutProposeDelta},
		{"timeout_prevote", j.Consensus.TimeoutPrevote, &c.TimeoutPrevote},
		{"timeout_prevote_delta", j.Consensus.TimeoutPrevoteDelta, &c.TimeoutPrevoteDelta},
		{"timeout_precommit", j.Consensus.TimeoutPrecommit, &c.TimeoutPrecommit},
		{"timeout_precommit_delta", j.Consensus.TimeoutPrecommitDelta, &c.TimeoutPrecommitDelta},
		{"empty_block_interval", j.Consensus.EmptyBlockInterval, &c.EmptyBlockInterval},
	} {
		v, err := parseDuration("consensus."+f.name, f.text)
		if err != nil {
			return nil, err
		}
		*f.dst = v
	}
	c.MaxBlockBytes = j.Consensus.MaxBlockBytes
	c.MaxBlockTxs = j.Consensus.MaxBlockTxs
	c.MaxTxBytes = j.Consensus.MaxTxBytes

	for i, v := range j.Validators {
		field := fmt.Sprintf("validators[%d]", i)
		pk, err := parseKey(field+".pub_key", v.PubKey)
		if err != nil {
			return nil, err
		}
		id, err := peer.Decode(v.PeerID)
		if err != nil {
			return nil, fieldErr(field+".peer_id", "%q is not a libp2p peer id: %v", v.PeerID, err)
		}
		if id.String() != v.PeerID {
			return nil, fieldErr(field+".peer_id", "%q must be written in its canonical base58 form %s", v.PeerID, id)
		}
		d.Validators = append(d.Validators, Validator{Name: v.Name, PubKey: pk, PeerID: id, Power: v.Power, Org: v.Org})
	}
	for i, o := range j.Organisations {
		field := fmt.Sprintf("organisations[%d]", i)
		org := Organisation{ID: o.ID, Name: o.Name, NameEN: o.NameEN, GS1Prefixes: o.GS1Prefixes, GLNs: o.GLNs}
		for k, r := range o.Roles {
			role, err := ParseRole(r)
			if err != nil {
				return nil, fieldErr(fmt.Sprintf("%s.roles[%d]", field, k), "%v", err)
			}
			org.Roles = append(org.Roles, role)
		}
		for k, a := range o.Admins {
			pk, err := parseKey(fmt.Sprintf("%s.admins[%d]", field, k), a)
			if err != nil {
				return nil, err
			}
			org.Admins = append(org.Admins, pk)
		}
		d.Organisations = append(d.Organisations, org)
	}
	return d, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// JSON renders d as indented genesis.json text. It does not validate d.
func (d *Doc) JSON() []byte {
	j := jsonDoc{
		ChainID:     d.ChainID,
		GenesisTime: d.GenesisTime.UTC().Format(time.RFC3339Nano),
		Consensus: jsonConsensus{
			TimeoutPropose:        d.Consensus.TimeoutPropose.String(),
			TimeoutProposeDelta:   d.Consensus.TimeoutProposeDelta.String(),
			TimeoutPrevote:        d.Consensus.TimeoutPrevote.String(),
			TimeoutPrevoteDelta:   d.Consensus.TimeoutPrevoteDelta.String(),
			TimeoutPrecommit:      d.Consensus.TimeoutPrecommit.String(),
			TimeoutPrecommitDelta: d.Consensus.TimeoutPrecommitDelta.String(),
			EmptyBlockInterval:    d.Consensus.EmptyBlockInterval.String(),
			MaxBlockBytes:         d.Consensus.MaxBlockBytes,
			MaxBlockTxs:           d.Consensus.MaxBlockTxs,
			MaxTxBytes:            d.Consensus.MaxTxBytes,
		},
		Validators:    []jsonValidator{},
		Organisations: []jsonOrg{},
	}
	for _, v := range d.Validators {
		j.Validators = append(j.Validators, jsonValidator{Name: v.Name, PubKey: v.PubKey.String(), PeerID: v.PeerID.String(), Power: v.Power, Org: v.Org})
	}
	for _, o := range d.Organisations {
		jo := jsonOrg{ID: o.ID, Name: o.Name, NameEN: o.NameEN, Roles: []string{},
			GS1Prefixes: orEmpty(o.GS1Prefixes), GLNs: orEmpty(o.GLNs), Admins: []string{}}
		for _, r := range o.Roles {
			jo.Roles = append(jo.Roles, string(r))
		}
		for _, a := range o.Admins {
			jo.Admins = append(jo.Admins, a.String())
		}
		j.Organisations = append(j.Organisations, jo)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(j); err != nil {
		panic(err) // strings and integers always encode
	}
	return buf.Bytes()
}

// Save validates d and writes it to path (mode 0644: genesis is public),
// through a temporary file and a rename so a reader never sees half a file.
func (d *Doc) Save(path string) error {
	if err := d.Validate(); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".genesis-*.json")
	if err != nil {
		return fmt.Errorf("write genesis: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(d.JSON()); err != nil {
		tmp.Close()
		return fmt.Errorf("write genesis: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write genesis: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write genesis: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write genesis: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write genesis: %w", err)
	}
	return nil
}
