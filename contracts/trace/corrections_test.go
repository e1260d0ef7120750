package trace_test

import (
	"testing"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/trace"
)

// declare re-captures e as erroneous (EPCIS errorDeclaration).
func declare(e *epcis.Event, correctives ...string) *epcis.Event {
	d := *e
	d.ErrorDeclaration = &epcis.ErrorDeclaration{Time: e.EventTime + 3600e9, Reason: "incorrect_data", CorrectiveIDs: correctives}
	return &d
}

// A shipment to the wrong receiver is declared erroneous: custody returns
// to what it was before it, the corrective shipment goes to the right
// receiver, and the erroneous event stays in the history, marked.
func TestCustodyFollowsTheCorrectedHistory(t *testing.T) {
	c := cast(t)
	expect(t, capture(c, farmKey, commission(leaves)), call.OK)
	wrong := ship(procGLN, leaves)
	wrong.EventID = "urn:uuid:11111111-0000-4000-8000-000000000001"
	expect(t, capture(c, farmKey, wrong), call.OK)
	if o := object(t, c, leaves); o.Receiver != "proc" {
		t.Fatalf("shipped: %+v", o)
	}
	expect(t, capture(c, coopKey, declare(wrong)), call.ErrNotDeclarant, "only farm or a regulator")
	other := *wrong
	other.EventTime++
	expect(t, capture(c, farmKey, declare(&other)), call.ErrInvalid, "must repeat the declared event")
	expect(t, capture(c, farmKey, declare(wrong, "urn:uuid:11111111-0000-4000-8000-000000000002")), call.OK)
	if o := object(t, c, leaves); o.Receiver != "" || o.Custodian != "farm" || o.Count != 3 {
		t.Fatalf("after the declaration: %+v", o)
	}
	expect(t, capture(c, procKey, receive(leaves)), call.ErrNotReceiver)
	expect(t, capture(c, farmKey, declare(wrong)), call.ErrAlreadyDeclared)
	right := ship(coopGLN, leaves)
	right.EventID = "urn:uuid:11111111-0000-4000-8000-000000000002"
	expect(t, capture(c, farmKey, right), call.OK)
	expect(t, capture(c, coopKey, receive(leaves)), call.OK)

	// The export shows the erroneous event with its errorDeclaration, not
	// the declaration as an event of its own.
	recs, err := trace.Recorded(c.Store, leaves)
	if err != nil || len(recs) != 4 {
		t.Fatalf("%d exported events, %v", len(recs), err)
	}
	if d := recs[1].Declared; d == nil || d.Org != "farm" || d.Event.ErrorDeclaration.CorrectiveIDs[0] != right.EventID {
		t.Fatalf("the erroneous shipment is not marked: %+v", recs[1])
	}
	// The hash chain still verifies over every record, the declaration's
	// included.
	hist, _ := trace.History(c.Store, leaves)
	if err := trace.VerifyChain(leaves, hist, object(t, c, leaves).Head); err != nil {
		t.Fatal(err)
	}
}

// An erroneous commissioning makes the object void: no one may act on it
// until the corrective event commissions it again, and its history goes
// on. Later events must be declared first, latest first.
func TestDeclaredCommissioningVoidsTheObject(t *testing.T) {
	c := cast(t)
	com := commission(leaves)
	com.EventID = "urn:uuid:22222222-0000-4000-8000-000000000001"
	expect(t, capture(c, farmKey, com), call.OK)
	store := ev(epcis.Observe, "storing", leaves)
	store.EventID = "urn:uuid:22222222-0000-4000-8000-000000000002"
	expect(t, capture(c, farmKey, store), call.OK)
	expect(t, capture(c, farmKey, declare(com)), call.ErrDeclarationOrder, "declare the later events erroneous first")
	expect(t, capture(c, regKey, declare(store)), call.OK) // a regulator may declare too
	expect(t, capture(c, farmKey, declare(com)), call.OK)
	if o := object(t, c, leaves); !o.Void || o.Custodian != "" {
		t.Fatalf("void: %+v", o)
	}
	expect(t, capture(c, farmKey, ev(epcis.Observe, "storing", leaves)), call.ErrUnknownObject, "declared erroneous")
	unknown := *store
	unknown.EventID = "urn:uuid:22222222-0000-4000-8000-00000000dead"
	expect(t, capture(c, farmKey, declare(&unknown)), call.ErrUnknownEvent)
	expect(t, capture(c, farmKey, commission(leaves)), call.OK)
	if o := object(t, c, leaves); o.Void || o.Custodian != "farm" || o.Count != 5 {
		t.Fatalf("commissioned again: %+v", o)
	}
}

// A shipment to a party outside the chain's members is recorded: custody
// leaves the members, and no member may act as its holder any more.
func TestShipmentLeavesTheMembers(t *testing.T) {
	c := cast(t)
	expect(t, capture(c, farmKey, commission(leaves)), call.OK)
	expect(t, capture(c, farmKey, ship(strayGLN, leaves)), call.OK)
	o := object(t, c, leaves)
	if o.Custodian != "" || o.Away != gs1.PartyURI(strayGLN) {
		t.Fatalf("left the chain: %+v", o)
	}
	expect(t, capture(c, farmKey, ev(epcis.Observe, "storing", leaves)), call.ErrNotCustodian, "outside the chain")
	expect(t, capture(c, labKey, ev(epcis.Observe, "inspecting", leaves)), call.OK)
}

// Product classes and service relations are mentioned, never held; GRAI
// crates hold lots like containers do.
func TestClassesAndAssets(t *testing.T) {
	c := cast(t)
	class := urn("urn:epc:idpat:sgtin:6923101.000010.*")
	crate := urn("urn:epc:id:grai:6923101.00001.C7")
	expect(t, capture(c, farmKey, commission(leaves, crate)), call.OK)
	obs := ev(epcis.Observe, "storing", leaves)
	obs.QuantityList = append(obs.QuantityList, epcis.Quantity{Class: class})
	expect(t, capture(c, coopKey, obs), call.ErrNotCustodian, "held by farm")
	expect(t, capture(c, farmKey, obs), call.OK)
	if o := object(t, c, class); o.Custodian != "" || o.Count != 1 {
		t.Fatalf("class: %+v", o)
	}
	expect(t, capture(c, farmKey, pack(epcis.Add, crate, leaves)), call.OK)
	recall := ev(epcis.Observe, "holding")
	recall.QuantityList = []epcis.Quantity{{Class: class}}
	recall.Disposition = "recalled"
	expect(t, capture(c, regKey, recall), call.ErrInvalid, "not recalled")
}
