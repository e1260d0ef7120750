package genesis

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

func ceremonyCode(err error) string {
	var ce *CeremonyError
	if errors.As(err, &ce) {
		return ce.Code
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Code
	}
	return ""
}

// A request file reads back to the same request, signatures and all.
func TestJoinRequestFileRoundTrip(t *testing.T) {
	for _, observer := range []bool{false, true} {
		r, _ := testRequest(t, ceremonyChain, 1, observer)
		got, err := ParseJoinRequest(r.JSON(), "x.json")
		if err != nil {
			t.Fatalf("observer=%v: %v", observer, err)
		}
		if !bytes.Equal(got.JSON(), r.JSON()) || got.Message() != r.Message() {
			t.Fatalf("observer=%v: the request changed across its file", observer)
		}
		if got.Source != "x.json" {
			t.Errorf("source %q", got.Source)
		}
	}
}

// Every entry a request names is covered by its signatures: changing any
// one of them after signing is refused as a bad signature, naming the
// signature that fails.
func TestJoinSignaturesCoverEveryField(t *testing.T) {
	edits := map[string]func(r *JoinRequest){
		"chain id":      func(r *JoinRequest) { r.ChainID = "qian-other" },
		"org id":        func(r *JoinRequest) { r.Organisation.ID = "other-org"; r.Validator.Org = "other-org" },
		"org name":      func(r *JoinRequest) { r.Organisation.Name = "别的茶园" },
		"english name":  func(r *JoinRequest) { r.Organisation.NameEN = "Other" },
		"role":          func(r *JoinRequest) { r.Organisation.Roles = []Role{RoleRegulator} },
		"prefix":        func(r *JoinRequest) { r.Organisation.GS1Prefixes = append(r.Organisation.GS1Prefixes, "6999999") },
		"GLN":           func(r *JoinRequest) { r.Organisation.GLNs = r.Organisation.GLNs[:0] },
		"node name":     func(r *JoinRequest) { r.Validator.Name = "renamed" },
		"address":       func(r *JoinRequest) { r.Validator.Addresses = []string{"/ip4/10.0.0.1/tcp/26656"} },
		"power":         func(r *JoinRequest) { r.Validator.Power = 1000 },
		"admin key":     func(r *JoinRequest) { r.Organisation.Admins = []ledger.PublicKey{testKey(t, "impostor").PublicKey()} },
		"validator key": func(r *JoinRequest) { r.Validator.PubKey = testKey(t, "impostor").PublicKey() },
		"peer id":       func(r *JoinRequest) { r.Validator.PeerID = testPeer(t, "impostor") },
	}
	for name, edit := range edits {
		r, _ := testRequest(t, ceremonyChain, 0, false)
		edit(r)
		_, err := ParseJoinRequest(r.JSON(), "farm.json")
		if ceremonyCode(err) != CodeBadSignature || !strings.Contains(err.Error(), "farm.json: organisation.join_signatures.") {
			t.Errorf("%s changed after signing: err = %v, want %s naming the signature", name, err, CodeBadSignature)
		}
	}
}

// Proof of possession: an organisation that holds its admin key cannot
// claim a validator key or a node (peer id) that is not its own, even
// signing everything else correctly.
func TestJoinRequestProvesPossession(t *testing.T) {
	claim := func(edit func(r *JoinRequest)) error {
		r, k := testRequest(t, ceremonyChain, 0, false)
		edit(r)
		msg := r.Message()
		admin, _ := k.admin.Sign(msg)
		val, _ := k.validator.Sign(msg) // its own key, not the one claimed
		node, _ := k.node.Sign(msg[:])
		r.Organisation.Join = &JoinSignatures{Admin: admin, Validator: &val}
		copy(r.Organisation.Join.Node[:], node)
		return r.Validate()
	}
	victim, _ := testRequest(t, ceremonyChain, 1, false)
	err := claim(func(r *JoinRequest) { r.Validator.PubKey = victim.Validator.PubKey })
	if ceremonyCode(err) != CodeBadSignature || !strings.Contains(err.Error(), "join_signatures.validator") {
		t.Errorf("claiming another's validator key: %v", err)
	}
	err = claim(func(r *JoinRequest) { r.Validator.PeerID = victim.Validator.PeerID })
	if ceremonyCode(err) != CodeBadSignature || !strings.Contains(err.Error(), "join_signatures.node") {
		t.Errorf("claiming another's peer id: %v", err)
	}
	if err := claim(func(*JoinRequest) {}); err != nil {
		t.Fatalf("the honest request: %v", err)
	}
}

