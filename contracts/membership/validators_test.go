package membership_test

import (
	"testing"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
)

// The validator-set rules of valchange.go, both ways: what passes, when it
// takes effect, and each refusal. world's four organisations run v0..v3
// (power 10 each); three approvals pass a proposal.

func change(c membership.ValidatorChange) []byte {
	return (&membership.Propose{Kind: c.Kind, Validator: &c, Reason: "test"}).Encode()
}

func vkey(i int) ledger.PublicKey { return contracttest.ValidatorKey(i).PublicKey() }

// passChange proposes as alpha and approves as beta and gamma (3 of 4),
// each in its own block. It returns the code of the passing approval and
// the height of its block.
func passChange(t *testing.T, c *contracttest.Chain, payload []byte) (string, uint64) {
	t.Helper()
	id, r := propose(c, alphaKey, payload)
	if !r.OK() {
		return r.Code, c.Height
	}
	if r := approve(c, betaKey, id); !r.OK() {
		return r.Code, c.Height
	}
	return approve(c, gammaKey, id).Code, c.Height
}

func setAt(t *testing.T, c *contracttest.Chain, h uint64) *membership.ValidatorSet {
	t.Helper()
	s, err := membership.ValidatorSetAt(c.Store, h)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func names(s *membership.ValidatorSet) string {
	out := ""
	for _, v := range s.Validators {
		out += v.Name + ":" + itoa(v.Power) + " "
	}
	return out
}

func itoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 10 {
		b = append([]byte{byte('0' + v%10)}, b...)
	}
	return string(b)
}

func TestGenesisValidatorsAreTheSetOfHeightOne(t *testing.T) {
	c := world(t)
	s := setAt(t, c, 1)
	if s.From != 1 || names(s) != "v0:10 v1:10 v2:10 v3:10 " || s.Validators[0].Org != "alpha" || s.Validators[0].Since != 1 {
		t.Fatalf("genesis set %+v", s)
	}
	if got := setAt(t, c, 1000); got.From != 1 {
		t.Fatalf("with no change, every height has the genesis set; got from %d", got.From)
	}
	ls, err := s.Ledger()
	if err != nil || ls.Size() != 4 || ls.TotalPower() != 40 {
		t.Fatalf("ledger set %v %v", ls, err)
	}
}

func TestAddValidatorTakesEffectTwoHeightsAfterApproval(t *testing.T) {
	c := world(t)
	newcomer := contracttest.Key("newcomer validator").PublicKey()
	code, h := passChange(t, c, change(membership.ValidatorChange{Kind: membership.AddValidator, Org: "beta", Name: "beta-2",
		Key: newcomer, Power: 10, PeerID: contracttest.PeerID("beta-2")}))
	expect(t, resultOf(code), call.OK)
	if s := setAt(t, c, h+1); s.From != 1 || len(s.Validators) != 4 {
		t.Fatalf("the set of h+1 changed: %+v", s)
	}
	s := setAt(t, c, h+2)
	if s.From != h+2 || names(s) != "v0:10 v1:10 v2:10 v3:10 beta-2:10 " {
		t.Fatalf("the set of h+2: from %d, %s", s.From, names(s))
	}
	nv := s.Validators[4]
	if nv.PubKey != newcomer || nv.Org != "beta" || nv.Since != h+2 || len(s.Changes) != 1 || s.Changes[0].Kind != membership.AddValidator {
		t.Fatalf("new validator %+v, changes %+v", nv, s.Changes)
	}
	hist, err := membership.ValidatorHistory(c.Store)
	if err != nil || len(hist) != 2 || hist[0].From != 1 || hist[1].From != h+2 {
		t.Fatalf("history %v %v", hist, err)
	}
	ps, _ := membership.ListProposals(c.Store)
	for _, p := range ps {
		if p.Validator != nil && (p.Effective() != h+2 || p.Org.ID != "beta") {
			t.Fatalf("proposal effective %d org %q", p.Effective(), p.Org.ID)
		}
	}
}

