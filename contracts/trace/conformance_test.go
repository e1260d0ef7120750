package trace_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/internal/testenv"
	"github.com/qianchain/qianchain/ledger"
)

// conformance is the EPCIS 2.0 conformance set: every GS1 example (and the
// project's own documents) is captured end to end — GS1's schema (for
// GS1's examples; the own documents' validity is a test of its own),
// decoding, the sender's prefixes and roles, then execution on a chain
// prepared with the state the example presumes — and is either accepted or
// refused with a precise reason.
var conformance = []struct {
	file   string // in ../shared/fixtures/epcis (GS1's), or testdata/ when own
	own    bool
	sender string
	setup  func(t *testing.T, c *contracttest.Chain)
	code   string // "" = every event accepted
	text   string
	// mapIDs rewrites the document's identifiers before capture, where
	// one example names several companies' keys that one sender must
	// hold (GS1's examples mix prefixes freely; the chain's prefix rules
	// do not).
	mapIDs map[string]string
}{
	{file: "AssociationEvent-f.jsonld", sender: "supplier", setup: supplierAssets},
	{file: "AssociationEvent-f.jsonld", sender: "supplier", code: call.ErrUnknownObject, text: "8003/0401234555555498765 has not been commissioned"},
	{file: "EPCISQueryDocument.jsonld", sender: "acme", setup: acmeItems},
	{file: "ErrorDeclarationAndCorrectiveEvent.jsonld", sender: "supplier", mapIDs: toSupplier, setup: declaredOriginal("ErrorDeclarationAndCorrectiveEvent.jsonld", "supplier", toSupplier, supplierInputs)},
	{file: "ErrorDeclarationAndCorrectiveEvent.jsonld", sender: "supplier", mapIDs: toSupplier, code: call.ErrUnknownEvent, text: "urn:uuid:374d95fc"},
	{file: "Example-TransactionEvents-2020_07_03y.jsonld", sender: "rail", setup: railWagon},
	{file: "Example-TransactionEvents-2020_07_03y.jsonld", sender: "acme", setup: railWagon, code: call.ErrNotCustodian, text: "held by rail"},
	{file: "Example_9.6.1-ObjectEvent-with-error-declaration.jsonld", sender: "acme", setup: declaredOriginal("Example_9.6.1-ObjectEvent-with-error-declaration.jsonld", "acme", nil, acmeItems)},
	{file: "Example_9.6.1-ObjectEvent-with-error-declaration.jsonld", sender: "supplier", setup: declaredOriginal("Example_9.6.1-ObjectEvent-with-error-declaration.jsonld", "acme", nil, acmeItems), code: call.ErrNotDeclarant, text: "only acme or a regulator"},
	{file: "Example_9.6.1-ObjectEvent.jsonld", sender: "acme", code: call.ErrUnknownObject, text: "has not been commissioned"},
	{file: "Example_9.6.1-ObjectEvent.jsonld", sender: "acme", setup: acmeItems},
	{file: "Example_9.6.1-ObjectEventWithDigitalLink.jsonld", sender: "acme", setup: acmeDLItems},
	{file: "Example_9.6.2-ObjectEvent.jsonld", sender: "acme", code: call.ErrUnknownObject},
	{file: "Example_9.6.2-ObjectEvent.jsonld", sender: "acme", setup: supplierShipsToAcme},
	{file: "Example_9.6.2-ObjectEvent.jsonld", sender: "farm", setup: supplierShipsToAcme, code: call.ErrNotReceiver, text: "shipped to acme, not farm"},
	{file: "Example_9.6.3-AggregationEvent.jsonld", sender: "acme", setup: acmePallet},
	{file: "Example_9.6.3-AggregationEvent.jsonld", sender: "acme", code: call.ErrUnknownObject, text: "00/106141412345678908"},
	{file: "Example_9.6.4-TransformationEvent.jsonld", sender: "supplier", mapIDs: toSupplier, setup: supplierInputs},
	{file: "Example_9.6.4-TransformationEvent.jsonld", sender: "supplier", mapIDs: toSupplier, code: call.ErrUnknownObject},
	{file: "SensorDataExample1.jsonld", sender: "lab", setup: supplierItem},
	{file: "SensorDataExample1.jsonld", sender: "acme", setup: supplierItem, code: call.ErrNotCustodian, text: "held by supplier"},
	{file: "SensorDataExample4.jsonld", sender: "lab", setup: supplierLot},
	{file: "object_event_all_possible_fields.jsonld", sender: "supplier", mapIDs: toSupplier, setup: declaredOriginal("object_event_all_possible_fields.jsonld", "supplier", toSupplier, nil)},
	{file: "transformation_event_all_possible_fields.jsonld", sender: "supplier", mapIDs: toSupplier, setup: declaredOriginal("transformation_event_all_possible_fields.jsonld", "supplier", toSupplier, supplierInputs)},
	{file: "transformation_event_all_possible_fields.jsonld", sender: "reg", mapIDs: toSupplier, setup: declaredOriginal("transformation_event_all_possible_fields.jsonld", "supplier", toSupplier, supplierInputs)},
	// The project's own documents: the worked example of docs/traceability.md.
	{file: "harvest.jsonld", own: true, sender: "farm"},
	{file: "harvest.jsonld", own: true, sender: "coop", code: call.ErrPrefixNotOwned, text: "company prefix of 06923101000103 is not one of coop's"},
	{file: "harvest.jsonld", own: true, sender: "proc", code: call.ErrRole, text: "only farms and cooperatives commission lots"},
	{file: "harvest.jsonld", own: true, sender: "farm", setup: capturing("farm", "harvest.jsonld"), code: call.ErrDuplicateEvent},
	{file: "commission_foreign.jsonld", own: true, sender: "farm", code: call.ErrPrefixNotOwned},
	{file: "ship.jsonld", own: true, sender: "farm", setup: capturing("farm", "harvest.jsonld")},
	{file: "ship.jsonld", own: true, sender: "coop", setup: capturing("farm", "harvest.jsonld"), code: call.ErrNotCustodian},
	{file: "receive.jsonld", own: true, sender: "coop", setup: capturing("farm", "harvest.jsonld", "ship.jsonld")},
	{file: "receive.jsonld", own: true, sender: "proc", setup: capturing("farm", "harvest.jsonld", "ship.jsonld"), code: call.ErrNotReceiver},
	// The own documents of the EPCIS 2.0 event model, so that its rows run
	// without GS1's files: assets and their association, a shipment to the
	// wrong warehouse declared erroneous and corrected, a product class
	// counted, serialised items exported outside the chain, a commissioning
	// declared erroneous (TestOwnDocumentsTellTheirStory checks the outcome).
	{file: "assets.jsonld", own: true, sender: "carrier"},
	{file: "assets.jsonld", own: true, sender: "shop", code: call.ErrPrefixNotOwned, text: "8003/06923104000018C-001"},
	{file: "crate-wrong-shipment.jsonld", own: true, sender: "carrier", setup: capturing("carrier", "assets.jsonld")},
	{file: "crate-wrong-shipment.jsonld", own: true, sender: "carrier", code: call.ErrUnknownObject, text: "has not been commissioned"},
	{file: "crate-correction.jsonld", own: true, sender: "carrier", setup: capturing("carrier", "assets.jsonld", "crate-wrong-shipment.jsonld")},
	{file: "crate-correction.jsonld", own: true, sender: "shop", setup: capturing("carrier", "assets.jsonld", "crate-wrong-shipment.jsonld"), code: call.ErrNotDeclarant, text: "only carrier or a regulator"},
	{file: "crate-correction.jsonld", own: true, sender: "carrier", setup: capturing("carrier", "assets.jsonld"), code: call.ErrUnknownEvent, text: "2025041509a1"},
	{file: "stocktake.jsonld", own: true, sender: "shop"},
	{file: "export.jsonld", own: true, sender: "proc"},
	{file: "export.jsonld", own: true, sender: "farm", code: call.ErrPrefixNotOwned},
	{file: "void.jsonld", own: true, sender: "proc"},
	{file: "void.jsonld", own: true, sender: "proc", setup: capturing("proc", "void.jsonld"), code: call.ErrDuplicateEvent},
}

