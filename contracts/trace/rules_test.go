package trace_test

import (
	"testing"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
)

var (
	leaves = lot("6923101", "00010", "F1")
	graded = lot("6923102", "00010", "C1")
	tea    = lot("6923103", "00011", "T1")
	pallet = gs1.ObjectID{Kind: gs1.Container, Key: contracttest.WithCheck("06923103000000001")}
)

// Only farms and cooperatives commission lots, under their own prefix,
// once.
func TestCommissioning(t *testing.T) {
	c := cast(t)
	expect(t, capture(c, procKey, commission(lot("6923103", "00011", "X"))), call.ErrRole)
	expect(t, capture(c, farmKey, commission(lot("6923102", "00010", "X"))), call.ErrPrefixNotOwned, "farm")
	expect(t, capture(c, farmKey, commission(leaves)), call.OK)
	expect(t, capture(c, coopKey, commission(lot("6923102", "00010", "C0"))), call.OK)
	expect(t, capture(c, farmKey, commission(leaves)), call.ErrObjectExists, "farm")
	o := object(t, c, leaves)
	if o.Owner != "farm" || o.Custodian != "farm" || o.Count != 1 {
		t.Fatalf("%+v", o)
	}
	// Items and containers are commissioned by any prefix holder.
	expect(t, capture(c, procKey, commission(pallet)), call.OK)
}

// Only the custodian records a lot's next events; custody moves with a
// shipping event naming the receiver and a receiving event by the receiver.
func TestCustodyMovesWithShippingAndReceiving(t *testing.T) {
	c := cast(t)
	expect(t, capture(c, farmKey, commission(leaves)), call.OK)
	expect(t, capture(c, coopKey, ev(epcis.Observe, "storing", leaves)), call.ErrNotCustodian, "held by farm")
	expect(t, capture(c, farmKey, ev(epcis.Observe, "storing", lot("6923101", "00010", "none"))), call.ErrUnknownObject)
	expect(t, capture(c, coopKey, receive(leaves)), call.ErrNotReceiver, "not in transit")
	// A shipment that names no destination stays with the sender (an
	// internal move); one whose destinations name no party or location
	// has no receiver; a GLN under a member's prefix that the member has
	// not registered is taken for a mistake.
	expect(t, capture(c, farmKey, ev(epcis.Observe, "shipping", leaves)), call.OK)
	if o := object(t, c, leaves); o.Custodian != "farm" || o.Receiver != "" {
		t.Fatalf("shipped with no destination: %+v", o)
	}
	odd := ship(coopGLN, leaves)
	odd.Destinations[0].Type = "https://example.org/sdt/carrier"
	expect(t, capture(c, farmKey, odd), call.ErrNoReceiver, "names no owning_party")
	farmUnregistered := contracttest.WithCheck("692310100009")
	expect(t, capture(c, farmKey, ship(farmUnregistered, leaves)), call.ErrUnknownParty, "under farm's company prefix")
	expect(t, capture(c, coopKey, ship(coopGLN, leaves)), call.ErrNotCustodian)
	expect(t, capture(c, farmKey, ship(coopGLN, leaves)), call.OK)
	if o := object(t, c, leaves); o.Custodian != "farm" || o.Receiver != "coop" {
		t.Fatalf("in transit: %+v", o)
	}
	// The receiver cannot act before receiving; the hint says so.
	expect(t, capture(c, coopKey, ev(epcis.Observe, "storing", leaves)), call.ErrNotCustodian, "record receiving first")
	expect(t, capture(c, procKey, receive(leaves)), call.ErrNotReceiver, "shipped to coop, not proc")
	expect(t, capture(c, coopKey, receive(leaves)), call.OK)
	if o := object(t, c, leaves); o.Custodian != "coop" || o.Receiver != "" {
		t.Fatalf("received: %+v", o)
	}
	expect(t, capture(c, farmKey, ev(epcis.Observe, "storing", leaves)), call.ErrNotCustodian)
	expect(t, capture(c, coopKey, ev(epcis.Observe, "storing", leaves)), call.OK)
	// A location GLN names its organisation too; shipping to oneself
	// leaves no one to receive.
	loc := ship(coopGLN, leaves)
	loc.Destinations = []epcis.Party{{Type: "location", ID: gs1.Location{GLN: procGLN}.URI()}}
	expect(t, capture(c, coopKey, loc), call.OK)
	if o := object(t, c, leaves); o.Receiver != "proc" {
		t.Fatalf("location destination: %+v", o)
	}
	expect(t, capture(c, coopKey, ship(coopGLN, leaves)), call.OK)
	if o := object(t, c, leaves); o.Receiver != "" || o.Custodian != "coop" {
		t.Fatalf("shipping to oneself: %+v", o)
	}
}

