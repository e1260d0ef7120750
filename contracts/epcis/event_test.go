package epcis_test

import (
	"bytes"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
)

func lot(l string) gs1.ObjectID { return gs1.ObjectID{Kind: gs1.Lot, Key: "06901234567892", Ext: l} }

func kg(o gs1.ObjectID, s string) epcis.Quantity {
	d, err := epcis.ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return epcis.Quantity{Class: o, HasQuantity: true, Quantity: d, UOM: "KGM"}
}

// sample is a valid ObjectEvent that the table below breaks one field at a
// time.
func sample() *epcis.Event {
	return &epcis.Event{Type: epcis.ObjectEvent, EventTime: 1_711_000_000_000_000_000, TimeZoneOffset: 480, Action: epcis.Observe,
		BizStep: "shipping", Disposition: "in_transit", ReadPoint: gs1.Location{GLN: "6901234000016"}.URI(),
		QuantityList: []epcis.Quantity{kg(lot("A1"), "12.5")},
		Destinations: []epcis.Party{{Type: "possessing_party", ID: gs1.PartyURI("6901234000023")}}}
}

func TestSampleIsValid(t *testing.T) {
	if err := sample().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRefusesEachBadField(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(e *epcis.Event)
		reason string
	}{
		{"time zone beyond 14h", func(e *epcis.Event) { e.TimeZoneOffset = 15 * 60 }, "eventTimeZoneOffset"},
		{"unknown type", func(e *epcis.Event) { e.Type = 9 }, "unknown event type"},
		{"transformation with action", func(e *epcis.Event) {
			e.Type = epcis.TransformationEvent
			e.InputQuantityList, e.OutputQuantityList, e.QuantityList = e.QuantityList, []epcis.Quantity{kg(lot("B"), "1")}, nil
		}, "has no action"},
		{"missing action", func(e *epcis.Event) { e.Action = epcis.NoAction }, "ADD, OBSERVE or DELETE"},
		{"CBV URI instead of short name", func(e *epcis.Event) { e.BizStep = "urn:epcglobal:cbv:bizstep:shipping" }, "bizStep"},
		{"unknown disposition word", func(e *epcis.Event) { e.Disposition = "lost" }, "disposition"},
		{"read point as EPC URN", func(e *epcis.Event) { e.ReadPoint = "urn:epc:id:sgln:6901234.00001.0" }, "canonical form"},
		{"read point with bad GLN", func(e *epcis.Event) { e.ReadPoint = "https://id.gs1.org/414/6901234000018" }, "check digit"},
		{"lot listed as EPC", func(e *epcis.Event) { e.EPCList = []gs1.ObjectID{lot("A2")} }, "is a class (a lot)"},
		{"duplicate lot", func(e *epcis.Event) { e.QuantityList = append(e.QuantityList, e.QuantityList[0]) }, "listed twice"},
		{"bad check digit", func(e *epcis.Event) { e.QuantityList[0].Class.Key = "06901234567891" }, "check digit"},
		{"negative quantity", func(e *epcis.Event) { e.QuantityList[0].Quantity.Mant = -5 }, "negative"},
		{"lower-case unit", func(e *epcis.Event) { e.QuantityList[0].UOM = "kgm" }, "UN/CEFACT"},
		{"no objects", func(e *epcis.Event) { e.QuantityList = nil }, "at least one"},
		{"parent on an ObjectEvent", func(e *epcis.Event) {
			p := gs1.ObjectID{Kind: gs1.Container, Key: "069012340000000016"}
			e.ParentID = &p
		}, "parentID"},
		{"destination not a URI", func(e *epcis.Event) { e.Destinations[0].ID = "not a uri" }, "not a URI"},
		{"unsorted personal data", func(e *epcis.Event) {
			e.PersonalData = []epcis.Commitment{{Field: "phone"}, {Field: "name"}}
		}, "sorted"},
		{"personal field name", func(e *epcis.Event) { e.PersonalData = []epcis.Commitment{{Field: "姓名"}} }, "field name"},
		{"ILMD field without prefix", func(e *epcis.Event) {
			e.ILMD = epcis.Value{Kind: epcis.KindObject, Fields: []epcis.Field{{Name: "batch", Value: epcis.StringValue("x")}}}
		}, "extension field"},
		{"sensor report without type", func(e *epcis.Event) {
			e.SensorElements = []epcis.SensorElement{{Metadata: epcis.Value{Kind: epcis.KindObject}, Extra: epcis.Value{Kind: epcis.KindObject},
				Reports: []epcis.Value{{Kind: epcis.KindObject, Fields: []epcis.Field{{Name: "uom", Value: epcis.StringValue("CEL")}}}}}}
		}, "measurement type"},
		{"sensor value as string", func(e *epcis.Event) {
			e.SensorElements = []epcis.SensorElement{{Metadata: epcis.Value{Kind: epcis.KindObject}, Extra: epcis.Value{Kind: epcis.KindObject},
				Reports: []epcis.Value{{Kind: epcis.KindObject, Fields: []epcis.Field{{Name: "type", Value: epcis.StringValue("Temperature")}, {Name: "value", Value: epcis.StringValue("4")}}}}}}
		}, "wrong JSON type"},
		{"aggregation without parent", func(e *epcis.Event) {
			e.Type, e.QuantityList, e.ChildQuantityList = epcis.AggregationEvent, nil, e.QuantityList
		}, "must name its parent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := sample()
			c.break_(e)
			err := e.Validate()
			if err == nil || !strings.Contains(err.Error(), c.reason) {
				t.Fatalf("got %v, want an error containing %q", err, c.reason)
			}
			// The contract sees the same refusal through the decoder.
			if _, err := epcis.DecodeEvent(e.Encode()); err == nil {
				t.Fatal("DecodeEvent accepted what Validate refuses")
			}
		})
	}
}

