package contracts_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/disclosure"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/internal/testenv"
	"github.com/qianchain/qianchain/ledger"
)

// Every rejection code is reached by a scenario here, on top of the demo
// story's state; the subpackages' tests cover the rules in depth. The
// scenarios of gs1Scenarios need GS1's files beside the repository and
// skip without them: the check counts only the scenarios that ran, and
// names those that could not.
func TestEveryCodeIsReached(t *testing.T) {
	reached, unchecked := map[string]bool{}, map[string]bool{}
	var skipped []string
	try := func(name string, s scenario) {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if t.Skipped() {
					skipped = append(skipped, t.Name())
					unchecked[s.code] = true
				}
			}()
			got := s.run(t)
			if got != s.code {
				t.Fatalf("scenario gave %q, want %s", got, s.code)
			}
			reached[s.code] = true
		})
	}
	for _, s := range codeScenarios {
		try(s.code, s)
	}
	for _, s := range gs1Scenarios {
		try(s.code+" with GS1 files", s)
	}
	for _, c := range call.AllCodes {
		switch {
		case reached[c]:
		case unchecked[c]:
			t.Logf("code %s is not checked here: its scenarios could not run", c)
		default:
			t.Errorf("code %s is reached by no scenario", c)
		}
	}
	if len(skipped) > 0 {
		t.Logf("%d scenarios could not run here (see their skip messages): %s", len(skipped), strings.Join(skipped, ", "))
	}
}

// Every code is documented in docs/state.md.
func TestEveryCodeIsDocumented(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "docs", "state.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range call.AllCodes {
		if !strings.Contains(string(b), "`"+c+"`") {
			t.Errorf("docs/state.md does not list %s", c)
		}
	}
}

type scenario struct {
	code string
	run  func(t *testing.T) string
}

// tx runs one transaction on a fresh demo world and returns its code.
func tx(signer func(demo.Keys) ledger.PrivateKey, contract, method string, payload []byte) func(t *testing.T) string {
	return func(t *testing.T) string {
		c, ks := demoWorld(t)
		return c.Do(signer(ks), contract, method, payload).Code
	}
}

func role(r membership.Role) func(demo.Keys) ledger.PrivateKey {
	return func(ks demo.Keys) ledger.PrivateKey { return ks[r] }
}

func farmOp(ks demo.Keys) ledger.PrivateKey {
	return demo.Derive(ks[membership.Farm], "demo operator: harvest clerk")
}

func farm2(ks demo.Keys) ledger.PrivateKey {
	return demo.Derive(ks[membership.Farm], "demo farm2 admin")
}

func stranger(demo.Keys) ledger.PrivateKey { return contracttest.Key("stranger") }

func capture(signer func(demo.Keys) ledger.PrivateKey, ev *epcis.Event) func(t *testing.T) string {
	return tx(signer, trace.Contract, trace.MethodCapture, ev.Encode())
}

var (
	cst      = int16(480)
	later    = int64(1744300800e9)
	demoLot  = demo.DemoLot
	lotB     = gs1.ObjectID{Kind: gs1.Lot, Key: demo.GTINMaojianFirst, Ext: demo.LotMaojianB}
	strayGLN = contracttest.WithCheck("692319900001")
)

func obs(step string, objs ...gs1.ObjectID) *epcis.Event {
	e := &epcis.Event{Type: epcis.ObjectEvent, EventTime: later, TimeZoneOffset: cst, Action: epcis.Observe, BizStep: step}
	for _, o := range objs {
		if o.Kind == gs1.Lot {
			e.QuantityList = append(e.QuantityList, epcis.Quantity{Class: o})
		} else {
			e.EPCList = append(e.EPCList, o)
		}
	}
	return e
}

// declaring turns e into a declaration that the event with eventID id is
// erroneous.
func declaring(e *epcis.Event, id string) *epcis.Event {
	e.EventID = id
	e.ErrorDeclaration = &epcis.ErrorDeclaration{Time: later + 3600e9, Reason: "incorrect_data"}
	return e
}