func TestShippingToASuspendedOrgIsRefused(t *testing.T) {
	c := cast(t)
	expect(t, capture(c, farmKey, commission(leaves)), call.OK)
	prop := &membership.Propose{Kind: membership.SuspendOrg, OrgID: "coop"}
	tx := c.Tx(regKey, membership.Contract, membership.MethodPropose, prop.Encode())
	if _, err := c.Block(tx); err != nil {
		t.Fatal(err)
	}
	for _, k := range []ledger.PrivateKey{farmKey, procKey, carrierKey, shopKey, labKey, acmeKey} {
		c.Do(k, membership.Contract, membership.MethodApprove, (&membership.Approve{Proposal: tx.Hash()}).Encode())
	}
	if o, _ := membership.GetOrg(c.Store, "coop"); o.Status != membership.Suspended {
		t.Fatal("coop not suspended")
	}
	expect(t, capture(c, farmKey, ship(coopGLN, leaves)), call.ErrOrgSuspended, "receiver coop")
}

// Inspectors and regulators inspect any lot; they cannot otherwise act on
// lots they do not hold.
func TestInspectorsAndRegulatorsInspectAnyLot(t *testing.T) {
	c := cast(t)
	expect(t, capture(c, farmKey, commission(leaves)), call.OK)
	in := ev(epcis.Observe, "inspecting", leaves)
	in.Disposition, in.CertificationInfo = "conformant", []string{"ni:///sha-256;d04529c0613b416901e69c38391430c0cc3e00ea719d8b00c3596134bd2e284e"}
	expect(t, capture(c, labKey, in), call.OK)
	expect(t, capture(c, regKey, ev(epcis.Observe, "sampling", leaves)), call.OK)
	expect(t, capture(c, coopKey, ev(epcis.Observe, "inspecting", leaves)), call.ErrNotCustodian)
	expect(t, capture(c, labKey, ev(epcis.Observe, "storing", leaves)), call.ErrNotCustodian)
	expect(t, capture(c, farmKey, ev(epcis.Observe, "inspecting", leaves)), call.OK) // the custodian inspects its own
	if o := object(t, c, leaves); o.Custodian != "farm" || o.Count != 4 {
		t.Fatalf("inspection moved custody or lost an event: %+v", o)
	}
}

func TestTransformation(t *testing.T) {
	c := cast(t)
	expect(t, capture(c, farmKey, commission(leaves)), call.OK)
	expect(t, capture(c, farmKey, ship(coopGLN, leaves)), call.OK)
	expect(t, capture(c, coopKey, receive(leaves)), call.OK)
	expect(t, capture(c, shopKey, transform("commissioning", []gs1.ObjectID{leaves}, lot("6923105", "00010", "X"))), call.ErrRole)
	expect(t, capture(c, farmKey, transform("commissioning", []gs1.ObjectID{leaves}, lot("6923101", "00010", "F2"))), call.ErrNotCustodian)
	expect(t, capture(c, coopKey, transform("commissioning", []gs1.ObjectID{leaves}, lot("6923103", "00010", "X"))), call.ErrPrefixNotOwned)
	// An output that is one of the inputs was transformed in place (GS1's
	// all-possible-fields example does this): it goes on, not created anew.
	expect(t, capture(c, coopKey, transform("commissioning", []gs1.ObjectID{leaves}, leaves)), call.OK)
	if o := object(t, c, leaves); o.Owner != "farm" || o.Custodian != "coop" {
		t.Fatalf("transformed in place: %+v", o)
	}
	expect(t, capture(c, coopKey, transform("commissioning", []gs1.ObjectID{leaves}, lot("6923101", "00010", "LSK-1"))), call.ErrPrefixNotOwned)
	expect(t, capture(c, coopKey, transform("commissioning", []gs1.ObjectID{lot("6923101", "00010", "ghost")}, graded)), call.ErrUnknownObject)
	expect(t, capture(c, coopKey, transform("commissioning", []gs1.ObjectID{leaves}, graded)), call.OK)
	g := object(t, c, graded)
	if g.Owner != "coop" || g.Custodian != "coop" {
		t.Fatalf("output: %+v", g)
	}
	d, err := trace.Derived(c.Store, leaves)
	if err != nil || len(d) != 1 || d[0] != graded {
		t.Fatalf("derivation edge: %v %v", d, err)
	}
}