func TestDecodeEventRefusesNonCanonicalBytes(t *testing.T) {
	enc := sample().Encode()
	if _, err := epcis.DecodeEvent(append(enc, 0)); err == nil || !strings.Contains(err.Error(), "trailing") {
		t.Fatalf("trailing byte: %v", err)
	}
	if _, err := epcis.DecodeEvent(enc[:len(enc)-1]); err == nil {
		t.Fatal("truncated event decoded")
	}
	// A decimal with a trailing zero (12.50) is not canonical.
	e := sample()
	e.QuantityList[0].Quantity = epcis.Decimal{Mant: 1250, Scale: 2}
	if _, err := epcis.DecodeEvent(e.Encode()); err == nil || !strings.Contains(err.Error(), "canonical") {
		t.Fatalf("non-canonical decimal: %v", err)
	}
}

func TestParseDecimal(t *testing.T) {
	for in, want := range map[string]string{"200": "200", "200.5": "200.5", "26.0": "26", "0.050": "0.05", "-3.25": "-3.25",
		"1e3": "1000", "2.5E-2": "0.025", "0": "0", "-0.0": "0", "9223372036854775807": "9223372036854775807"} {
		d, err := epcis.ParseDecimal(in)
		if err != nil || d.String() != want {
			t.Errorf("%s: got %v %v, want %s", in, d, err, want)
		}
	}
	for _, in := range []string{"1e-19", "9223372036854775808", "1e400", "abc", "1.", ".5", "--1"} {
		if _, err := epcis.ParseDecimal(in); err == nil {
			t.Errorf("%s parsed", in)
		}
	}
}

func TestDecimalRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := rapid.Int64().Draw(t, "mant")
		s := rapid.Uint8Range(0, epcis.MaxScale).Draw(t, "scale")
		for s > 0 && m%10 == 0 {
			m /= 10
			s--
		}
		if m == 0 {
			s = 0
		}
		d := epcis.Decimal{Mant: m, Scale: s}
		back, err := epcis.ParseDecimal(d.String())
		if err != nil || back != d {
			t.Fatalf("%+v -> %s -> %+v %v", d, d.String(), back, err)
		}
	})
}

// Any event the decoder accepts re-encodes to the same bytes: one encoding
// per event.
func TestEventEncodingIsCanonicalProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := sample()
		e.EventTime = rapid.Int64().Draw(t, "time")
		e.TimeZoneOffset = int16(rapid.IntRange(-840, 840).Draw(t, "tz"))
		e.BizStep = rapid.SampledFrom([]string{"", "shipping", "receiving", "https://example.org/step/x"}).Draw(t, "step")
		n := rapid.IntRange(1, 5).Draw(t, "lots")
		e.QuantityList = nil
		for i := 0; i < n; i++ {
			q := kg(lot(string(rune('A'+i))+rapid.StringMatching(`[A-Z0-9]{0,8}`).Draw(t, "lot")), "1")
			q.HasQuantity = rapid.Bool().Draw(t, "has")
			if !q.HasQuantity {
				q.Quantity, q.UOM = epcis.Decimal{}, ""
			}
			e.QuantityList = append(e.QuantityList, q)
		}
		enc := e.Encode()
		back, err := epcis.DecodeEvent(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back.Encode(), enc) {
			t.Fatal("re-encoding differs")
		}
	})
}

