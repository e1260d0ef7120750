package genesis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/qianchain/qianchain/ledger"
)

// The join request file (`qian consortium request -o FILE`): the request's
// entries in the JSON shapes of genesis.json, so that the organisation and
// node entries are copied into genesis exactly as they are written here.
const (
	RequestType     = "qian-join-request"
	RequestVersion  = 1
	MaxRequestBytes = 64 << 10
)

type jsonRequest struct {
	Type         string         `json:"type"`
	Version      int            `json:"version"`
	ChainID      string         `json:"chain_id"`
	Organisation jsonOrg        `json:"organisation"`
	Validator    *jsonValidator `json:"validator,omitempty"`
	Observer     *jsonObserver  `json:"observer,omitempty"`
}

// JSON renders the request file. It does not validate r.
func (r *JoinRequest) JSON() []byte {
	j := jsonRequest{Type: RequestType, Version: RequestVersion, ChainID: r.ChainID, Organisation: orgJSON(&r.Organisation)}
	if r.Validator != nil {
		v := validatorJSON(r.Validator)
		j.Validator = &v
	}
	if r.Observer != nil {
		o := observerJSON(r.Observer)
		j.Observer = &o
	}
	return indentJSON(j)
}

// Save validates r and writes its file (mode 0644: a request is public).
func (r *JoinRequest) Save(path string) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return writeAtomic(path, r.JSON())
}

// LoadJoinRequest reads and validates the request file at path; the
// request's Source is path.
func LoadJoinRequest(path string) (*JoinRequest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("join request: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxRequestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("join request: read %s: %w", path, err)
	}
	return ParseJoinRequest(b, path)
}

// ParseJoinRequest decodes a request file strictly (unknown fields,
// trailing data, another type or version are refused) and validates it,
// signatures included. source names the file in errors, which are
// *CeremonyError with CodeInvalidRequest or CodeBadSignature.
func ParseJoinRequest(b []byte, source string) (*JoinRequest, error) {
	fail := func(err error) (*JoinRequest, error) {
		code, reason := CodeInvalidRequest, err.Error()
		if fe, ok := err.(*FieldError); ok {
			reason = fe.Field + ": " + fe.Reason
			if fe.Code == CodeBadSignature {
				code = CodeBadSignature
			}
		}
		return nil, ceremonyErr(code, "join request %s: %s", source, reason)
	}
	if len(b) > MaxRequestBytes {
		return fail(fieldErr("(file)", "%d bytes, at most %d", len(b), MaxRequestBytes))
	}
	if !utf8.Valid(b) {
		return fail(fieldErr("(file)", "not valid UTF-8 text"))
	}
	var j jsonRequest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return fail(jsonError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(fieldErr("(file)", "data after the JSON object"))
	}
	if j.Type != RequestType {
		return fail(fieldErr("type", "%q, want %q: this is not a join request", j.Type, RequestType))
	}
	if j.Version != RequestVersion {
		return fail(fieldErr("version", "%d is not supported (this program reads %d)", j.Version, RequestVersion))
	}
	r := &JoinRequest{ChainID: j.ChainID, Source: source}
	org, err := j.Organisation.toOrg("organisation")
	if err != nil {
		return fail(err)
	}
	r.Organisation = *org
	if j.Validator != nil {
		if r.Validator, err = j.Validator.toValidator("validator"); err != nil {
			return fail(err)
		}
	}
	if j.Observer != nil {
		if r.Observer, err = j.Observer.toObserver("observer"); err != nil {
			return fail(err)
		}
	}
	if err := r.Validate(); err != nil {
		return fail(err)
	}
	return r, nil
}

// Validate checks every rule a request can meet on its own: a chain id,
// exactly one node (validator or observer) naming the organisation, the
// genesis rules for each entry, one admin key, and the signatures. The
// error is a *FieldError whose field is a path in the request file
// ("validator.power", "organisation.join_signatures.admin").
func (r *JoinRequest) Validate() error {
	if r.Organisation.Join == nil {
		if err := r.ValidateUnsigned(); err != nil {
			return err
		}
		return fieldErr("organisation.join_signatures", "missing: a join request is signed by its keys")
	}
	return r.validate()
}

// ValidateUnsigned checks every rule of Validate but the signatures: what
// a request must meet before its keys sign it, so that nothing is written
// for a request that would be refused.
func (r *JoinRequest) ValidateUnsigned() error {
	u := *r
	u.Organisation.Join = nil
	if err := u.validate(); err != nil {
		return err
	}
	if n := len(r.Organisation.Admins); n != 1 {
		return fieldErr("organisation.admins", "%d admin keys: a join request has exactly one", n)
	}
	return nil
}

func (r *JoinRequest) validate() error {
	if err := ledger.ValidateChainID(r.ChainID); err != nil {
		return fieldErr("chain_id", "%v", err)
	}
	if (r.Validator == nil) == (r.Observer == nil) {
		return fieldErr("validator", "a join request brings exactly one node: a validator or an observer")
	}
	// The request as a document of its one organisation: the genesis
	// rules then also check that the node names that organisation.
	d := &Doc{ChainID: r.ChainID, Organisations: []Organisation{r.Organisation}}
	if r.Validator != nil {
		d.Validators = []Validator{*r.Validator}
	} else {
		d.Observers = []Observer{*r.Observer}
	}
	if err := d.validateEntries(); err != nil {
		if fe, ok := err.(*FieldError); ok {
			for from, to := range map[string]string{"validators[0]": "validator", "observers[0]": "observer", "organisations[0]": "organisation"} {
				if strings.HasPrefix(fe.Field, from) {
					fe.Field = to + fe.Field[len(from):]
				}
			}
		}
		return err
	}
	return nil
}
