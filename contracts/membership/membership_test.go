package membership_test

import (
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/ledger"
)

var (
	alphaKey = contracttest.Key("alpha admin")
	betaKey  = contracttest.Key("beta admin")
	gammaKey = contracttest.Key("gamma admin")
	regKey   = contracttest.Key("reg admin")
	newKey   = contracttest.Key("newco admin")
)

// world: four founding organisations; the electorate is all four, so a
// proposal needs three approvals (3*3 > 2*4).
func world(t *testing.T) *contracttest.Chain {
	t.Helper()
	c, err := contracttest.New([]membership.OrgSpec{
		contracttest.Org("alpha", alphaKey, []membership.Role{membership.Farm}, []string{"6900001"}, []string{alphaGLN}),
		contracttest.Org("beta", betaKey, []membership.Role{membership.Processor}, []string{"6900002"}, nil),
		contracttest.Org("gamma", gammaKey, []membership.Role{membership.Retailer}, []string{"6900003"}, nil),
		contracttest.Org("reg", regKey, []membership.Role{membership.Regulator}, nil, nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func expect(t *testing.T, r contracts.TxResult, code string, text ...string) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("got %s (%s), want %s", r.Code, r.Message, code)
	}
	for _, s := range text {
		if !strings.Contains(r.Message, s) {
			t.Fatalf("%s: message %q lacks %q", code, r.Message, s)
		}
	}
}

func addOrg(spec membership.OrgSpec) []byte {
	if err := spec.Normalize(); err != nil {
		panic(err)
	}
	return (&membership.Propose{Kind: membership.AddOrg, Org: spec, Reason: "test"}).Encode()
}

func propose(c *contracttest.Chain, k ledger.PrivateKey, payload []byte) (ledger.Hash, contracts.TxResult) {
	tx := c.Tx(k, membership.Contract, membership.MethodPropose, payload)
	res, err := c.Block(tx)
	if err != nil {
		panic(err)
	}
	return tx.Hash(), res.Results[0]
}

func approve(c *contracttest.Chain, k ledger.PrivateKey, id ledger.Hash) contracts.TxResult {
	return c.Do(k, membership.Contract, membership.MethodApprove, (&membership.Approve{Proposal: id}).Encode())
}

func orgOf(t *testing.T, c *contracttest.Chain, id string) *membership.Org {
	t.Helper()
	o, err := membership.GetOrg(c.Store, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestAddOrgNeedsMoreThanTwoThirds(t *testing.T) {
	c := world(t)
	spec := contracttest.Org("newco", newKey, []membership.Role{membership.Logistics}, []string{"6900004"}, []string{newGLN})
	id, r := propose(c, regKey, addOrg(spec))
	expect(t, r, call.OK)
	expect(t, approve(c, alphaKey, id), call.OK)
	if orgOf(t, c, "newco") != nil {
		t.Fatal("2 of 4 approvals added the organisation")
	}
	expect(t, approve(c, alphaKey, id), call.ErrAlreadyVoted)
	expect(t, approve(c, betaKey, id), call.OK)
	o := orgOf(t, c, "newco")
	if o == nil || o.Founding || o.Status != membership.Active {
		t.Fatalf("3 of 4 approvals: %+v", o)
	}
	expect(t, approve(c, gammaKey, id), call.ErrProposalClosed)
	// The new organisation's admin can act; it is not an elector.
	expect(t, c.Do(newKey, membership.Contract, membership.MethodAddAccount,
		(&membership.AddAccount{Key: contracttest.Key("newco op").PublicKey(), Role: membership.Operator}).Encode()), call.OK)
	_, r = propose(c, newKey, (&membership.Propose{Kind: membership.SuspendOrg, OrgID: "alpha"}).Encode())
	expect(t, r, call.ErrNotElector)
	if owner, _ := membership.OrgByGLN(c.Store, newGLN); owner != "newco" {
		t.Fatalf("GLN index: %q", owner)
	}
	if owner, _ := membership.OwnerOfKey(c.Store, contracttest.WithCheck("0690000400001")); owner != "newco" {
		t.Fatalf("prefix index: %q", owner)
	}
}

func TestOnlyAdminsOfElectorsPropose(t *testing.T) {
	c := world(t)
	op := contracttest.Key("alpha op")
	expect(t, c.Do(alphaKey, membership.Contract, membership.MethodAddAccount,
		(&membership.AddAccount{Key: op.PublicKey(), Role: membership.Operator}).Encode()), call.OK)
	_, r := propose(c, op, (&membership.Propose{Kind: membership.SuspendOrg, OrgID: "beta"}).Encode())
	expect(t, r, call.ErrNotAdmin)
	expect(t, approve(c, alphaKey, ledger.Hash{1}), call.ErrUnknownProposal)
}

func TestProposalsRefuseTakenIdentifiers(t *testing.T) {
	c := world(t)
	cases := []struct {
		spec membership.OrgSpec
		code string
	}{
		{contracttest.Org("alpha", newKey, []membership.Role{membership.Farm}, nil, nil), call.ErrOrgExists},
		{contracttest.Org("n1", newKey, []membership.Role{membership.Farm}, []string{"690000"}, nil), call.ErrPrefixTaken},   // shorter overlaps 6900001
		{contracttest.Org("n2", newKey, []membership.Role{membership.Farm}, []string{"69000011"}, nil), call.ErrPrefixTaken}, // longer overlaps 6900001
		{contracttest.Org("n3", newKey, []membership.Role{membership.Farm}, nil, []string{alphaGLN}), call.ErrGLNTaken},
		{contracttest.Org("n4", alphaKey, []membership.Role{membership.Farm}, nil, nil), call.ErrAccountExists},
	}
	for _, cs := range cases {
		_, r := propose(c, regKey, addOrg(cs.spec))
		expect(t, r, cs.code)
	}
	// Invalid specs do not decode.
	bad := contracttest.Org("Bad Id", newKey, []membership.Role{membership.Farm}, nil, nil)
	_, r := propose(c, regKey, (&membership.Propose{Kind: membership.AddOrg, Org: bad}).Encode())
	expect(t, r, call.ErrInvalid, "organisation id")
	unsorted := contracttest.Org("n5", newKey, []membership.Role{membership.Farm}, []string{"6900009", "6900008"}, nil)
	_, r = propose(c, regKey, (&membership.Propose{Kind: membership.AddOrg, Org: unsorted}).Encode())
	expect(t, r, call.ErrPayload, "sorted")
	badPrefix := contracttest.Org("n6", newKey, []membership.Role{membership.Farm}, []string{"69a"}, nil)
	_, r = propose(c, regKey, (&membership.Propose{Kind: membership.AddOrg, Org: badPrefix}).Encode())
	expect(t, r, call.ErrInvalidGTIN, "company prefix")
	_, r = propose(c, regKey, (&membership.Propose{Kind: membership.SuspendOrg, OrgID: "nobody"}).Encode())
	expect(t, r, call.ErrUnknownOrg)
	_, r = propose(c, regKey, (&membership.Propose{Kind: membership.ReinstateOrg, OrgID: "beta"}).Encode())
	expect(t, r, call.ErrOrgStatus)
}

func TestSuspendedOrgCannotWriteButItsRecordsStay(t *testing.T) {
	c := world(t)
	doc := ledger.Sum([]byte("alpha's soil report"))
	expect(t, c.Do(alphaKey, notary.Contract, notary.MethodAnchor, (&notary.Anchor{Hash: doc, Kind: notary.Evidence}).Encode()), call.OK)
	id, r := propose(c, regKey, (&membership.Propose{Kind: membership.SuspendOrg, OrgID: "alpha", Reason: "licence expired"}).Encode())
	expect(t, r, call.OK)
	expect(t, approve(c, betaKey, id), call.OK)
	expect(t, approve(c, gammaKey, id), call.OK)
	if o := orgOf(t, c, "alpha"); o.Status != membership.Suspended {
		t.Fatalf("alpha: %+v", o)
	}
	expect(t, c.Do(alphaKey, notary.Contract, notary.MethodAnchor, (&notary.Anchor{Hash: ledger.Sum([]byte("x")), Kind: notary.Evidence}).Encode()), call.ErrOrgSuspended)
	if rec, err := notary.Lookup(c.Store, doc); err != nil || rec == nil || rec.Org != "alpha" {
		t.Fatalf("alpha's anchor must stay: %+v %v", rec, err)
	}
	// Suspending twice is refused; reinstating restores writing. The
	// suspended organisation is out of the electorate: 3 electors, 3
	// approvals needed (3*3 > 2*3).
	_, r = propose(c, regKey, (&membership.Propose{Kind: membership.SuspendOrg, OrgID: "alpha"}).Encode())
	expect(t, r, call.ErrOrgStatus)
	id, r = propose(c, regKey, (&membership.Propose{Kind: membership.ReinstateOrg, OrgID: "alpha"}).Encode())
	expect(t, r, call.OK)
	expect(t, approve(c, betaKey, id), call.OK)
	if orgOf(t, c, "alpha").Status != membership.Suspended {
		t.Fatal("2 of 3 electors reinstated alpha")
	}
	expect(t, approve(c, gammaKey, id), call.OK)
	expect(t, c.Do(alphaKey, notary.Contract, notary.MethodAnchor, (&notary.Anchor{Hash: ledger.Sum([]byte("x")), Kind: notary.Evidence}).Encode()), call.OK)
}

func TestRegulatorsJoinTheElectorate(t *testing.T) {
	c := world(t)
	spec := contracttest.Org("reg2", newKey, []membership.Role{membership.Regulator}, nil, nil)
	id, _ := propose(c, regKey, addOrg(spec))
	approve(c, alphaKey, id)
	approve(c, betaKey, id)
	e, err := membership.Electorate(c.Store)
	if err != nil || strings.Join(e, ",") != "alpha,beta,gamma,reg,reg2" {
		t.Fatalf("electorate %v %v", e, err)
	}
	_, r := propose(c, newKey, (&membership.Propose{Kind: membership.SuspendOrg, OrgID: "gamma"}).Encode())
	expect(t, r, call.OK, "")
}

func TestAdminsManageTheirOwnKeys(t *testing.T) {
	c := world(t)
	op, op2, admin2 := contracttest.Key("alpha op"), contracttest.Key("alpha op 2"), contracttest.Key("alpha admin 2")
	add := func(signer ledger.PrivateKey, k ledger.PrivateKey, role membership.AccountRole) contracts.TxResult {
		return c.Do(signer, membership.Contract, membership.MethodAddAccount, (&membership.AddAccount{Key: k.PublicKey(), Role: role, Label: "scanner"}).Encode())
	}
	rotate := func(signer ledger.PrivateKey, old, new ledger.PrivateKey) contracts.TxResult {
		return c.Do(signer, membership.Contract, membership.MethodRotateKey, (&membership.RotateKey{Old: old.PublicKey(), New: new.PublicKey()}).Encode())
	}
	revoke := func(signer, k ledger.PrivateKey) contracts.TxResult {
		return c.Do(signer, membership.Contract, membership.MethodRevokeKey, (&membership.RevokeKey{Key: k.PublicKey()}).Encode())
	}
	expect(t, add(alphaKey, op, membership.Operator), call.OK)
	expect(t, add(op, op2, membership.Operator), call.ErrNotAdmin)
	expect(t, add(alphaKey, op, membership.Operator), call.ErrAccountExists)
	expect(t, add(alphaKey, betaKey, membership.Operator), call.ErrAccountExists, "beta")
	// Rotation: the old key stops working, the new one takes its role.
	expect(t, rotate(alphaKey, op, op2), call.OK)
	expect(t, add(op, contracttest.Key("x"), membership.Operator), call.ErrKeyRevoked)
	if a, _ := membership.GetAccount(c.Store, op2.PublicKey()); a == nil || a.Role != membership.Operator || a.Org != "alpha" {
		t.Fatalf("rotated account: %+v", a)
	}
	expect(t, rotate(alphaKey, op, contracttest.Key("y")), call.ErrKeyRevoked)
	expect(t, rotate(alphaKey, op2, op), call.ErrAccountExists, "never reused")
	expect(t, rotate(alphaKey, betaKey, contracttest.Key("z")), call.ErrNotSameOrg)
	expect(t, rotate(alphaKey, contracttest.Key("nobody"), contracttest.Key("z")), call.ErrUnknownAccount)
	expect(t, revoke(betaKey, op2), call.ErrNotSameOrg)
	expect(t, revoke(alphaKey, alphaKey), call.ErrLastAdmin)
	expect(t, add(alphaKey, admin2, membership.Admin), call.OK)
	expect(t, revoke(admin2, alphaKey), call.OK)
	expect(t, add(alphaKey, contracttest.Key("w"), membership.Operator), call.ErrKeyRevoked)
	expect(t, revoke(admin2, op2), call.OK)
	expect(t, revoke(admin2, op2), call.ErrKeyRevoked)
	expect(t, add(admin2, op2, membership.Operator), call.ErrAccountExists)
	expect(t, c.Do(contracttest.Key("stranger"), membership.Contract, membership.MethodAddAccount,
		(&membership.AddAccount{Key: contracttest.Key("s2").PublicKey(), Role: membership.Operator}).Encode()), call.ErrUnknownAccount)
	// Payloads that do not decode.
	expect(t, c.Do(admin2, membership.Contract, membership.MethodAddAccount, []byte{1, 2, 3}), call.ErrPayload)
	bad := (&membership.AddAccount{Key: contracttest.Key("q").PublicKey(), Role: 7}).Encode()
	expect(t, c.Do(admin2, membership.Contract, membership.MethodAddAccount, bad), call.ErrPayload, "role")
	as, err := membership.OrgAccounts(c.Store, "alpha")
	if err != nil || len(as) != 4 {
		t.Fatalf("alpha's accounts: %d %v", len(as), err)
	}
}

func TestGenesisRefusesBadFoundingOrgs(t *testing.T) {
	k := contracttest.Key("k")
	cases := []struct {
		orgs []membership.OrgSpec
		code string
	}{
		{nil, call.ErrInvalid},
		{[]membership.OrgSpec{contracttest.Org("a", k, nil, nil, nil)}, call.ErrInvalid},
		{[]membership.OrgSpec{contracttest.Org("a", k, []membership.Role{"chef"}, nil, nil)}, call.ErrInvalid},
		{[]membership.OrgSpec{contracttest.Org("a", k, []membership.Role{membership.Farm}, nil, nil), contracttest.Org("a", contracttest.Key("k2"), []membership.Role{membership.Farm}, nil, nil)}, call.ErrOrgExists},
		{[]membership.OrgSpec{contracttest.Org("a", k, []membership.Role{membership.Farm}, nil, nil), contracttest.Org("b", k, []membership.Role{membership.Farm}, nil, nil)}, call.ErrAccountExists},
		{[]membership.OrgSpec{contracttest.Org("a", k, []membership.Role{membership.Farm}, []string{"6900001", "69000012"}, nil)}, call.ErrInvalid},
		{[]membership.OrgSpec{contracttest.Org("a", k, []membership.Role{membership.Farm}, nil, []string{"6900001000019"})}, call.ErrInvalidGTIN},
		{[]membership.OrgSpec{{ID: "a", Name: "A", Roles: []membership.Role{membership.Farm}}}, call.ErrInvalid},
	}
	for i, cs := range cases {
		_, err := contracts.Genesis(contracttest.ChainID, cs.orgs, contracttest.Validators(cs.orgs, 1))
		if call.CodeOf(err) != cs.code {
			t.Errorf("case %d: got %v, want %s", i, err, cs.code)
		}
	}
}

var (
	alphaGLN = contracttest.WithCheck("690000100001")
	newGLN   = contracttest.WithCheck("690000400001")
)
