package genesis

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

func obs(m map[string]any, i int) map[string]any { return arr(m, "observers")[i].(map[string]any) }
func sigs(m map[string]any, i int) map[string]any {
	return org(m, i)["join_signatures"].(map[string]any)
}

// TestCeremonyFieldRules: one row per rule of the fields the founding
// ceremony added (validators' organisation and addresses, observers, join
// signatures), each breaking one rule of testCeremonyDoc. Its organisations
// are testOrgs 0 to 3 ordered by id: 0 fenggang-tea-coop (validator 0),
// 1 guiyang-coldchain (the observer), 2 meitan-tea-garden (validator 1),
// 3 zunyi-qianxiang-tea (validator 2).
func TestCeremonyFieldRules(t *testing.T) {
	peerX := testPeer(t, "x").String()
	cases := []struct {
		name   string
		edit   func(m map[string]any)
		field  string
		reason string
	}{
		{"validator of an unknown organisation", func(m map[string]any) {
			val(m, 0)["org"] = "nobody"
			delete(org(m, 0), "join_signatures")
		}, "validators[0].org", "not the id of a founding organisation"},
		{"address not a multiaddr", func(m map[string]any) { val(m, 1)["addresses"] = []any{"127.0.0.1:26656"} }, "validators[1].addresses[0]", "not a multiaddr"},
		{"address with a peer id", func(m map[string]any) {
			val(m, 1)["addresses"] = []any{"/ip4/127.0.0.1/tcp/26656/p2p/" + peerX}
		}, "validators[1].addresses[0]", "must not name a peer id"},
		{"address not canonical", func(m map[string]any) { val(m, 1)["addresses"] = []any{"/ip4/127.0.0.1/tcp/026656"} }, "validators[1].addresses[0]", "canonical"},
		{"address over UDP without QUIC", func(m map[string]any) { val(m, 1)["addresses"] = []any{"/ip4/127.0.0.1/udp/26656"} }, "validators[1].addresses[0]", "neither a TCP nor a QUIC"},
		{"address repeated", func(m map[string]any) {
			val(m, 1)["addresses"] = []any{"/ip4/127.0.0.1/tcp/1", "/ip4/127.0.0.1/tcp/1"}
		}, "validators[1].addresses[1]", "repeats"},
		{"too many addresses", func(m map[string]any) {
			var as []any
			for i := 0; i < MaxAddresses+1; i++ {
				as = append(as, fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 1000+i))
			}
			val(m, 1)["addresses"] = as
		}, "validators[1].addresses", "at most 8"},
		{"observer without organisation", func(m map[string]any) { delete(obs(m, 0), "org") }, "observers[0].org", "missing"},
		{"observer of an unknown organisation", func(m map[string]any) { obs(m, 0)["org"] = "nobody" }, "observers[0].org", "not the id"},
		{"observer named like a validator", func(m map[string]any) { obs(m, 0)["name"] = val(m, 2)["name"] }, "observers[0].name", "validators[2]"},
		{"observer name with space", func(m map[string]any) { obs(m, 0)["name"] = "an observer" }, "observers[0].name", "1 to 64"},
		{"observer with a validator's peer id", func(m map[string]any) { obs(m, 0)["peer_id"] = val(m, 0)["peer_id"] }, "observers[0].peer_id", "validators[0]"},
		{"observer peer id garbage", func(m map[string]any) { obs(m, 0)["peer_id"] = "x" }, "observers[0].peer_id", "peer id"},
		{"unknown observer field", func(m map[string]any) { obs(m, 0)["power"] = 1 }, "power", "unknown field"},
		{"join signatures with two admins", func(m map[string]any) {
			org(m, 2)["admins"] = append(arr(org(m, 2), "admins"), testKey(t, "second").PublicKey().String())
		}, "organisations[2].admins", "one admin key"},
		{"join signatures and no node", func(m map[string]any) { val(m, 1)["org"] = org(m, 0)["id"] }, "organisations[0].join_signatures", "2 nodes"},
		{"validator signature of an observer", func(m map[string]any) {
			sigs(m, 1)["validator"] = sigs(m, 0)["validator"]
		}, "organisations[1].join_signatures.validator", "observer"},
		{"validator signature missing", func(m map[string]any) { delete(sigs(m, 2), "validator") }, "organisations[2].join_signatures.validator", "missing"},
		{"admin signature swapped", func(m map[string]any) { sigs(m, 2)["admin"] = sigs(m, 3)["admin"] }, "organisations[2].join_signatures.admin", "does not verify"},
		{"node signature short", func(m map[string]any) { sigs(m, 2)["node"] = "abcd" }, "organisations[2].join_signatures.node", "128 lower-case hex"},
		{"signature upper case", func(m map[string]any) {
			sigs(m, 2)["admin"] = strings.ToUpper(sigs(m, 2)["admin"].(string))
		}, "organisations[2].join_signatures.admin", "lower-case"},
		{"unknown signature", func(m map[string]any) { sigs(m, 2)["notary"] = "00" }, "notary", "unknown field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(testCeremonyDoc(t).JSON(), &m); err != nil {
				t.Fatal(err)
			}
			c.edit(m)
			b, _ := json.Marshal(m)
			_, err := Parse(b)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse: err = %v, want a *FieldError", err)
			}
			if fe.Field != c.field || !strings.Contains(fe.Reason, c.reason) {
				t.Errorf("err = %v, want field %q and reason mentioning %q", err, c.field, c.reason)
			}
		})
	}
}

