package epcis_test

import (
	"bytes"
	"testing"

	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
)

func seedEvents() [][]byte {
	s := sample()
	agg := &epcis.Event{Type: epcis.AggregationEvent, EventTime: 5, TimeZoneOffset: -300, Action: epcis.Add,
		ParentID: &gs1.ObjectID{Kind: gs1.Container, Key: "069012340000000016"}, ChildQuantityList: []epcis.Quantity{{Class: lot("C")}}}
	tr := &epcis.Event{Type: epcis.TransformationEvent, EventTime: 7, InputQuantityList: []epcis.Quantity{kg(lot("I"), "3")},
		OutputQuantityList: []epcis.Quantity{kg(lot("O"), "1.5")}, BizStep: "commissioning",
		ILMD: epcis.Value{Kind: epcis.KindObject, Fields: []epcis.Field{{Name: "ex:a", Value: epcis.Value{Kind: epcis.KindArray, Items: []epcis.Value{epcis.StringValue("x"), {Kind: epcis.KindBool, Bool: true}}}}}}}
	return [][]byte{s.Encode(), agg.Encode(), tr.Encode(), {}, {1, 2, 3}}
}

func TestFuzzSeedsAreCurrent(t *testing.T) {
	contracttest.WriteSeeds(t, "FuzzDecodeEvent", seedEvents()...)
	contracttest.WriteSeeds(t, "FuzzDecodeDocument",
		[]byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"ex":"https://ex.org/"}],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-01-01T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","action":"OBSERVE","eventTime":"2025-03-24T09:30:00+08:00","eventTimeZoneOffset":"+08:00","quantityList":[{"epcClass":"urn:epc:class:lgtin:6901234.056789.L1","quantity":2.5,"uom":"KGM"}],"ex:f":{"b":[1,true,"s"]}}]}}`),
		[]byte(`{"type":"EPCISQueryDocument"}`), []byte(`[]`), []byte(`{"a":1e999}`))
	contracttest.WriteSeeds(t, "FuzzParseDecimal", []byte("200.5"), []byte("-1e-3"), []byte("9223372036854775807"), []byte("0.000"))
}

// FuzzDecodeEvent: the contract's payload decoder never panics, and what it
// accepts re-encodes to the same bytes.
func FuzzDecodeEvent(f *testing.F) {
	for _, s := range seedEvents() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := epcis.DecodeEvent(b)
		if err != nil {
			return
		}
		if !bytes.Equal(ev.Encode(), b) {
			t.Fatalf("accepted a non-canonical encoding")
		}
	})
}

// FuzzDecodeDocument: the JSON-LD decoder never panics, and every event it
// returns passes the contract's own decoder.
func FuzzDecodeDocument(f *testing.F) {
	f.Add([]byte(`{"type":"EPCISDocument"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := epcis.Decode(b, epcis.DecodeOptions{Salt: bytes.NewReader(make([]byte, 1<<12))})
		if err != nil {
			return
		}
		for _, ev := range d.Events {
			if _, err := epcis.DecodeEvent(ev.Encode()); err != nil {
				t.Fatalf("decoded event is refused by the contract: %v", err)
			}
		}
	})
}

func FuzzParseDecimal(f *testing.F) {
	f.Add([]byte("1.5"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := epcis.ParseDecimal(string(b))
		if err != nil {
			return
		}
		back, err := epcis.ParseDecimal(d.String())
		if err != nil || back != d {
			t.Fatalf("%q -> %s does not round-trip", b, d)
		}
	})
}
