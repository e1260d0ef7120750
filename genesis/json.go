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
	Observers     []jsonObserver  `json:"observers,omitempty"`
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
	Name      string   `json:"name"`
	Org       string   `json:"org,omitempty"`
	PubKey    string   `json:"pub_key"`
	PeerID    string   `json:"peer_id"`
	Power     uint64   `json:"power"`
	Addresses []string `json:"addresses,omitempty"`
}

type jsonObserver struct {
	Name      string   `json:"name"`
	Org       string   `json:"org"`
	PeerID    string   `json:"peer_id"`
	Addresses []string `json:"addresses,omitempty"`
}

type jsonJoin struct {
	Admin     string `json:"admin"`
	Validator string `json:"validator,omitempty"`
	Node      string `json:"node"`
}

type jsonOrg struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	NameEN      string    `json:"name_en,omitempty"`
	Roles       []string  `json:"roles"`
	GS1Prefixes []string  `json:"gs1_company_prefixes"`
	GLNs        []string  `json:"glns"`
	Admins      []string  `json:"admins"`
	Join        *jsonJoin `json:"join_signatures,omitempty"`
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
		val, err := v.toValidator(fmt.Sprintf("validators[%d]", i))
		if err != nil {
			return nil, err
		}
		d.Validators = append(d.Validators, *val)
	}
	for i, o := range j.Observers {
		obs, err := o.toObserver(fmt.Sprintf("observers[%d]", i))
		if err != nil {
			return nil, err
		}
		d.Observers = append(d.Observers, *obs)
	}
	for i, o := range j.Organisations {
		org, err := o.toOrg(fmt.Sprintf("organisations[%d]", i))
		if err != nil {
			return nil, err
		}
		d.Organisations = append(d.Organisations, *org)
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
	for i := range d.Validators {
		j.Validators = append(j.Validators, validatorJSON(&d.Validators[i]))
	}
	for i := range d.Observers {
		j.Observers = append(j.Observers, observerJSON(&d.Observers[i]))
	}
	for i := range d.Organisations {
		j.Organisations = append(j.Organisations, orgJSON(&d.Organisations[i]))
	}
	return indentJSON(j)
}

// Save validates d and writes it to path (mode 0644: genesis is public).
func (d *Doc) Save(path string) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if err := writeAtomic(path, d.JSON()); err != nil {
		return fmt.Errorf("write genesis: %w", err)
	}
	return nil
}

// writeAtomic writes a public file (mode 0644) through a temporary file, a
// sync and a rename, so a reader never sees half a file.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	for _, step := range []func() error{
		func() error { _, err := tmp.Write(data); return err },
		func() error { return tmp.Chmod(0o644) },
		tmp.Sync,
	} {
		if err := step(); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