var senders = map[string]ledger.PrivateKey{"farm": farmKey, "coop": coopKey, "proc": procKey, "carrier": carrierKey, "shop": shopKey, "acme": acmeKey, "supplier": supplierKey, "lab": labKey, "rail": railKey, "reg": regKey}

// toSupplier maps acme's prefix 0614141 to the supplier's 4000001 (same
// length, so the URNs stay well-formed; check digits follow).
var toSupplier = map[string]string{"0614141.": "4000001."}

func mapped(doc []byte, m map[string]string) []byte {
	for from, to := range m {
		doc = bytes.ReplaceAll(doc, []byte(from), []byte(to))
	}
	return doc
}

func urn(s string) gs1.ObjectID {
	o, err := gs1.ParseObjectID(s)
	if err != nil {
		panic(err)
	}
	return o
}

// supplierAssets commissions what AssociationEvent-f associates: a crate
// (GRAI), two data loggers (GIAI) and a lot.
func supplierAssets(t *testing.T, c *contracttest.Chain) {
	expect(t, capture(c, supplierKey, commission(urn("urn:epc:id:grai:4012345.55555.98765"),
		urn("urn:epc:id:giai:4000001.12345"), urn("urn:epc:id:giai:4000001.12346"),
		urn("urn:epc:class:lgtin:4023333.002000.998877"))), call.OK)
}