func TestDecodeDocumentErrors(t *testing.T) {
	const ctx = `"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]`
	doc := func(events string) []byte {
		return []byte(`{` + ctx + `,"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-01-01T00:00:00Z","epcisBody":{"eventList":[` + events + `]}}`)
	}
	const ok = `{"type":"ObjectEvent","action":"OBSERVE","eventTime":"2025-03-24T09:30:00+08:00","eventTimeZoneOffset":"+08:00","quantityList":[{"epcClass":"urn:epc:class:lgtin:6901234.056789.L1","quantity":2,"uom":"KGM"}]}`
	cases := []struct {
		name string
		doc  []byte
		code string
		text string
	}{
		{"not JSON", []byte(`{`), call.ErrEPCISInvalid, "not valid JSON"},
		{"duplicate field", []byte(`{"type":"EPCISDocument","type":"EPCISDocument"}`), call.ErrEPCISInvalid, "duplicate field"},
		{"remote context", []byte(`{"@context":"https://example.org/ctx","type":"EPCISDocument","epcisBody":{"eventList":[` + ok + `]}}`), call.ErrEPCISUnsupported, "remote @context"},
		{"master data", []byte(`{` + ctx + `,"type":"EPCISDocument","epcisHeader":{},"epcisBody":{"eventList":[]}}`), call.ErrEPCISUnsupported, "epcisHeader"},
		{"no events", doc(``), call.ErrEPCISInvalid, "no events"},
		{"unknown field", doc(strings.Replace(ok, `"action"`, `"actoin":"x","action"`, 1)), call.ErrEPCISInvalid, "actoin"},
		{"bad GTIN check digit", doc(strings.Replace(ok, `urn:epc:class:lgtin:6901234.056789.L1`, `https://id.gs1.org/01/06901234567891/10/L1`, 1)), call.ErrInvalidGTIN, "check digit"},
		{"null value", doc(strings.Replace(ok, `"action"`, `"ex:f":null,"action"`, 1)), call.ErrEPCISInvalid, "null"},
		{"time without zone", doc(strings.Replace(ok, `2025-03-24T09:30:00+08:00`, `2025-03-24T09:30:00`, 1)), call.ErrEPCISInvalid, "eventTime"},
		{"error declaration without eventID", doc(strings.Replace(ok, `"action"`, `"errorDeclaration":{"declarationTime":"2025-03-25T00:00:00Z"},"action"`, 1)), call.ErrEPCISInvalid, "named by its eventID"},
		{"quantity of a partial pattern", doc(strings.Replace(ok, `urn:epc:class:lgtin:6901234.056789.L1`, `urn:epc:idpat:sgtin:6901234.056789.7`, 1)), call.ErrEPCISUnsupported, "whole class"},
		{"number beyond 18 places", doc(strings.Replace(ok, `"quantity":2`, `"quantity":1e-30`, 1)), call.ErrEPCISUnsupported, "quantityList[0].quantity: 1e-30 is valid JSON but has more than 18 digits after the decimal point"},
		{"undeclared extension prefix", doc(strings.Replace(ok, `"action"`, `"ex:grade":"A","action"`, 1)), call.ErrEPCISPrefix, `prefix "ex" is not declared`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := epcis.Decode(c.doc, epcis.DecodeOptions{})
			if call.CodeOf(err) != c.code || !strings.Contains(err.Error(), c.text) {
				t.Fatalf("got %v, want %s containing %q", err, c.code, c.text)
			}
		})
	}
	if d, err := epcis.Decode(doc(ok), epcis.DecodeOptions{}); err != nil || d.Events[0].QuantityList[0].Class != lotOf("06901234567892", "L1") {
		t.Fatalf("the valid document: %v", err)
	}
}

func lotOf(g, l string) gs1.ObjectID { return gs1.ObjectID{Kind: gs1.Lot, Key: g, Ext: l} }

func TestPersonalDataBecomesCommitments(t *testing.T) {
	doc := []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"qian":"https://qianchain.org/ns/epcis/"}],
	"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-01-01T00:00:00Z","epcisBody":{"eventList":[
	{"type":"ObjectEvent","action":"ADD","eventTime":"2025-03-24T09:30:00+08:00","eventTimeZoneOffset":"+08:00",
	 "quantityList":[{"epcClass":"https://id.gs1.org/01/06901234567892/10/L1","quantity":120.5,"uom":"KGM"}],
	 "qian:personalData":{"farmerPhone":"13985400217","farmerName":"王秀英"}}]}}`)
	d, err := epcis.Decode(doc, epcis.DecodeOptions{Salt: bytes.NewReader(bytes.Repeat([]byte{7}, 64))})
	if err != nil {
		t.Fatal(err)
	}
	ev := d.Events[0]
	if len(ev.PersonalData) != 2 || ev.PersonalData[0].Field != "farmerName" || ev.PersonalData[1].Field != "farmerPhone" {
		t.Fatalf("commitments: %+v", ev.PersonalData)
	}
	if bytes.Contains(ev.Encode(), []byte("王秀英")) || bytes.Contains(ev.Encode(), []byte("13985400217")) {
		t.Fatal("personal data reached the payload in clear")
	}
	if len(d.Disclosures[0]) != 2 {
		t.Fatalf("disclosures: %+v", d.Disclosures)
	}
	if ev.Extensions.Kind != epcis.KindNull {
		t.Fatalf("personal data left as an extension: %+v", ev.Extensions)
	}
}