// declared is a scenario where the retailer records an event on the demo
// lot and then by declares it erroneous: again (times 1), once (times 0),
// or after a later event on the lot (times -1).
func declared(by membership.Role, times int) func(t *testing.T) string {
	return func(t *testing.T) string {
		c, ks := demoWorld(t)
		const id = "urn:uuid:6c1f0e52-0000-4000-8000-000000000002"
		e := obs("storing", demoLot)
		e.EventID = id
		if r := c.Do(ks[membership.Retailer], trace.Contract, trace.MethodCapture, e.Encode()); !r.OK() {
			t.Fatal(r)
		}
		if times < 0 {
			if r := c.Do(ks[membership.Retailer], trace.Contract, trace.MethodCapture, obs("stocking", demoLot).Encode()); !r.OK() {
				t.Fatal(r)
			}
		}
		for i := 0; i < times; i++ {
			if r := c.Do(ks[by], trace.Contract, trace.MethodCapture, declaring(obs("storing", demoLot), id).Encode()); !r.OK() {
				t.Fatal(r)
			}
		}
		return c.Do(ks[by], trace.Contract, trace.MethodCapture, declaring(obs("storing", demoLot), id).Encode()).Code
	}
}

func withDest(e *epcis.Event, gln string) *epcis.Event {
	e.Destinations = []epcis.Party{{Type: "possessing_party", ID: gs1.PartyURI(gln)}}
	return e
}

func propose(p *membership.Propose) []byte { return p.Encode() }

func newOrg(id string, prefixes, glns []string, admin ledger.PrivateKey) []byte {
	s := membership.OrgSpec{ID: id, Name: id, Roles: []membership.Role{membership.Farm}, Prefixes: prefixes, GLNs: glns, Admins: []ledger.PublicKey{admin.PublicKey()}}
	if err := s.Normalize(); err != nil {
		panic(err)
	}
	return propose(&membership.Propose{Kind: membership.AddOrg, Org: s})
}

func valChange(c *membership.ValidatorChange) []byte {
	return propose(&membership.Propose{Kind: c.Kind, Validator: c, Reason: "test"})
}

// pass proposes payload as the regulator and has five more founding
// organisations approve it (6 of the 8 electors), each in its own block;
// it returns the code of the approval that passes it.
func pass(t *testing.T, c *contracttest.Chain, ks demo.Keys, payload []byte) string {
	t.Helper()
	ptx := c.Tx(ks[membership.Regulator], membership.Contract, membership.MethodPropose, payload)
	res, err := c.Block(ptx)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Results[0]; !r.OK() {
		return r.Code
	}
	code := ""
	for _, r := range []membership.Role{membership.Farm, membership.Cooperative, membership.Processor, membership.Logistics, membership.Retailer} {
		code = c.Do(ks[r], membership.Contract, membership.MethodApprove, (&membership.Approve{Proposal: ptx.Hash()}).Encode()).Code
	}
	return code
}

func anchor(h ledger.Hash) []byte { return (&notary.Anchor{Hash: h, Kind: notary.Evidence}).Encode() }