// supplierInputs commissions the inputs of the transformation examples
// (after toSupplier).
func supplierInputs(t *testing.T, c *contracttest.Chain) {
	expect(t, capture(c, supplierKey, commission(urn("urn:epc:id:sgtin:4012345.011122.25"), urn("urn:epc:id:sgtin:4000001.065432.99886655"),
		urn("urn:epc:id:sgtin:4012345.011111.987"), urn("urn:epc:class:lgtin:4012345.011111.4444"),
		urn("urn:epc:class:lgtin:4000001.077777.987"), urn("urn:epc:class:lgtin:4012345.022222.87545GHGH"))), call.OK)
}

// railWagon commissions the wagon (a GIAI) the rail example transports.
func railWagon(t *testing.T, c *contracttest.Chain) {
	expect(t, capture(c, railKey, commission(urn("urn:epc:id:giai:952005385.w2"))), call.OK)
}

// acmePallet: acme receives the supplier's lot and packs it with two items
// on the pallet that Example 9.6.3 observes.
func acmePallet(t *testing.T, c *contracttest.Chain) {
	acmeItems(t, c)
	supplierShipsToAcme(t, c)
	l := urn("urn:epc:class:lgtin:4012345.012345.998877")
	expect(t, capture(c, acmeKey, receive(l)), call.OK)
	expect(t, capture(c, acmeKey, pack(epcis.Add, urn("urn:epc:id:sscc:0614141.1234567890"), sgtin("0614141", "107346", "2017"), sgtin("0614141", "107346", "2018"), l)), call.OK)
}