// Packed objects move with their container; they are unpacked by whoever
// holds the container.
func TestAggregation(t *testing.T) {
	c := cast(t)
	a, b := lot("6923103", "00011", "A"), lot("6923103", "00011", "B")
	for _, l := range []gs1.ObjectID{a, b} {
		expect(t, capture(c, coopKey, commission(lot("6923102", "00010", "in-"+l.Ext))), call.OK)
		expect(t, capture(c, coopKey, ship(procGLN, lot("6923102", "00010", "in-"+l.Ext))), call.OK)
		expect(t, capture(c, procKey, receive(lot("6923102", "00010", "in-"+l.Ext))), call.OK)
		expect(t, capture(c, procKey, transform("commissioning", []gs1.ObjectID{lot("6923102", "00010", "in-"+l.Ext)}, l)), call.OK)
	}
	expect(t, capture(c, shopKey, pack(epcis.Add, gs1.ObjectID{Kind: gs1.Container, Key: contracttest.WithCheck("06923105000000001")}, a)), call.ErrNotCustodian)
	expect(t, capture(c, procKey, pack(epcis.Add, gs1.ObjectID{Kind: gs1.Container, Key: contracttest.WithCheck("06923105000000001")}, a)), call.ErrPrefixNotOwned)
	expect(t, capture(c, procKey, pack(epcis.Add, pallet, a, b)), call.OK)
	expect(t, capture(c, procKey, pack(epcis.Add, gs1.ObjectID{Kind: gs1.Container, Key: contracttest.WithCheck("06923103000000002")}, a)), call.ErrAlreadyPacked)
	expect(t, capture(c, procKey, ship(carrierGLN, a)), call.ErrAlreadyPacked, "ship the container")
	expect(t, capture(c, procKey, ship(carrierGLN, pallet)), call.OK)
	expect(t, capture(c, carrierKey, receive(pallet)), call.OK)
	// The carrier now holds the lots through the pallet.
	expect(t, capture(c, carrierKey, ev(epcis.Observe, "storing", a)), call.OK)
	expect(t, capture(c, procKey, ev(epcis.Observe, "storing", a)), call.ErrNotCustodian, "packed in")
	expect(t, capture(c, carrierKey, ship(shopGLN, pallet)), call.OK)
	expect(t, capture(c, shopKey, receive(pallet)), call.OK)
	other := gs1.ObjectID{Kind: gs1.Container, Key: contracttest.WithCheck("06923105000000001")}
	expect(t, capture(c, shopKey, pack(epcis.Delete, other, a)), call.ErrUnknownObject)
	expect(t, capture(c, shopKey, commission(other)), call.OK)
	expect(t, capture(c, shopKey, pack(epcis.Delete, other, a)), call.ErrNotPacked)
	expect(t, capture(c, shopKey, pack(epcis.Delete, pallet)), call.OK) // no children listed: unpack all
	for _, l := range []gs1.ObjectID{a, b} {
		if o := object(t, c, l); o.Parent != nil || o.Custodian != "shop" {
			t.Fatalf("unpacked %s: %+v", l, o)
		}
	}
	// A container cannot end up inside its own contents.
	box := gs1.ObjectID{Kind: gs1.Container, Key: contracttest.WithCheck("06923105000000002")}
	expect(t, capture(c, shopKey, pack(epcis.Add, box, other)), call.OK)
	expect(t, capture(c, shopKey, pack(epcis.Add, other, box)), call.ErrInvalid, "loop")
	expect(t, capture(c, shopKey, pack(epcis.Add, pallet, box)), call.OK)
	loop := pack(epcis.Add, other, pallet)
	expect(t, capture(c, shopKey, loop), call.ErrInvalid, "loop")
	obs := pack(epcis.Observe, pallet, box)
	expect(t, capture(c, shopKey, obs), call.OK)
	expect(t, capture(c, procKey, pack(epcis.Observe, pallet)), call.ErrNotCustodian)
}

