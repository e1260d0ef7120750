package epcis_test

import (
	"path/filepath"
	"testing"

	"github.com/qianchain/qianchain/contracts/epcis"
)

// ownDocuments are the project's own EPCIS 2.0 documents, hand written
// from the demo story, so that every event type and the fields the GS1
// examples exercise — sensor reports, aggregation into an SSCC,
// transformation with ILMD, business transactions, both identifier forms,
// inline @context extensions, and the event model's association, error
// declaration with a corrective event, product class, assets, a shipment
// leaving the members and a document header — are decoded, round-tripped
// and hashed on any machine. Those of the event model live with the trace
// contract's (../trace/testdata), whose conformance rows capture them.
// GS1's own examples are the conformance set (conformance_test.go).
var ownDocuments = []struct {
	file   string
	events int
}{
	{"testdata/cold-chain.jsonld", 1},
	{"testdata/packing.jsonld", 1},
	{"testdata/processing.jsonld", 1},
	{"testdata/sale.jsonld", 2},
	{"../trace/testdata/assets.jsonld", 2},
	{"../trace/testdata/crate-correction.jsonld", 2},
	{"../trace/testdata/stocktake.jsonld", 1},
	{"../trace/testdata/export.jsonld", 2},
	{"../trace/testdata/void.jsonld", 2},
}

func TestOwnDocumentsDecodeAndRoundTrip(t *testing.T) {
	for _, r := range ownDocuments {
		t.Run(filepath.Base(r.file), func(t *testing.T) {
			d, err := epcis.Decode(read(t, r.file), epcis.DecodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Events) != r.events {
				t.Fatalf("%d events, want %d", len(d.Events), r.events)
			}
			encodingRoundTrips(t, d)
			sameEventsThroughQuery(t, d, queryDocument(d))
		})
	}
}

// The own documents, and the query documents made of them, are valid by
// GS1's schema too.
func TestOwnDocumentsValidateAgainstGS1Schema(t *testing.T) {
	s := schema(t)
	for _, r := range ownDocuments {
		t.Run(filepath.Base(r.file), func(t *testing.T) {
			doc := read(t, r.file)
			if err := s.Validate(doc); err != nil {
				t.Fatalf("does not validate against GS1's schema: %v", err)
			}
			d, err := epcis.Decode(doc, epcis.DecodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if out := queryDocument(d); s.Validate(out) != nil {
				t.Fatalf("its query document does not validate against GS1's schema: %v\n%s", s.Validate(out), out)
			}
		})
	}
}