// A request is signed only with the keys it names.
func TestJoinRequestSignRefusesOtherKeys(t *testing.T) {
	r, k := testRequest(t, ceremonyChain, 0, false)
	other := testKey(t, "other")
	cases := map[string]func() error{
		"other admin key":     func() error { return r.Sign(other, k.validator, k.node) },
		"other validator key": func() error { return r.Sign(k.admin, other, k.node) },
		"no validator key":    func() error { return r.Sign(k.admin, ledger.PrivateKey{}, k.node) },
		"other node key":      func() error { return r.Sign(k.admin, k.validator, testNodeKey(t, "other")) },
		"no node key":         func() error { return r.Sign(k.admin, k.validator, nil) },
	}
	for name, sign := range cases {
		if err := sign(); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
	obs, ok := testRequest(t, ceremonyChain, 1, true)
	if err := obs.Sign(ok.admin, other, ok.node); err == nil {
		t.Error("an observer's request signed with a validator key")
	}
}

// The request file is strict, and every rule a request can break on its
// own is named by its path in the file.
func TestJoinRequestFileRules(t *testing.T) {
	good, _ := testRequest(t, ceremonyChain, 0, false)
	obs, _ := testRequest(t, ceremonyChain, 3, true)
	tree := func(r *JoinRequest) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(r.JSON(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	edit := func(r *JoinRequest, f func(m map[string]any)) []byte {
		m := tree(r)
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	sub := func(m map[string]any, k string) map[string]any { return m[k].(map[string]any) }
	cases := []struct {
		name string
		b    []byte
		code string
		says string
	}{
		{"not JSON", []byte("farm"), CodeInvalidRequest, "(file)"},
		{"trailing data", append(good.JSON(), "{}"...), CodeInvalidRequest, "after the JSON object"},
		{"unknown field", edit(good, func(m map[string]any) { m["note"] = "x" }), CodeInvalidRequest, "note: unknown field"},
		{"a genesis file", testDoc(t).JSON(), CodeInvalidRequest, "unknown field"},
		{"wrong type", edit(good, func(m map[string]any) { m["type"] = "qian-genesis" }), CodeInvalidRequest, "not a join request"},
		{"wrong version", edit(good, func(m map[string]any) { m["version"] = 2 }), CodeInvalidRequest, "version"},
		{"bad chain id", edit(good, func(m map[string]any) { m["chain_id"] = "Qian" }), CodeInvalidRequest, "chain_id"},
		{"no node", edit(good, func(m map[string]any) { delete(m, "validator") }), CodeInvalidRequest, "exactly one node"},
		{"two nodes", edit(good, func(m map[string]any) { m["observer"] = tree(obs)["observer"] }), CodeInvalidRequest, ""},
		{"unsigned", edit(good, func(m map[string]any) { delete(sub(m, "organisation"), "join_signatures") }), CodeInvalidRequest, "organisation.join_signatures: missing"},
		{"two admins", edit(good, func(m map[string]any) {
			o := sub(m, "organisation")
			o["admins"] = append(o["admins"].([]any), testKey(t, "second").PublicKey().String())
		}), CodeInvalidRequest, "organisation.admins"},
		{"node of another organisation", edit(good, func(m map[string]any) { sub(m, "validator")["org"] = "other" }), CodeInvalidRequest, "validator.org"},
		{"power zero", edit(good, func(m map[string]any) { sub(m, "validator")["power"] = 0 }), CodeInvalidRequest, "validator.power"},
		{"GLN outside the prefixes", edit(good, func(m map[string]any) { sub(m, "organisation")["glns"] = []any{"6901231000019"} }), CodeInvalidRequest, "organisation.glns[0]"},
		{"address with a peer id", edit(good, func(m map[string]any) {
			sub(m, "validator")["addresses"] = []any{"/ip4/127.0.0.1/tcp/1/p2p/" + testPeer(t, "x").String()}
		}), CodeInvalidRequest, "validator.addresses[0]"},
		{"signature not hex", edit(good, func(m map[string]any) {
			sub(sub(m, "organisation"), "join_signatures")["node"] = strings.Repeat("zz", 64)
		}), CodeInvalidRequest, "join_signatures.node"},
		{"validator signature on an observer", edit(obs, func(m map[string]any) {
			sub(sub(m, "organisation"), "join_signatures")["validator"] = strings.Repeat("00", 64)
		}), CodeInvalidRequest, "join_signatures.validator"},
		{"observer's node signature swapped", edit(obs, func(m map[string]any) {
			sub(sub(m, "organisation"), "join_signatures")["node"] = sub(sub(tree(good), "organisation"), "join_signatures")["node"]
		}), CodeBadSignature, "join_signatures.node"},
	}
	for _, c := range cases {
		_, err := ParseJoinRequest(c.b, "r.json")
		if ceremonyCode(err) != c.code || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: err = %v, want %s mentioning %q", c.name, err, c.code, c.says)
		}
	}
}