// declaredOriginal returns a setup that records, as sender, the events of
// an example that the example then declares erroneous: each event with an
// errorDeclaration, without it (after first running before).
func declaredOriginal(file, sender string, m map[string]string, before func(*testing.T, *contracttest.Chain)) func(*testing.T, *contracttest.Chain) {
	return func(t *testing.T, c *contracttest.Chain) {
		if before != nil {
			before(t, c)
		}
		dir, _ := gs1Schema(t)
		d, err := epcis.Decode(mapped(readFile(t, filepath.Join(dir, file)), m), epcis.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range d.Events {
			if ev.ErrorDeclaration == nil {
				continue
			}
			orig := *ev
			orig.ErrorDeclaration = nil
			if r := c.Do(senders[sender], trace.Contract, trace.MethodCapture, orig.Encode()); !r.OK() {
				t.Fatalf("recording the declared event: %s %s", r.Code, r.Message)
			}
		}
	}
}

func sgtin(cp, ref, serial string) gs1.ObjectID {
	o, err := gs1.ParseObjectID("urn:epc:id:sgtin:" + cp + "." + ref + "." + serial)
	if err != nil {
		panic(err)
	}
	return o
}

func acmeItems(t *testing.T, c *contracttest.Chain) {
	expect(t, capture(c, acmeKey, ev(epcis.Add, "commissioning", sgtin("0614141", "107346", "2017"), sgtin("0614141", "107346", "2018"))), call.OK)
}

func acmeDLItems(t *testing.T, c *contracttest.Chain) {
	o1, _ := gs1.ParseObjectID("https://id.gs1.org/01/70614141123451/21/2017")
	o2, _ := gs1.ParseObjectID("https://id.gs1.org/01/70614141123451/21/2018")
	expect(t, capture(c, acmeKey, ev(epcis.Add, "commissioning", o1, o2)), call.OK)
}

func supplierShipsToAcme(t *testing.T, c *contracttest.Chain) {
	l, _ := gs1.ParseObjectID("urn:epc:class:lgtin:4012345.012345.998877")
	expect(t, capture(c, supplierKey, commission(l)), call.OK)
	expect(t, capture(c, supplierKey, ship(acmeGLN, l)), call.OK)
}

func supplierItem(t *testing.T, c *contracttest.Chain) {
	expect(t, capture(c, supplierKey, commission(sgtin("4012345", "011111", "9876"))), call.OK)
}

func supplierLot(t *testing.T, c *contracttest.Chain) {
	l, _ := gs1.ParseObjectID("urn:epc:class:lgtin:4023333.002000.2019-10-07")
	expect(t, capture(c, supplierKey, commission(l)), call.OK)
}

// capturing returns a setup that captures own documents as sender.
func capturing(sender string, files ...string) func(*testing.T, *contracttest.Chain) {
	return func(t *testing.T, c *contracttest.Chain) {
		for _, f := range files {
			if code, msg := captureDoc(t, c, sender, readFile(t, filepath.Join("testdata", f)), nil); code != "" {
				t.Fatalf("setup %s: %s %s", f, code, msg)
			}
		}
	}
}

// captureDoc runs a document through PrepareCapture and executes its
// events; it returns the first refusal.
func captureDoc(t *testing.T, c *contracttest.Chain, sender string, doc []byte, schema *epcis.Schema) (string, string) {
	t.Helper()
	org, err := membership.GetOrg(c.Store, sender)
	if err != nil || org == nil {
		t.Fatalf("sender %s: %v", sender, err)
	}
	cp, err := trace.PrepareCapture(doc, trace.CaptureOptions{Schema: schema, Org: org, Salt: bytes.NewReader(make([]byte, 4096))})
	if err != nil {
		e, ok := call.AsError(err)
		if !ok {
			t.Fatalf("PrepareCapture returned an uncoded error: %v", err)
		}
		return e.Code, e.Message
	}
	for _, p := range cp.Payloads {
		r := c.Do(senders[sender], trace.Contract, trace.MethodCapture, p)
		if !r.OK() {
			return r.Code, r.Message
		}
	}
	return "", ""
}

// The project's own rows run anywhere; the GS1 examples' rows need GS1's
// files beside the repository and skip one by one without them.
func TestEPCISConformance(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range conformance {
		name := r.file + "/" + r.sender
		if r.setup != nil {
			name += "/prepared"
		}
		t.Run(name, func(t *testing.T) {
			seen[r.file] = true
			path := filepath.Join("testdata", r.file)
			var schema *epcis.Schema // own documents: TestOwnDocumentsValidateAgainstGS1Schema
			if !r.own {
				var dir string
				dir, schema = gs1Schema(t)
				path = filepath.Join(dir, r.file)
			}
			c := cast(t)
			if r.setup != nil {
				r.setup(t, c)
			}
			code, msg := captureDoc(t, c, r.sender, mapped(readFile(t, path), r.mapIDs), schema)
			if code != r.code || !strings.Contains(msg, r.text) {
				t.Fatalf("got %s %q, want %s containing %q", code, msg, r.code, r.text)
			}
		})
	}
	t.Run("every GS1 example has a row", func(t *testing.T) {
		files, _ := filepath.Glob(filepath.Join(testenv.Fixture(t, "epcis"), "*.jsonld"))
		for _, f := range files {
			if b := filepath.Base(f); b != "epcis-context.jsonld" && !seen[b] {
				t.Errorf("GS1 example %s is not in the conformance table", b)
			}
		}
	})
}

// The project's own documents are valid by GS1's schema.
func TestOwnDocumentsValidateAgainstGS1Schema(t *testing.T) {
	_, schema := gs1Schema(t)
	files, _ := filepath.Glob(filepath.Join("testdata", "*.jsonld"))
	if len(files) == 0 {
		t.Fatal("no documents in testdata")
	}
	for _, f := range files {
		if err := schema.Validate(readFile(t, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// A captured lot's history comes back out as an EPCISQueryDocument that
// validates against the GS1 schema, with the hash chain intact.
func TestLotHistoryAsQueryDocument(t *testing.T) {
	c := cast(t)
	capturing("farm", "harvest.jsonld", "ship.jsonld")(t, c)
	capturing("coop", "receive.jsonld")(t, c)
	id := lot("6923101", "00010", "LSK20250324-01")
	doc, err := trace.QueryDocument(c.Store, id, epcis.QueryOptions{CreationDate: c.Time})
	if err != nil {
		t.Fatal(err)
	}
	back, err := epcis.Decode(doc, epcis.DecodeOptions{})
	if err != nil || len(back.Events) != 3 {
		t.Fatalf("query document decodes to %v events: %v", back, err)
	}
	if !bytes.Contains(doc, []byte(`"qian:commitments"`)) || bytes.Contains(doc, []byte("王秀英")) {
		t.Fatal("personal data must appear only as commitments")
	}
	if _, err := trace.QueryDocument(c.Store, lot("6923101", "00010", "NOPE"), epcis.QueryOptions{}); codeOf(err) != call.ErrUnknownObject {
		t.Fatalf("unknown lot: %v", err)
	}
	t.Run("valid by GS1 schema", func(t *testing.T) {
		_, schema := gs1Schema(t)
		if err := schema.Validate(doc); err != nil {
			t.Fatalf("%v\n%s", err, doc)
		}
	})
}