// A regulator's recall reaches every lot derived through transformations
// and aggregations, and nothing else; recalled lots cannot be sold,
// transformed or packed.
func TestRecallReachesDerivedLots(t *testing.T) {
	c := cast(t)
	sibling := lot("6923101", "00010", "F9")
	expect(t, capture(c, farmKey, commission(leaves, sibling)), call.OK)
	expect(t, capture(c, farmKey, ship(coopGLN, leaves, sibling)), call.OK)
	expect(t, capture(c, coopKey, receive(leaves, sibling)), call.OK)
	expect(t, capture(c, coopKey, transform("commissioning", []gs1.ObjectID{leaves}, graded)), call.OK)
	other := lot("6923102", "00010", "C9")
	expect(t, capture(c, coopKey, transform("commissioning", []gs1.ObjectID{sibling}, other)), call.OK)
	expect(t, capture(c, coopKey, ship(procGLN, graded, other)), call.OK)
	expect(t, capture(c, procKey, receive(graded, other)), call.OK)
	expect(t, capture(c, procKey, transform("commissioning", []gs1.ObjectID{graded}, tea)), call.OK)
	clean := lot("6923103", "00011", "T9")
	expect(t, capture(c, procKey, transform("commissioning", []gs1.ObjectID{other}, clean)), call.OK)
	expect(t, capture(c, procKey, pack(epcis.Add, pallet, tea, clean)), call.OK)

	recall := ev(epcis.Observe, "holding", leaves)
	recall.Disposition = "recalled"
	expect(t, capture(c, labKey, recall), call.ErrRole, "only a regulator recalls")
	expect(t, capture(c, procKey, recall), call.ErrRole)
	res, err := c.Block(c.Tx(regKey, trace.Contract, trace.MethodCapture, recall.Encode()))
	if err != nil || !res.Results[0].OK() {
		t.Fatalf("%v %+v", err, res)
	}
	by := object(t, c, leaves).RecallBy
	for _, id := range []gs1.ObjectID{leaves, graded, tea, pallet} {
		if o := object(t, c, id); !o.Recalled || o.RecallBy != by || o.Head != by {
			t.Errorf("%s should be recalled, the recall being its latest event: %+v", id, o)
		}
	}
	for _, id := range []gs1.ObjectID{sibling, other, clean} {
		if object(t, c, id).Recalled {
			t.Errorf("%s must not be recalled", id)
		}
	}
	found := false
	for _, e := range res.Events {
		found = found || e.Type == "trace.recall" && len(e.Attrs) == 6
	}
	if !found {
		t.Errorf("no trace.recall event naming the four objects: %+v", res.Events)
	}
	sell := ev(epcis.Observe, "retail_selling", tea)
	expect(t, capture(c, procKey, pack(epcis.Delete, pallet)), call.OK)
	expect(t, capture(c, procKey, sell), call.ErrRecalled, "cannot be sold")
	expect(t, capture(c, procKey, transform("commissioning", []gs1.ObjectID{tea}, lot("6923103", "00011", "T2"))), call.ErrRecalled)
	expect(t, capture(c, procKey, pack(epcis.Add, gs1.ObjectID{Kind: gs1.Container, Key: contracttest.WithCheck("06923103000000002")}, tea)), call.ErrRecalled)
	// Still allowed: shipping back, inspecting, selling what is clean.
	expect(t, capture(c, procKey, ship(coopGLN, tea)), call.OK)
	expect(t, capture(c, labKey, ev(epcis.Observe, "inspecting", tea)), call.OK)
	expect(t, capture(c, procKey, ev(epcis.Observe, "retail_selling", clean)), call.OK)
}

func TestRecallTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 11,000 lots")
	}
	c := cast(t)
	c.Sign = false
	expect(t, capture(c, farmKey, commission(leaves)), call.OK)
	expect(t, capture(c, farmKey, ship(coopGLN, leaves)), call.OK)
	expect(t, capture(c, coopKey, receive(leaves)), call.OK)
	n := 0
	for batch := 0; n <= trace.MaxRecallReach; batch++ {
		var outs []gs1.ObjectID
		for i := 0; i < epcis.MaxObjects; i++ {
			outs = append(outs, lot("6923102", "00010", "X"+itoa(n)))
			n++
		}
		expect(t, capture(c, coopKey, transform("commissioning", []gs1.ObjectID{leaves}, outs...)), call.OK)
	}
	recall := ev(epcis.Observe, "holding", leaves)
	recall.Disposition = "recalled"
	expect(t, capture(c, regKey, recall), call.ErrRecallTooLarge)
	if object(t, c, leaves).Recalled {
		t.Fatal("a refused recall changed state")
	}
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

func TestEventIDsAreUnique(t *testing.T) {
	c := cast(t)
	e := commission(leaves)
	e.EventID = "urn:uuid:7d8a0f43-51c1-4a3c-9c5f-0a2b1e3d4c5f"
	expect(t, capture(c, farmKey, e), call.OK)
	e2 := ev(epcis.Observe, "storing", leaves)
	e2.EventID = e.EventID
	expect(t, capture(c, farmKey, e2), call.ErrDuplicateEvent, e.EventID)
}

func TestProducts(t *testing.T) {
	c := cast(t)
	p, err := trace.NewRegisterProduct("6923103000118", "都匀毛尖 特级 250克 (Duyun Maojian, special grade)", "")
	if err != nil || p.GTIN != "06923103000118" {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := trace.NewRegisterProduct("6923103000119", "x", ""); codeOf(err) != call.ErrInvalidGTIN {
		t.Fatalf("bad check digit: %v", err)
	}
	expect(t, c.Do(farmKey, trace.Contract, trace.MethodRegisterProduct, p.Encode()), call.ErrPrefixNotOwned)
	expect(t, c.Do(procKey, trace.Contract, trace.MethodRegisterProduct, p.Encode()), call.OK)
	expect(t, c.Do(procKey, trace.Contract, trace.MethodRegisterProduct, p.Encode()), call.ErrProductExists)
	got, err := trace.GetProduct(c.Store, "06923103000118")
	if err != nil || got.Owner != "proc" || got.Name != p.Name {
		t.Fatalf("%+v %v", got, err)
	}
	bad := &trace.RegisterProduct{GTIN: "06923103000119", Name: "x"}
	expect(t, c.Do(procKey, trace.Contract, trace.MethodRegisterProduct, bad.Encode()), call.ErrInvalidGTIN)
	empty := &trace.RegisterProduct{GTIN: "06923103000125"}
	expect(t, c.Do(procKey, trace.Contract, trace.MethodRegisterProduct, empty.Encode()), call.ErrInvalid)
	expect(t, c.Do(procKey, trace.Contract, trace.MethodRegisterProduct, []byte{0xff}), call.ErrPayload)
}

func TestCapturePayloadErrors(t *testing.T) {
	c := cast(t)
	expect(t, c.Do(farmKey, trace.Contract, trace.MethodCapture, []byte("not an event")), call.ErrPayload)
	e := commission(leaves)
	e.QuantityList[0].Class.Key = "06923101000104" // check digit off by one
	expect(t, c.Do(farmKey, trace.Contract, trace.MethodCapture, e.Encode()), call.ErrInvalidGTIN)
}