func TestRemovePowerRotate(t *testing.T) {
	c := world(t)
	code, h := passChange(t, c, change(membership.ValidatorChange{Kind: membership.RemoveValidator, Key: vkey(3)}))
	expect(t, resultOf(code), call.OK)
	if s := setAt(t, c, h+2); names(s) != "v0:10 v1:10 v2:10 " {
		t.Fatalf("after removal: %s", names(s))
	}
	// A removed validator's key is never a validator's again.
	code, _ = passChange(t, c, change(membership.ValidatorChange{Kind: membership.AddValidator, Org: "reg", Name: "back",
		Key: vkey(3), Power: 1, PeerID: contracttest.PeerID("back")}))
	expect(t, resultOf(code), call.ErrValidatorKeyUsed)

	code, h = passChange(t, c, change(membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: vkey(0), Power: 14}))
	expect(t, resultOf(code), call.OK)
	if s := setAt(t, c, h+2); names(s) != "v0:14 v1:10 v2:10 " {
		t.Fatalf("after the power change: %s", names(s))
	}

	rotated := contracttest.Key("v1 next").PublicKey()
	code, h = passChange(t, c, change(membership.ValidatorChange{Kind: membership.RotateValidator, Key: vkey(1), NewKey: rotated}))
	// Three validators of 14, 10, 10: rotating one of 10 keeps 24 of 34
	// with validators already signing, more than two thirds.
	expect(t, resultOf(code), call.OK)
	s := setAt(t, c, h+2)
	if s.Validators[1].PubKey != rotated || s.Validators[1].Name != "v1" || s.Validators[1].Since != h+2 || string(s.Validators[1].PeerID) != string(contracttest.PeerID("v1")) {
		t.Fatalf("after the key rotation: %+v", s.Validators[1])
	}
	// Its next change waits until this one has taken effect at h+2.
	_, r := propose(c, alphaKey, change(membership.ValidatorChange{Kind: membership.RotateValidator, Key: rotated, PeerID: contracttest.PeerID("v1 new node")}))
	expect(t, r, call.ErrValidatorPending)
	code, h = passChange(t, c, change(membership.ValidatorChange{Kind: membership.RotateValidator, Key: rotated, PeerID: contracttest.PeerID("v1 new node")}))
	expect(t, resultOf(code), call.OK)
	if s := setAt(t, c, h+2); string(s.Validators[1].PeerID) != string(contracttest.PeerID("v1 new node")) || s.Validators[1].PubKey != rotated {
		t.Fatalf("after the peer rotation: %+v", s.Validators[1])
	}
	// The old key names nobody now.
	code, _ = passChange(t, c, change(membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: vkey(1), Power: 9}))
	expect(t, resultOf(code), call.ErrUnknownValidator)
}

func TestChangesTakingEffectTogetherCountTogether(t *testing.T) {
	c := world(t)
	// Two additions of power 10 each, proposed separately and approved in
	// the same block: each alone keeps 40 of 50; together 40 of 60, which
	// is not more than two thirds, so the second approval is refused.
	add := func(name string) []byte {
		return change(membership.ValidatorChange{Kind: membership.AddValidator, Org: "gamma", Name: name,
			Key: contracttest.Key(name).PublicKey(), Power: 10, PeerID: contracttest.PeerID(name)})
	}
	id1, r := propose(c, alphaKey, add("g-1"))
	expect(t, r, call.OK)
	id2, r := propose(c, alphaKey, add("g-2"))
	expect(t, r, call.OK)
	expect(t, approve(c, betaKey, id1), call.OK)
	expect(t, approve(c, betaKey, id2), call.OK)
	res, err := c.Block(
		c.Tx(gammaKey, membership.Contract, membership.MethodApprove, (&membership.Approve{Proposal: id1}).Encode()),
		c.Tx(gammaKey, membership.Contract, membership.MethodApprove, (&membership.Approve{Proposal: id2}).Encode()))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, res.Results[0], call.OK)
	expect(t, res.Results[1], call.ErrValidatorPowerShift)
	// Two heights later the first has taken effect; the second passes now.
	c.Block()
	c.Block()
	expect(t, approve(c, gammaKey, id2), call.OK)
	if s := setAt(t, c, c.Height+2); len(s.Validators) != 6 {
		t.Fatalf("after both: %s", names(s))
	}
}

