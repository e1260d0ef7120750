package genesis

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// Each refusal of check: what a coordinator could do to a genesis, and what
// an organisation's own request catches.
func TestCheckRefusals(t *testing.T) {
	reqs := testConsortium(t)
	mine := reqs[0]
	// resign makes the organisation's request again with an edit, signed by
	// its own keys: what it would have sent had it run the request again.
	resign := func(i int, edit func(r *JoinRequest)) *JoinRequest {
		r, k := testRequest(t, ceremonyChain, i, i == 3)
		edit(r)
		if err := r.Sign(k.admin, k.validator, k.node); err != nil {
			t.Fatal(err)
		}
		return r
	}
	assembled := func(rs []*JoinRequest) *Doc {
		d, err := Assemble(rs, testAssembleOptions())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		name string
		doc  func() *Doc
		mine []*JoinRequest
		code string
		says string
	}{
		{"my organisation left out", func() *Doc { return assembled(reqs[1:]) }, []*JoinRequest{mine}, CodeRequestMissing, testOrgs[0].id},
		{"an older request of mine used", func() *Doc {
			return assembled(append([]*JoinRequest{resign(0, func(r *JoinRequest) { r.Validator.Power = 50 })}, reqs[1:]...))
		}, []*JoinRequest{mine}, CodeRequestAltered, "validator.power"},
		{"an impostor's request for my organisation", func() *Doc {
			impostor, k := testRequest(t, ceremonyChain, 0, false)
			k.admin = testKey(t, "impostor")
			impostor.Organisation.Admins = []ledger.PublicKey{k.admin.PublicKey()}
			if err := impostor.Sign(k.admin, k.validator, k.node); err != nil {
				t.Fatal(err)
			}
			return assembled(append([]*JoinRequest{impostor}, reqs[1:]...))
		}, []*JoinRequest{mine}, CodeRequestAltered, "organisation.admins[0]"},
		{"an organisation added without a request", func() *Doc {
			d := assembled(reqs)
			o := testDoc(t).Organisations[7]
			d.Organisations = append(d.Organisations, o)
			return d
		}, []*JoinRequest{mine}, CodeUnsigned, testOrgs[7].id},
		{"a validator added without a request, with an organisation for it", func() *Doc {
			d := assembled(reqs)
			v := testDoc(t).Validators[0]
			v.Org = testOrgs[7].id
			d.Validators = append(d.Validators, v)
			d.Organisations = append(d.Organisations, testDoc(t).Organisations[7])
			return d
		}, []*JoinRequest{mine}, CodeUnsigned, testOrgs[7].id},
		{"my request is for another chain", func() *Doc { return assembled(reqs) }, []*JoinRequest{resign(0, func(r *JoinRequest) { r.ChainID = "qian-other" })}, CodeWrongChain, "qian-other"},
	}
	for _, c := range cases {
		d := c.doc()
		if err := d.Validate(); err != nil {
			t.Fatalf("%s: the forged genesis is not even valid: %v", c.name, err)
		}
		err := Check(d, c.mine)
		if ceremonyCode(err) != c.code || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: err = %v, want %s mentioning %q", c.name, err, c.code, c.says)
		}
	}
	// A validator added on its own does not even make a valid genesis: it
	// names no organisation, or one whose request brought another node.
	for _, org := range []string{"", testOrgs[0].id} {
		d := assembled(reqs)
		v := testDoc(t).Validators[1]
		v.Org = org
		d.Validators = append(d.Validators, v)
		if err := d.Validate(); err == nil {
			t.Errorf("a validator added with org %q: the genesis is valid", org)
		}
	}
	if err := Check(assembled(reqs), reqs); err != nil {
		t.Fatalf("honest genesis: %v", err)
	}
}

// A coordinator who alters another organisation's entry makes a genesis
// that no node loads: the entry's join signatures fail, and the error
// names the organisation and the signature.
func TestAlteredEntryFailsToLoad(t *testing.T) {
	d := testCeremonyDoc(t)
	edits := map[string]func(m map[string]any){
		"a validator's power": func(m map[string]any) { val(m, 1)["power"] = 1000 },
		"an organisation's GLNs": func(m map[string]any) {
			org(m, 2)["glns"] = []any{}
		},
		"an observer's address": func(m map[string]any) {
			arr(m, "observers")[0].(map[string]any)["addresses"] = []any{"/ip4/10.1.1.1/tcp/1"}
		},
		"a validator's address": func(m map[string]any) {
			val(m, 0)["addresses"] = []any{"/ip4/10.1.1.1/tcp/1"}
		},
	}
	for name, edit := range edits {
		var m map[string]any
		json.Unmarshal(d.JSON(), &m)
		edit(m)
		b, _ := json.Marshal(m)
		_, err := Parse(b)
		if ceremonyCode(err) != CodeBadSignature || !strings.Contains(err.Error(), "join_signatures") {
			t.Errorf("%s altered: err = %v, want %s", name, err, CodeBadSignature)
		}
	}
}
