package epcis_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/epcis"
)

func schema(t testing.TB) *epcis.Schema {
	t.Helper()
	s, err := epcis.NewSchema(read(t, filepath.Join(fixtures(t), "EPCIS-JSON-Schema.json")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The GS1 examples, each decoded or refused with a precise reason. Whether
// an accepted document's events are then accepted on chain (prefix
// ownership, custody) is trace's conformance test.
var decodeTable = []struct {
	file   string
	events int    // when accepted
	code   string // when refused
	reason string // a substring of the refusal
}{
	{file: "AssociationEvent-f.jsonld", events: 1},
	{file: "EPCISQueryDocument.jsonld", events: 2},
	{file: "ErrorDeclarationAndCorrectiveEvent.jsonld", events: 2},
	{file: "Example-TransactionEvents-2020_07_03y.jsonld", events: 2},
	{file: "Example_9.6.1-ObjectEvent-with-error-declaration.jsonld", events: 2},
	{file: "Example_9.6.1-ObjectEvent.jsonld", events: 2},
	{file: "Example_9.6.1-ObjectEventWithDigitalLink.jsonld", events: 2},
	{file: "Example_9.6.2-ObjectEvent.jsonld", events: 1},
	{file: "Example_9.6.3-AggregationEvent.jsonld", events: 1},
	{file: "Example_9.6.4-TransformationEvent.jsonld", events: 1},
	{file: "SensorDataExample1.jsonld", events: 1},
	{file: "SensorDataExample4.jsonld", events: 1},
	{file: "object_event_all_possible_fields.jsonld", events: 1},
	{file: "transformation_event_all_possible_fields.jsonld", events: 1},
}

func TestDecodeConformanceTableCoversEveryExample(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixtures(t), "*.jsonld"))
	listed := map[string]bool{"epcis-context.jsonld": true}
	for _, r := range decodeTable {
		listed[r.file] = true
	}
	for _, f := range files {
		if !listed[filepath.Base(f)] {
			t.Errorf("example %s is not in the conformance table", filepath.Base(f))
		}
	}
}

func TestDecodeConformance(t *testing.T) {
	dir := fixtures(t)
	s := schema(t)
	for _, r := range decodeTable {
		t.Run(r.file, func(t *testing.T) {
			doc := read(t, filepath.Join(dir, r.file))
			if err := s.Validate(doc); err != nil {
				t.Fatalf("GS1 example does not validate against the GS1 schema: %v", err)
			}
			d, err := epcis.Decode(doc, epcis.DecodeOptions{})
			if r.code != "" {
				if call.CodeOf(err) != r.code || !strings.Contains(err.Error(), r.reason) {
					t.Fatalf("got %v, want %s containing %q", err, r.code, r.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Events) != r.events {
				t.Fatalf("%d events, want %d", len(d.Events), r.events)
			}
			encodingRoundTrips(t, d)
		})
	}
}

// The EPCIS context file is not a document: it is refused, not mistaken for one.
func TestDecodeRefusesTheContextFile(t *testing.T) {
	_, err := epcis.Decode(read(t, filepath.Join(fixtures(t), "epcis-context.jsonld")), epcis.DecodeOptions{})
	if call.CodeOf(err) != call.ErrEPCISInvalid {
		t.Fatalf("got %v", err)
	}
}

// Accepted examples come back out as an EPCISQueryDocument that validates
// against the GS1 schema and decodes to the same events.
func TestQueryDocumentValidatesAndRoundTrips(t *testing.T) {
	dir := fixtures(t)
	s := schema(t)
	for _, r := range decodeTable {
		if r.code != "" {
			continue
		}
		t.Run(r.file, func(t *testing.T) {
			d, err := epcis.Decode(read(t, filepath.Join(dir, r.file)), epcis.DecodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			out := queryDocument(d)
			if err := s.Validate(out); err != nil {
				t.Fatalf("query document does not validate: %v\n%s", err, out)
			}
			sameEventsThroughQuery(t, d, out)
		})
	}
}

// encodingRoundTrips checks that each decoded event's canonical encoding
// decodes back to the same bytes.
func encodingRoundTrips(t *testing.T, d *epcis.Decoded) {
	t.Helper()
	for i, ev := range d.Events {
		enc := ev.Encode()
		back, err := epcis.DecodeEvent(enc)
		if err != nil {
			t.Fatalf("event %d: canonical encoding does not decode: %v", i, err)
		}
		if !bytes.Equal(back.Encode(), enc) {
			t.Fatalf("event %d: encoding does not round-trip", i)
		}
	}
}

// queryDocument renders decoded events as the chain would serve them.
func queryDocument(d *epcis.Decoded) []byte {
	var recs []epcis.Recorded
	for i, ev := range d.Events {
		recs = append(recs, epcis.Recorded{Event: ev, Hash: [32]byte{byte(i + 1)}, RecordTime: 1_700_000_000_000_000_000, Org: "acme", Height: uint64(10 + i), TxHash: [32]byte{0xab}})
	}
	return epcis.QueryDocument(recs, epcis.QueryOptions{ID: "https://example.org/q/1", CreationDate: 1_700_000_000_000_000_000})
}

// sameEventsThroughQuery checks that the query document out decodes to the
// events of d.
func sameEventsThroughQuery(t *testing.T, d *epcis.Decoded, out []byte) {
	t.Helper()
	back, err := epcis.Decode(out, epcis.DecodeOptions{})
	if err != nil {
		t.Fatalf("query document does not decode: %v", err)
	}
	if len(back.Events) != len(d.Events) {
		t.Fatalf("query document has %d events, want %d", len(back.Events), len(d.Events))
	}
	for i := range d.Events {
		// The events come back exactly as captured; only the document's
		// header, which a query document has no place for, is in the
		// provenance instead (TestProvenanceIsAtTheDocumentLevel).
		got := back.Events[i]
		want := *d.Events[i]
		want.Context, got.Context = epcis.Value{}, epcis.Value{}
		want.Header = epcis.Header{}
		if !bytes.Equal(got.Encode(), want.Encode()) {
			t.Errorf("event %d changed through the query document", i)
		}
	}
}
