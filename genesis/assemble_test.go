package genesis

import (
	"bytes"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

// Assembling the four requests makes a valid genesis whose entries are the
// requests' own, ordered by organisation id whatever the order given, and
// from which the requests can be read back.
func TestAssemble(t *testing.T) {
	reqs := testConsortium(t)
	d, err := Assemble(reqs, testAssembleOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Organisations) != 4 || len(d.Validators) != 3 || len(d.Observers) != 1 {
		t.Fatalf("%d organisations, %d validators, %d observers", len(d.Organisations), len(d.Validators), len(d.Observers))
	}
	for i := 1; i < len(d.Organisations); i++ {
		if d.Organisations[i-1].ID >= d.Organisations[i].ID {
			t.Fatalf("organisations not ordered by id: %s before %s", d.Organisations[i-1].ID, d.Organisations[i].ID)
		}
	}
	reversed := []*JoinRequest{reqs[3], reqs[2], reqs[1], reqs[0]}
	again, err := Assemble(reversed, testAssembleOptions())
	if err != nil || again.Hash() != d.Hash() {
		t.Fatalf("another order of the same requests: %v (hash %s, want %s)", err, again.Hash(), d.Hash())
	}
	parsed, err := Parse(d.JSON())
	if err != nil || parsed.Hash() != d.Hash() {
		t.Fatalf("the assembled genesis does not read back: %v", err)
	}
	back := parsed.JoinRequests()
	if len(back) != 4 {
		t.Fatalf("%d requests read back", len(back))
	}
	byOrg := map[string]*JoinRequest{}
	for _, r := range reqs {
		byOrg[r.Organisation.ID] = r
	}
	for _, r := range back {
		if !bytes.Equal(r.JSON(), byOrg[r.Organisation.ID].JSON()) {
			t.Errorf("request of %s differs when read back from genesis", r.Organisation.ID)
		}
	}
	if err := Check(parsed, reqs); err != nil {
		t.Fatalf("check of an honest genesis: %v", err)
	}
	// A genesis of only observers has nothing to run consensus.
	var observers []*JoinRequest
	for i := 0; i < 2; i++ {
		r, _ := testRequest(t, ceremonyChain, i, true)
		observers = append(observers, r)
	}
	if _, err := Assemble(observers, testAssembleOptions()); ceremonyCode(err) != CodeNoValidators {
		t.Errorf("only observers: %v", err)
	}
}

// Each refusal of assemble, with its code and the request files named.
func TestAssembleRefusals(t *testing.T) {
	base := func() []*JoinRequest { return testConsortium(t) }
	// signedAs makes request i of the consortium again with one entry
	// changed, signed by the keys it then names.
	signedAs := func(i int, edit func(r *JoinRequest, k *requestKeys)) *JoinRequest {
		r, k := testRequest(t, ceremonyChain, i, false)
		edit(r, &k)
		r.Source = "changed.request.json"
		r.Organisation.Admins = []ledger.PublicKey{k.admin.PublicKey()}
		if err := r.Sign(k.admin, k.validator, k.node); err != nil {
			t.Fatal(err)
		}
		return r
	}
	first, firstKeys := testRequest(t, ceremonyChain, 0, false)
	cases := []struct {
		name string
		reqs func() []*JoinRequest
		code string
		says []string
	}{
		{"a signature fails", func() []*JoinRequest {
			rs := base()
			rs[1].Organisation.Name = "改过的名字" // altered after signing
			return rs
		}, CodeBadSignature, []string{testOrgs[1].id + ".request.json", "join_signatures.admin"}},
		{"another chain", func() []*JoinRequest {
			rs := base()
			rs[2], _ = testRequest(t, "qian-elsewhere", 2, false)
			return rs
		}, CodeWrongChain, []string{"qian-elsewhere", testOrgs[2].id + ".request.json"}},
		{"one request given twice", func() []*JoinRequest {
			return append(base(), base()[0])
		}, CodeDuplicateOrganisation, []string{testOrgs[0].id + ".request.json is given twice"}},
		{"two requests found one organisation", func() []*JoinRequest {
			return append(base(), signedAs(0, func(r *JoinRequest, k *requestKeys) {
				k.admin, k.validator, k.node = testKey(t, "2nd admin"), testKey(t, "2nd validator"), testNodeKey(t, "2nd")
				r.Validator.PubKey = k.validator.PublicKey()
				r.Validator.PeerID = peerOf(t, k)
				r.Validator.Name = "second"
				r.Organisation.GS1Prefixes, r.Organisation.GLNs = []string{"6909999"}, nil
			}))
		}, CodeDuplicateOrganisation, []string{testOrgs[0].id + ".request.json and changed.request.json", testOrgs[0].id}},
		{"one admin key in two requests", func() []*JoinRequest {
			return append(base(), signedAs(4, func(r *JoinRequest, k *requestKeys) { k.admin = firstKeys.admin }))
		}, CodeDuplicateKey, []string{"admin key of one is the admin key of the other"}},
		{"one validator key in two requests", func() []*JoinRequest {
			return append(base(), signedAs(4, func(r *JoinRequest, k *requestKeys) {
				k.validator = firstKeys.validator
				r.Validator.PubKey = k.validator.PublicKey()
			}))
		}, CodeDuplicateKey, []string{"validator key of one is the validator key of the other"}},
		{"one's admin key is another's validator key", func() []*JoinRequest {
			return append(base(), signedAs(4, func(r *JoinRequest, k *requestKeys) { k.admin = firstKeys.validator }))
		}, CodeDuplicateKey, []string{"admin key of one is the validator key of the other"}},
		{"one peer id twice", func() []*JoinRequest {
			return append(base(), signedAs(4, func(r *JoinRequest, k *requestKeys) {
				k.node = firstKeys.node
				r.Validator.PeerID = first.Validator.PeerID
			}))
		}, CodeDuplicatePeer, []string{first.Validator.PeerID.String()}},
		{"one node name twice", func() []*JoinRequest {
			return append(base(), signedAs(4, func(r *JoinRequest, k *requestKeys) { r.Validator.Name = first.Validator.Name }))
		}, CodeDuplicateName, []string{first.Validator.Name, "--moniker"}},
		{"one GS1 prefix claimed twice", func() []*JoinRequest {
			return append(base(), signedAs(4, func(r *JoinRequest, k *requestKeys) {
				r.Organisation.GS1Prefixes = append(r.Organisation.GS1Prefixes, testOrgs[1].prefix)
			}))
		}, CodePrefixConflict, []string{"both claim GS1 company prefix " + testOrgs[1].prefix}},
		{"overlapping prefixes", func() []*JoinRequest {
			return append(base(), signedAs(4, func(r *JoinRequest, k *requestKeys) {
				r.Organisation.GS1Prefixes = append(r.Organisation.GS1Prefixes, testOrgs[2].prefix+"5")
			}))
		}, CodePrefixConflict, []string{"overlap", testOrgs[2].prefix + "5"}},
		{"one GLN claimed twice", func() []*JoinRequest {
			return append(base(), signedAs(4, func(r *JoinRequest, k *requestKeys) {
				r.Organisation.GS1Prefixes = append(r.Organisation.GS1Prefixes, testOrgs[0].prefix)
				r.Organisation.GLNs = append(r.Organisation.GLNs, testOrgs[0].glns[0])
			}))
		}, CodeGLNConflict, []string{"both claim GLN " + testOrgs[0].glns[0]}},
	}
	for _, c := range cases {
		d, err := Assemble(c.reqs(), testAssembleOptions())
		if d != nil || ceremonyCode(err) != c.code {
			t.Errorf("%s: err = %v, want code %s", c.name, err, c.code)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: %q does not mention %q", c.name, err, s)
			}
		}
	}
}

func peerOf(t *testing.T, k *requestKeys) peer.ID {
	t.Helper()
	id, err := peer.IDFromPrivateKey(k.node)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