// The fields of the encoding's extension (validators' org and addresses,
// observers, join signatures) take part in the hash, and a document that
// sets none of them is the first part alone.
func TestHashCoversCeremonyFields(t *testing.T) {
	base := testCeremonyDoc(t)
	edits := map[string]func(d *Doc){
		"validator org":       func(d *Doc) { d.Validators[0].Org = "" },
		"validator address":   func(d *Doc) { d.Validators[0].Addresses = append(d.Validators[0].Addresses, "/ip4/127.0.0.1/tcp/1") },
		"observer name":       func(d *Doc) { d.Observers[0].Name = "x" },
		"observer org":        func(d *Doc) { d.Observers[0].Org = d.Organisations[0].ID },
		"observer peer":       func(d *Doc) { d.Observers[0].PeerID = testPeer(t, "x") },
		"observer address":    func(d *Doc) { d.Observers[0].Addresses = nil },
		"observer removed":    func(d *Doc) { d.Observers = nil },
		"admin signature":     func(d *Doc) { d.Organisations[0].Join.Admin[5]++ },
		"validator signature": func(d *Doc) { s := *d.Organisations[0].Join.Validator; s[5]++; d.Organisations[0].Join.Validator = &s },
		"node signature":      func(d *Doc) { d.Organisations[0].Join.Node[5]++ },
		"no join signatures":  func(d *Doc) { d.Organisations[0].Join = nil },
	}
	seen := map[ledger.Hash]string{base.Hash(): "base"}
	for name, edit := range edits {
		d := testCeremonyDoc(t)
		edit(d)
		if prev, dup := seen[d.Hash()]; dup {
			t.Errorf("%s gives the same hash as %s", name, prev)
		}
		seen[d.Hash()] = name
	}
	// Without any of those fields, the encoding is the first part exactly;
	// with validators' orgs (testDoc), the extension follows it.
	plain, withOrg := testDoc(t), testDoc(t)
	for i := range plain.Validators {
		plain.Validators[i].Org = ""
	}
	if plain.usesCeremonyFields() {
		t.Fatal("a document without the extension's fields uses it")
	}
	enc, encOrg := plain.Encode(), withOrg.Encode()
	if len(encOrg) <= len(enc) || string(encOrg[:len(enc)]) != string(enc) || encOrg[len(enc)] != 1 {
		t.Fatal("the extension does not follow the first part, marked 01")
	}
}