func TestPendingChangeBlocksTheSameValidator(t *testing.T) {
	c := world(t)
	code, h := passChange(t, c, change(membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: vkey(2), Power: 12}))
	expect(t, resultOf(code), call.OK)
	// Block h+1 executes while the change waits for height h+2.
	_, r := propose(c, alphaKey, change(membership.ValidatorChange{Kind: membership.RemoveValidator, Key: vkey(2)}))
	expect(t, r, call.ErrValidatorPending, "height "+itoa(h+2))
	// Another validator may change meanwhile.
	_, r = propose(c, alphaKey, change(membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: vkey(1), Power: 11}))
	expect(t, r, call.OK)
	// Block h+2 executes after the change took effect: free again.
	_, r = propose(c, alphaKey, change(membership.ValidatorChange{Kind: membership.RemoveValidator, Key: vkey(2)}))
	expect(t, r, call.OK)
}

func TestValidatorChangeRefusals(t *testing.T) {
	c := world(t)
	fresh := contracttest.Key("fresh").PublicKey()
	for _, tc := range []struct {
		name string
		c    membership.ValidatorChange
		code string
	}{
		{"unknown org", membership.ValidatorChange{Kind: membership.AddValidator, Org: "nobody", Name: "x", Key: fresh, Power: 1, PeerID: contracttest.PeerID("x")}, call.ErrUnknownOrg},
		{"key in use", membership.ValidatorChange{Kind: membership.AddValidator, Org: "alpha", Name: "x", Key: vkey(2), Power: 1, PeerID: contracttest.PeerID("x")}, call.ErrValidatorKeyUsed},
		{"peer in use", membership.ValidatorChange{Kind: membership.AddValidator, Org: "alpha", Name: "x", Key: fresh, Power: 1, PeerID: contracttest.PeerID("v2")}, call.ErrValidatorPeerUsed},
		{"name in use", membership.ValidatorChange{Kind: membership.AddValidator, Org: "alpha", Name: "v2", Key: fresh, Power: 1, PeerID: contracttest.PeerID("x")}, call.ErrInvalid},
		{"bad peer id", membership.ValidatorChange{Kind: membership.AddValidator, Org: "alpha", Name: "x", Key: fresh, Power: 1, PeerID: []byte{1, 2, 3}}, call.ErrInvalid},
		{"power zero", membership.ValidatorChange{Kind: membership.AddValidator, Org: "alpha", Name: "x", Key: fresh, Power: 0, PeerID: contracttest.PeerID("x")}, call.ErrValidatorPower},
		{"power above the limit", membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: vkey(0), Power: ledger.MaxVotingPower + 1}, call.ErrValidatorPower},
		{"power unchanged", membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: vkey(0), Power: 10}, call.ErrInvalid},
		{"a third of the power added", membership.ValidatorChange{Kind: membership.AddValidator, Org: "alpha", Name: "x", Key: fresh, Power: 20, PeerID: contracttest.PeerID("x")}, call.ErrValidatorPowerShift},
		{"power raised by half", membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: vkey(0), Power: 30}, call.ErrValidatorPowerShift},
		{"unknown validator", membership.ValidatorChange{Kind: membership.RemoveValidator, Key: fresh}, call.ErrUnknownValidator},
		{"rotation to nothing", membership.ValidatorChange{Kind: membership.RotateValidator, Key: vkey(0)}, call.ErrInvalid},
		{"rotation to a used key", membership.ValidatorChange{Kind: membership.RotateValidator, Key: vkey(0), NewKey: vkey(1)}, call.ErrValidatorKeyUsed},
		{"rotation to the same peer", membership.ValidatorChange{Kind: membership.RotateValidator, Key: vkey(0), PeerID: contracttest.PeerID("v0")}, call.ErrInvalid},
		{"rotation to another's peer", membership.ValidatorChange{Kind: membership.RotateValidator, Key: vkey(0), PeerID: contracttest.PeerID("v3")}, call.ErrValidatorPeerUsed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, r := propose(c, alphaKey, change(tc.c))
			expect(t, r, tc.code)
		})
	}
	// Only electors propose.
	_, r := propose(c, contracttest.Key("stranger"), change(membership.ValidatorChange{Kind: membership.RemoveValidator, Key: vkey(0)}))
	expect(t, r, call.ErrUnknownAccount)
	// A rotation in a set of three equal validators moves a third of the
	// power: refused (add power or a fourth validator first).
	c3, err := contracttest.NewWith(worldOrgs(), contracttest.Validators(worldOrgs(), 3))
	if err != nil {
		t.Fatal(err)
	}
	_, r = propose(c3, alphaKey, change(membership.ValidatorChange{Kind: membership.RotateValidator, Key: vkey(0), NewKey: fresh}))
	expect(t, r, call.ErrValidatorPowerShift)
}