var codeScenarios = []scenario{
	{call.ErrUnknownContract, tx(role(membership.Farm), "nosuch", "x", nil)},
	{call.ErrUnknownMethod, tx(role(membership.Farm), notary.Contract, "x", nil)},
	{call.ErrPayload, tx(role(membership.Farm), notary.Contract, notary.MethodAnchor, []byte{1})},
	{call.ErrWrongChain, func(t *testing.T) string {
		c, ks := demoWorld(t)
		bad := c.Tx(ks[membership.Farm], notary.Contract, notary.MethodAnchor, anchor(ledger.Sum([]byte("w"))))
		bad.ChainID = "qian-other"
		res, err := c.Block(bad)
		if err != nil {
			t.Fatal(err)
		}
		return res.Results[0].Code
	}},
	{call.ErrUnknownAccount, tx(stranger, notary.Contract, notary.MethodAnchor, anchor(ledger.Sum([]byte("u"))))},
	{call.ErrKeyRevoked, func(t *testing.T) string {
		c, ks := demoWorld(t)
		if r := c.Do(ks[membership.Farm], membership.Contract, membership.MethodRevokeKey, (&membership.RevokeKey{Key: farmOp(ks).PublicKey()}).Encode()); !r.OK() {
			t.Fatal(r)
		}
		return c.Do(farmOp(ks), notary.Contract, notary.MethodAnchor, anchor(ledger.Sum([]byte("r")))).Code
	}},
	{call.ErrOrgSuspended, func(t *testing.T) string {
		c, ks := demoWorld(t)
		ptx := c.Tx(ks[membership.Regulator], membership.Contract, membership.MethodPropose, propose(&membership.Propose{Kind: membership.SuspendOrg, OrgID: demo.Farm2ID}))
		if _, err := c.Block(ptx); err != nil {
			t.Fatal(err)
		}
		for _, r := range []membership.Role{membership.Farm, membership.Cooperative, membership.Processor, membership.Logistics, membership.Retailer} {
			c.Do(ks[r], membership.Contract, membership.MethodApprove, (&membership.Approve{Proposal: ptx.Hash()}).Encode())
		}
		return c.Do(farm2(ks), notary.Contract, notary.MethodAnchor, anchor(ledger.Sum([]byte("s")))).Code
	}},
	{call.ErrInternal, func(t *testing.T) string {
		ks := demoKeys()
		g, _ := contracts.Genesis(contracttest.ChainID, demoOrgs(ks), contracttest.Validators(demoOrgs(ks), 4))
		st := newStore(g)
		x := contracts.NewExecutorWith([]*contracts.Method{{Contract: "bug", Name: "panic", Decode: func([]byte) (any, error) { return nil, nil },
			Run: func(*call.Context, *membership.Caller, []byte) error { panic("bug") }}})
		res, err := x.ExecuteBlock(st, g.AppHash, contracts.BlockContext{ChainID: contracttest.ChainID, Height: 1},
			[]*ledger.Tx{{ChainID: contracttest.ChainID, Sender: ks[membership.Farm].PublicKey(), Contract: "bug", Method: "panic"}})
		if err != nil {
			t.Fatal(err)
		}
		return res.Results[0].Code
	}},
	{call.ErrInvalid, tx(role(membership.Farm), notary.Contract, notary.MethodAnchorBatch, (&notary.BatchPayload{Size: 0}).Encode())},
	{call.ErrRole, tx(role(membership.Farm), notary.Contract, notary.MethodRecordTrade, (&notary.TradePayload{Seller: "a", Buyer: "b", ProductID: "p"}).Encode())},
	{call.ErrNotAdmin, tx(farmOp, membership.Contract, membership.MethodAddAccount, (&membership.AddAccount{Key: contracttest.Key("n").PublicKey(), Role: membership.Operator}).Encode())},
	{call.ErrUnknownOrg, tx(role(membership.Regulator), membership.Contract, membership.MethodPropose, propose(&membership.Propose{Kind: membership.SuspendOrg, OrgID: "nobody"}))},
	{call.ErrOrgExists, tx(role(membership.Regulator), membership.Contract, membership.MethodPropose, newOrg("farm", nil, nil, contracttest.Key("n")))},
	{call.ErrPrefixTaken, tx(role(membership.Regulator), membership.Contract, membership.MethodPropose, newOrg("farm3", []string{"69231011"}, nil, contracttest.Key("n")))},
	{call.ErrGLNTaken, tx(role(membership.Regulator), membership.Contract, membership.MethodPropose, newOrg("farm3", nil, []string{demo.Farm.PartyGLN}, contracttest.Key("n")))},
	{call.ErrAccountExists, func(t *testing.T) string {
		c, ks := demoWorld(t)
		return c.Do(ks[membership.Farm], membership.Contract, membership.MethodAddAccount, (&membership.AddAccount{Key: ks[membership.Retailer].PublicKey(), Role: membership.Operator}).Encode()).Code
	}},
	{call.ErrNotSameOrg, func(t *testing.T) string {
		c, ks := demoWorld(t)
		return c.Do(ks[membership.Farm], membership.Contract, membership.MethodRevokeKey, (&membership.RevokeKey{Key: ks[membership.Retailer].PublicKey()}).Encode()).Code
	}},
	{call.ErrLastAdmin, func(t *testing.T) string {
		c, ks := demoWorld(t)
		return c.Do(ks[membership.Farm], membership.Contract, membership.MethodRevokeKey, (&membership.RevokeKey{Key: ks[membership.Farm].PublicKey()}).Encode()).Code
	}},
	{call.ErrNotElector, tx(farm2, membership.Contract, membership.MethodPropose, propose(&membership.Propose{Kind: membership.SuspendOrg, OrgID: "farm"}))},
	{call.ErrUnknownProposal, tx(role(membership.Farm), membership.Contract, membership.MethodApprove, (&membership.Approve{Proposal: ledger.Hash{9}}).Encode())},
	{call.ErrProposalClosed, func(t *testing.T) string {
		c, ks := demoWorld(t)
		ps, err := membership.ListProposals(c.Store)
		if err != nil || len(ps) != 1 {
			t.Fatal(ps, err)
		}
		return c.Do(ks[membership.Inspector], membership.Contract, membership.MethodApprove, (&membership.Approve{Proposal: ps[0].ID}).Encode()).Code
	}},
	{call.ErrAlreadyVoted, func(t *testing.T) string {
		c, ks := demoWorld(t)
		ptx := c.Tx(ks[membership.Regulator], membership.Contract, membership.MethodPropose, propose(&membership.Propose{Kind: membership.SuspendOrg, OrgID: demo.Farm2ID}))
		if _, err := c.Block(ptx); err != nil {
			t.Fatal(err)
		}
		return c.Do(ks[membership.Regulator], membership.Contract, membership.MethodApprove, (&membership.Approve{Proposal: ptx.Hash()}).Encode()).Code
	}},
	{call.ErrOrgStatus, tx(role(membership.Regulator), membership.Contract, membership.MethodPropose, propose(&membership.Propose{Kind: membership.ReinstateOrg, OrgID: "farm"}))},
	{call.ErrUnknownValidator, tx(role(membership.Regulator), membership.Contract, membership.MethodPropose,
		valChange(&membership.ValidatorChange{Kind: membership.RemoveValidator, Key: contracttest.Key("nobody").PublicKey()}))},
	{call.ErrValidatorKeyUsed, tx(role(membership.Regulator), membership.Contract, membership.MethodPropose,
		valChange(&membership.ValidatorChange{Kind: membership.AddValidator, Org: "farm", Name: "farm-2", Key: contracttest.ValidatorKey(0).PublicKey(), Power: 5, PeerID: contracttest.PeerID("farm-2")}))},
	{call.ErrValidatorPeerUsed, tx(role(membership.Regulator), membership.Contract, membership.MethodPropose,
		valChange(&membership.ValidatorChange{Kind: membership.AddValidator, Org: "farm", Name: "farm-2", Key: contracttest.Key("new validator").PublicKey(), Power: 5, PeerID: contracttest.PeerID("v1")}))},
	{call.ErrValidatorPower, tx(role(membership.Regulator), membership.Contract, membership.MethodPropose,
		valChange(&membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: contracttest.ValidatorKey(0).PublicKey(), Power: 0}))},
	{call.ErrValidatorSetEmpty, func(t *testing.T) string {
		ks := demoKeys()
		c, err := contracttest.NewWith(demoOrgs(ks), contracttest.Validators(demoOrgs(ks), 1))
		if err != nil {
			t.Fatal(err)
		}
		return c.Do(ks[membership.Regulator], membership.Contract, membership.MethodPropose,
			valChange(&membership.ValidatorChange{Kind: membership.RemoveValidator, Key: contracttest.ValidatorKey(0).PublicKey()})).Code
	}},
	{call.ErrValidatorPowerShift, tx(role(membership.Regulator), membership.Contract, membership.MethodPropose,
		valChange(&membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: contracttest.ValidatorKey(0).PublicKey(), Power: 30}))},
	{call.ErrValidatorPending, func(t *testing.T) string {
		c, ks := demoWorld(t)
		v0 := contracttest.ValidatorKey(0).PublicKey()
		if code := pass(t, c, ks, valChange(&membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: v0, Power: 12})); code != call.OK {
			t.Fatalf("the first change: %s", code)
		}
		// Approved by the last block: it takes effect two heights later,
		// and the validator may not change again before.
		return c.Do(ks[membership.Regulator], membership.Contract, membership.MethodPropose,
			valChange(&membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: v0, Power: 11})).Code
	}},
	{call.ErrInvalidGTIN, tx(role(membership.Processor), trace.Contract, trace.MethodRegisterProduct, (&trace.RegisterProduct{GTIN: "06923103000110", Name: "x"}).Encode())},
	{call.ErrPrefixNotOwned, tx(role(membership.Farm), trace.Contract, trace.MethodRegisterProduct, (&trace.RegisterProduct{GTIN: contracttest.WithCheck("0692310300099"), Name: "x"}).Encode())},
	{call.ErrObjectExists, capture(farmOp, &epcis.Event{Type: epcis.ObjectEvent, EventTime: later, TimeZoneOffset: cst, Action: epcis.Add,
		QuantityList: []epcis.Quantity{{Class: gs1.ObjectID{Kind: gs1.Lot, Key: demo.GTINFreshLeaves, Ext: demo.LotFarm}}}})},
	{call.ErrUnknownObject, capture(role(membership.Retailer), obs("storing", gs1.ObjectID{Kind: gs1.Lot, Key: demo.GTINMaojianSpecial, Ext: "NOPE"}))},
	{call.ErrNotCustodian, capture(role(membership.Farm), obs("storing", demoLot))},
	{call.ErrNoReceiver, func(t *testing.T) string {
		e := withDest(obs("shipping", demoLot), strayGLN)
		e.Destinations[0].Type = "https://example.org/sdt/carrier"
		return capture(role(membership.Retailer), e)(t)
	}},
	{call.ErrUnknownParty, capture(role(membership.Retailer), withDest(obs("shipping", demoLot), contracttest.WithCheck("692310500009")))},
	{call.ErrUnknownEvent, capture(role(membership.Retailer), declaring(obs("storing", demoLot), "urn:uuid:6c1f0e52-0000-4000-8000-000000000001"))},
	{call.ErrNotDeclarant, declared(membership.Farm, 0)},
	{call.ErrAlreadyDeclared, declared(membership.Retailer, 1)},
	{call.ErrDeclarationOrder, declared(membership.Retailer, -1)},
	{call.ErrEPCISPrefix, func(t *testing.T) string {
		_, err := epcis.Decode([]byte(`{"@context":"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld","type":"EPCISDocument",
			"epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2025-04-10T08:00:00+08:00","eventTimeZoneOffset":"+08:00",
			"action":"OBSERVE","epcList":["urn:epc:id:sgtin:0614141.107346.2017"],"ex:grade":"A"}]}}`), epcis.DecodeOptions{})
		return call.CodeOf(err)
	}},
	{call.ErrNotReceiver, capture(role(membership.Processor), obs("receiving", demoLot))},
	{call.ErrRecalled, capture(role(membership.Retailer), obs("retail_selling", lotB))},
	{call.ErrDuplicateEvent, func(t *testing.T) string {
		c, ks := demoWorld(t)
		e := obs("storing", demoLot)
		e.EventID = "urn:uuid:0b7a2c9e-1d4f-4e8a-9c3b-5f6e7d8c9a0b"
		if r := c.Do(ks[membership.Retailer], trace.Contract, trace.MethodCapture, e.Encode()); !r.OK() {
			t.Fatal(r)
		}
		e.EventTime++
		return c.Do(ks[membership.Retailer], trace.Contract, trace.MethodCapture, e.Encode()).Code
	}},
	{call.ErrAlreadyPacked, func(t *testing.T) string {
		c, ks := demoWorld(t)
		shop := ks[membership.Retailer]
		for i, box := range []string{"06923105000000001", "06923105000000002"} {
			parent := gs1.ObjectID{Kind: gs1.Container, Key: contracttest.WithCheck(box)}
			e := &epcis.Event{Type: epcis.AggregationEvent, EventTime: later, TimeZoneOffset: cst, Action: epcis.Add, ParentID: &parent,
				ChildQuantityList: []epcis.Quantity{{Class: demoLot}}}
			r := c.Do(shop, trace.Contract, trace.MethodCapture, e.Encode())
			if i == 1 {
				return r.Code
			}
		}
		return ""
	}},
	{call.ErrNotPacked, capture(role(membership.Retailer), &epcis.Event{Type: epcis.AggregationEvent, EventTime: later, TimeZoneOffset: cst,
		Action: epcis.Delete, ParentID: &demo.Pallet, ChildQuantityList: []epcis.Quantity{{Class: demoLot}}})},
	{call.ErrRecallTooLarge, func(t *testing.T) string {
		c, ks := demoWorld(t)
		c.Sign = false
		proc := ks[membership.Processor]
		// The processor makes 10,001 lots out of one lot it commissions
		// through a transformation of a packaging item it holds.
		item := gs1.ObjectID{Kind: gs1.Item, Key: contracttest.WithCheck("0692310300099"), Ext: "1"}
		if r := c.Do(proc, trace.Contract, trace.MethodCapture, (&epcis.Event{Type: epcis.ObjectEvent, EventTime: later, TimeZoneOffset: cst,
			Action: epcis.Add, EPCList: []gs1.ObjectID{item}}).Encode()); !r.OK() {
			t.Fatal(r)
		}
		n := 0
		for n <= trace.MaxRecallReach {
			e := &epcis.Event{Type: epcis.TransformationEvent, EventTime: later, TimeZoneOffset: cst, InputEPCList: []gs1.ObjectID{item}}
			for i := 0; i < epcis.MaxObjects; i++ {
				e.OutputEPCList = append(e.OutputEPCList, gs1.ObjectID{Kind: gs1.Item, Key: item.Key, Ext: "o" + itoa(n)})
				n++
			}
			if r := c.Do(proc, trace.Contract, trace.MethodCapture, e.Encode()); !r.OK() {
				t.Fatal(r)
			}
		}
		recall := obs("holding", item)
		recall.Disposition = "recalled"
		return c.Do(ks[membership.Regulator], trace.Contract, trace.MethodCapture, recall.Encode()).Code
	}},
	{call.ErrProductExists, tx(role(membership.Processor), trace.Contract, trace.MethodRegisterProduct, (&trace.RegisterProduct{GTIN: demo.GTINMaojianSpecial, Name: "x"}).Encode())},
	{call.ErrEPCISSchema, func(t *testing.T) string {
		// The project's own small schema, so the code is reached anywhere;
		// gs1Scenarios reaches it with GS1's.
		return validateBare(t, filepath.Join("epcis", "testdata", "schema-subset.json"))
	}},
	{call.ErrEPCISInvalid, func(t *testing.T) string {
		_, err := epcis.Decode([]byte(`{`), epcis.DecodeOptions{})
		return call.CodeOf(err)
	}},
	{call.ErrEPCISUnsupported, func(t *testing.T) string {
		_, err := epcis.Decode([]byte(`{"@context":"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld","type":"EPCISDocument",
			"epcisBody":{"eventList":[{"type":"TastingEvent"}]}}`), epcis.DecodeOptions{})
		return call.CodeOf(err)
	}},
	{call.ErrAlreadyAnchored, func(t *testing.T) string {
		c, ks := demoWorld(t)
		st, _ := demo.Scenario(contracttest.ChainID, ks)
		return c.Do(ks[membership.Farm], notary.Contract, notary.MethodAnchor, anchor(ledger.Sum(st.DatasetDoc))).Code
	}},
	{call.ErrDisclosure, func(t *testing.T) string {
		// The farm's disclosures open the commitments on chain; a wrong
		// value does not.
		c, ks := demoWorld(t)
		st, _ := demo.Scenario(contracttest.ChainID, ks)
		h, err := trace.History(c.Store, gs1.ObjectID{Kind: gs1.Lot, Key: demo.GTINFreshLeaves, Ext: demo.LotFarm})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := h[0].Event()
		if err != nil || len(ev.PersonalData) != 2 {
			t.Fatalf("harvest event: %v", err)
		}
		for i, d := range st.Disclosures {
			if err := disclosure.Check(d, ev.PersonalData[i].Field, ev.PersonalData[i].Hash); err != nil {
				t.Fatalf("the farm's disclosure does not open the chain's commitment: %v", err)
			}
		}
		wrong := st.Disclosures[0]
		wrong.Value = "王秀兰"
		return call.CodeOf(disclosure.Check(wrong, ev.PersonalData[0].Field, ev.PersonalData[0].Hash))
	}},
}

// gs1Scenarios reach codes with GS1's own files, which are not shipped
// with the repository (internal/testenv): they skip when those are absent.
var gs1Scenarios = []scenario{
	{call.ErrEPCISSchema, func(t *testing.T) string {
		return validateBare(t, testenv.Fixture(t, "epcis/EPCIS-JSON-Schema.json"))
	}},
}

// validateBare validates a document with nothing but its type against the
// EPCIS JSON schema in the file schemaPath.
func validateBare(t *testing.T, schemaPath string) string {
	t.Helper()
	b, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := epcis.NewSchema(b)
	if err != nil {
		t.Fatal(err)
	}
	return call.CodeOf(s.Validate([]byte(`{"type":"EPCISDocument"}`)))
}

func itoa(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		if i /= 10; i == 0 {
			return s
		}
	}
}
