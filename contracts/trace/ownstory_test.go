package trace_test

import (
	"bytes"
	"testing"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/trace"
)

// The own documents of the EPCIS 2.0 event model, captured in order, leave
// the state the pages and exports show: a crate whose wrong shipment was
// declared erroneous and corrected, a logger associated with it, a product
// class counted, an item that left the chain's members, a void item.
func TestOwnDocumentsTellTheirStory(t *testing.T) {
	c := cast(t)
	capturing("carrier", "assets.jsonld", "crate-wrong-shipment.jsonld", "crate-correction.jsonld")(t, c)
	capturing("shop", "stocktake.jsonld")(t, c)
	capturing("proc", "export.jsonld", "void.jsonld")(t, c)

	crate, logger := urn("urn:epc:id:grai:6923104.00001.C-001"), urn("urn:epc:id:giai:6923104.TL-0008")
	if o := object(t, c, crate); o.Custodian != "carrier" || o.Receiver != "shop" || o.Count != 5 {
		// commissioning, association, wrong shipment, its declaration, the corrective shipment
		t.Fatalf("crate: %+v", o)
	}
	recs, err := trace.Recorded(c.Store, crate)
	if err != nil || len(recs) != 4 {
		t.Fatalf("crate's exported history: %d events, %v", len(recs), err)
	}
	wrong := recs[2]
	if wrong.Declared == nil || wrong.Declared.Event.ErrorDeclaration.Reason != "incorrect_data" || wrong.Declared.Org != "carrier" {
		t.Fatalf("the wrong shipment is not shown declared: %+v", wrong.Declared)
	}
	if h := object(t, c, logger); h.Count != 2 || h.Custodian != "carrier" {
		t.Fatalf("logger: %+v", h)
	}
	class := gs1.ObjectID{Kind: gs1.Class, Key: "06923103000118"}
	if o := object(t, c, class); o.Count != 1 || o.Custodian != "" {
		t.Fatalf("product class: %+v", o)
	}
	gone := urn("urn:epc:id:sgtin:6923103.000011.GB0001")
	if o := object(t, c, gone); o.Away != "https://id.gs1.org/417/4890000000010" || o.Custodian != "" {
		t.Fatalf("exported item: %+v", o)
	}
	if o := object(t, c, urn("urn:epc:id:sgtin:6923103.000011.GB0099")); !o.Void || o.Count != 2 {
		t.Fatalf("void item: %+v", o)
	}

	// The export keeps each event as captured and the document's header in
	// the provenance.
	doc, err := trace.QueryDocument(c.Store, crate, epcis.QueryOptions{CreationDate: c.Time})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"qian:provenance"`, `"qian:sender": "urn:epc:id:pgln:6923104.00001"`, `"qian:declaration"`, `"errorDeclaration"`} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("the crate's export lacks %s:\n%s", want, doc)
		}
	}
}