func TestSuspendedOrgRunsNoNewValidator(t *testing.T) {
	c := world(t)
	id, r := propose(c, alphaKey, (&membership.Propose{Kind: membership.SuspendOrg, OrgID: "gamma", Reason: "test"}).Encode())
	expect(t, r, call.OK)
	expect(t, approve(c, betaKey, id), call.OK)
	expect(t, approve(c, regKey, id), call.OK)
	_, r = propose(c, alphaKey, change(membership.ValidatorChange{Kind: membership.AddValidator, Org: "gamma", Name: "x",
		Key: contracttest.Key("x").PublicKey(), Power: 1, PeerID: contracttest.PeerID("x")}))
	expect(t, r, call.ErrOrgSuspended)
	_, r = propose(c, alphaKey, change(membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: vkey(2), Power: 11}))
	expect(t, r, call.ErrOrgSuspended)
	// Its validator can still be removed.
	_, r = propose(c, alphaKey, change(membership.ValidatorChange{Kind: membership.RemoveValidator, Key: vkey(2)}))
	expect(t, r, call.OK)
}

func TestValidatorPayloadsAndRecordsRoundTrip(t *testing.T) {
	for _, vc := range []membership.ValidatorChange{
		{Kind: membership.AddValidator, Org: "alpha", Name: "a-1", Key: vkey(7), Power: 3, PeerID: contracttest.PeerID("a-1")},
		{Kind: membership.RemoveValidator, Key: vkey(7)},
		{Kind: membership.SetValidatorPower, Key: vkey(7), Power: 9},
		{Kind: membership.RotateValidator, Key: vkey(7), NewKey: vkey(8)},
		{Kind: membership.RotateValidator, Key: vkey(7), PeerID: contracttest.PeerID("p")},
	} {
		b := change(vc)
		p, err := membership.DecodePropose(b)
		if err != nil || p.Validator == nil || string(change(*p.Validator)) != string(b) {
			t.Fatalf("%s: %v %+v", vc.Kind, err, p)
		}
		if _, err := membership.DecodePropose(append(b, 0)); err == nil {
			t.Fatalf("%s: a trailing byte accepted", vc.Kind)
		}
		prop := &membership.Proposal{ID: ledger.Hash{1}, Kind: vc.Kind, Validator: &vc, Approvals: []string{"alpha"}, Executed: 5}
		got, err := membership.DecodeProposal(prop.Encode())
		if err != nil || string(got.Encode()) != string(prop.Encode()) || got.Effective() != 7 {
			t.Fatalf("%s proposal: %v %+v", vc.Kind, err, got)
		}
	}
	// Organisation proposals keep their version 1 encoding.
	org := &membership.Proposal{ID: ledger.Hash{2}, Kind: membership.SuspendOrg, Org: membership.OrgSpec{ID: "beta"}, Approvals: []string{}}
	if b := org.Encode(); b[0] != 1 {
		t.Fatalf("organisation proposal version %d", b[0])
	}
	if _, err := membership.ParsePeerID(contracttest.PeerID("z").String()); err != nil {
		t.Fatal(err)
	}
	if _, err := membership.ParsePeerID("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"); err == nil {
		t.Fatal("a sha256 peer id (no embedded Ed25519 key) accepted")
	}
}

func worldOrgs() []membership.OrgSpec {
	return []membership.OrgSpec{
		contracttest.Org("alpha", alphaKey, []membership.Role{membership.Farm}, []string{"6900001"}, []string{alphaGLN}),
		contracttest.Org("beta", betaKey, []membership.Role{membership.Processor}, []string{"6900002"}, nil),
		contracttest.Org("gamma", gammaKey, []membership.Role{membership.Retailer}, []string{"6900003"}, nil),
		contracttest.Org("reg", regKey, []membership.Role{membership.Regulator}, nil, nil),
	}
}

func resultOf(code string) contracts.TxResult { return contracts.TxResult{Code: code} }
