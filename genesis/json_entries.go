package genesis

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

// The entries of genesis.json that join request files share: validators,
// observers and organisations, converted one by one so that a request's
// entries are read and written exactly as genesis reads and writes them.

func parsePeerID(field, s string) (peer.ID, error) {
	id, err := peer.Decode(s)
	if err != nil {
		return "", fieldErr(field, "%q is not a libp2p peer id: %v", s, err)
	}
	if id.String() != s {
		return "", fieldErr(field, "%q must be written in its canonical base58 form %s", s, id)
	}
	return id, nil
}

func parseSignature(field, s string, dst []byte) error {
	if len(s) != 2*len(dst) {
		return fieldErr(field, "a signature is %d lower-case hex digits, got %d characters", 2*len(dst), len(s))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return fieldErr(field, "a signature is lower-case hex; character %d is not", i)
		}
	}
	hex.Decode(dst, []byte(s)) // checked above
	return nil
}

func (v *jsonValidator) toValidator(field string) (*Validator, error) {
	pk, err := parseKey(field+".pub_key", v.PubKey)
	if err != nil {
		return nil, err
	}
	id, err := parsePeerID(field+".peer_id", v.PeerID)
	if err != nil {
		return nil, err
	}
	return &Validator{Name: v.Name, Org: v.Org, PubKey: pk, PeerID: id, Power: v.Power, Addresses: v.Addresses}, nil
}

func (o *jsonObserver) toObserver(field string) (*Observer, error) {
	id, err := parsePeerID(field+".peer_id", o.PeerID)
	if err != nil {
		return nil, err
	}
	return &Observer{Name: o.Name, Org: o.Org, PeerID: id, Addresses: o.Addresses}, nil
}

func (o *jsonOrg) toOrg(field string) (*Organisation, error) {
	org := &Organisation{ID: o.ID, Name: o.Name, NameEN: o.NameEN, GS1Prefixes: o.GS1Prefixes, GLNs: o.GLNs}
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
	if j := o.Join; j != nil {
		f := field + ".join_signatures"
		org.Join = &JoinSignatures{}
		if err := parseSignature(f+".admin", j.Admin, org.Join.Admin[:]); err != nil {
			return nil, err
		}
		if j.Validator != "" {
			var s ledger.Signature
			if err := parseSignature(f+".validator", j.Validator, s[:]); err != nil {
				return nil, err
			}
			org.Join.Validator = &s
		}
		if err := parseSignature(f+".node", j.Node, org.Join.Node[:]); err != nil {
			return nil, err
		}
	}
	return org, nil
}

func validatorJSON(v *Validator) jsonValidator {
	return jsonValidator{Name: v.Name, Org: v.Org, PubKey: v.PubKey.String(), PeerID: v.PeerID.String(), Power: v.Power, Addresses: v.Addresses}
}

func observerJSON(o *Observer) jsonObserver {
	return jsonObserver{Name: o.Name, Org: o.Org, PeerID: o.PeerID.String(), Addresses: o.Addresses}
}

func orgJSON(o *Organisation) jsonOrg {
	jo := jsonOrg{ID: o.ID, Name: o.Name, NameEN: o.NameEN, Roles: []string{},
		GS1Prefixes: orEmpty(o.GS1Prefixes), GLNs: orEmpty(o.GLNs), Admins: []string{}}
	for _, r := range o.Roles {
		jo.Roles = append(jo.Roles, string(r))
	}
	for _, a := range o.Admins {
		jo.Admins = append(jo.Admins, a.String())
	}
	if j := o.Join; j != nil {
		jo.Join = &jsonJoin{Admin: j.Admin.String(), Node: hex.EncodeToString(j.Node[:])}
		if j.Validator != nil {
			jo.Join.Validator = j.Validator.String()
		}
	}
	return jo
}

// indentJSON renders v as indented JSON text with a final newline, without
// escaping HTML characters.
func indentJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err) // strings, integers and slices of them always encode
	}
	return buf.Bytes()
}
