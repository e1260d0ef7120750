// Package epcis is Qianchain's model of GS1 EPCIS 2.0 events (with CBV 2.0
// vocabulary): the canonical binary Event that a trace.capture transaction
// carries, the conversion of an EPCIS 2.0 JSON-LD document into Events
// (Decode, with precise reasons for what is refused), the conversion back
// into an EPCISQueryDocument (QueryDocument), and validation against the
// GS1 JSON schema (Schema), which runs in clients, never inside execution.
//
// Identifiers are recorded in one canonical form (gs1.ObjectID, Digital
// Link URIs on id.gs1.org); CBV terms in their short form ("shipping");
// times as Unix nanoseconds plus the event's time-zone offset; numbers as
// exact decimals. An Event therefore has exactly one encoding, and
// DecodeEvent rejects every other byte string.
package epcis

import (
	"fmt"

	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/gs1"
)

// EventType is the EPCIS event type.
type EventType uint8

const (
	ObjectEvent         EventType = 1
	AggregationEvent    EventType = 2
	TransformationEvent EventType = 3
	TransactionEvent    EventType = 4
	AssociationEvent    EventType = 5
)

func (t EventType) String() string {
	switch t {
	case ObjectEvent:
		return "ObjectEvent"
	case AggregationEvent:
		return "AggregationEvent"
	case TransformationEvent:
		return "TransformationEvent"
	case TransactionEvent:
		return "TransactionEvent"
	case AssociationEvent:
		return "AssociationEvent"
	}
	return fmt.Sprintf("EventType(%d)", uint8(t))
}

// Action is an EPCIS action; TransformationEvents have none.
type Action uint8

const (
	NoAction Action = 0
	Add      Action = 1
	Observe  Action = 2
	Delete   Action = 3
)

func (a Action) String() string {
	switch a {
	case Add:
		return "ADD"
	case Observe:
		return "OBSERVE"
	case Delete:
		return "DELETE"
	}
	return ""
}

// Quantity is a quantityElement: an amount of a lot (an LGTIN class).
type Quantity struct {
	Class       gs1.ObjectID // Kind == gs1.Lot
	HasQuantity bool
	Quantity    Decimal
	UOM         string // UN/CEFACT Rec. 20 code, e.g. "KGM"; "" when absent
}

// BizTransaction is a bizTransactionList entry.
type BizTransaction struct {
	Type string // CBV short name ("po") or a URI; "" when absent
	ID   string // URI
}

// Party is a sourceList or destinationList entry.
type Party struct {
	Type string // owning_party, possessing_party, location, or a URI
	ID   string // canonical GS1 URI when it is a GLN, else the URI as given
}

// SensorElement is a sensorElementList entry. Metadata and each report are
// JSON objects whose field names are the standard's (checked) or
// extensions; Extra holds the element's own extension fields.
type SensorElement struct {
	Metadata Value   // KindObject, possibly empty
	Reports  []Value // each KindObject with a "type" field
	Extra    Value   // KindObject, possibly empty
}

// ErrorDeclaration is EPCIS 2.0's errorDeclaration: the event that carries
// it is a re-capture of an earlier event (the same eventID), declaring that
// event erroneous. The earlier event stays recorded; the trace contract
// undoes its effect (docs/traceability.md, "Corrections").
type ErrorDeclaration struct {
	Time           int64  // declarationTime, Unix nanoseconds
	TimeZoneOffset int16  // of declarationTime as written, minutes east of UTC
	Reason         string // CBV short name (did_not_occur, incorrect_data) or a URI; "" when absent
	CorrectiveIDs  []string
	Extensions     Value // KindObject of extension fields, or KindNull
}

// Form records how a captured event was written where EPCIS allows two
// forms of the same content, so that the exported event is the captured
// one (and a CBV 2.0 event hash of both agrees). Bit i of EmptyLists set:
// list i of FormLists was present as [] in the capture.
type Form struct {
	EmptyLists uint32
	// CertificationList: certificationInfo was a list even with one entry.
	CertificationList bool
}

// FormLists names the lists whose empty form is kept, in bit order.
var FormLists = []string{"epcList", "quantityList", "childEPCs", "childQuantityList", "inputEPCList",
	"inputQuantityList", "outputEPCList", "outputQuantityList", "bizTransactionList", "sourceList",
	"destinationList", "sensorElementList", "certificationInfo"}

// Commitment is a salted SHA-256 commitment to a personal-data field (see
// package disclosure): the value itself never reaches the chain.
type Commitment struct {
	Field string
	Hash  [32]byte
}

// Event is one EPCIS 2.0 event as Qianchain records it.
type Event struct {
	Type           EventType
	EventTime      int64  // Unix nanoseconds
	TimeZoneOffset int16  // minutes east of UTC, within ±14:00
	EventID        string // the eventID the capturing client gave, or ""
	Action         Action

	BizStep            string // CBV short name or URI; "" when absent
	Disposition        string
	PersistentSet      []string // persistentDisposition.set
	PersistentUnset    []string // persistentDisposition.unset
	ReadPoint          string   // URI; "" when absent
	BizLocation        string
	EPCList            []gs1.ObjectID // items and containers (Object, Transaction)
	QuantityList       []Quantity     // lots (Object, Transaction)
	ParentID           *gs1.ObjectID  // Aggregation (required), Transaction (optional)
	ChildEPCs          []gs1.ObjectID // Aggregation
	ChildQuantityList  []Quantity
	InputEPCList       []gs1.ObjectID // Transformation
	InputQuantityList  []Quantity
	OutputEPCList      []gs1.ObjectID
	OutputQuantityList []Quantity
	TransformationID   string
	BizTransactions    []BizTransaction
	Sources            []Party
	Destinations       []Party
	SensorElements     []SensorElement
	CertificationInfo  []string // URIs, e.g. ni:///sha-256;{hex} of a certificate document
	ILMD               Value    // KindObject or KindNull (absent)
	Extensions         Value    // KindObject of extension fields, or KindNull
	Context            Value    // KindObject of @context entries the extensions need, or KindNull
	PersonalData       []Commitment
	ErrorDeclaration   *ErrorDeclaration
	Form               Form
	// Header is the header of the document the event was captured in
	// (sender, receiver), kept with each event so that it survives a
	// document split into several transactions and comes back out with
	// the event's provenance.
	Header Header
}

// Header is an EPCISDocument's header as captured: its sender and receiver
// (URIs, e.g. urn:epc:id:sgln:… or a party's Digital Link), recorded as
// written; "" when absent.
type Header struct {
	Sender   string
	Receiver string
}

// Limits per event.
const (
	MaxObjects       = 1000 // per list
	MaxListLen       = 100  // bizTransactions, sources, certifications, sensor elements, ...
	MaxURILen        = 1024
	MaxPersonalField = 32
)

// Encode returns the canonical encoding.
func (ev *Event) Encode() []byte {
	e := &codec.Encoder{Buf: make([]byte, 0, 256)}
	ev.encode(e)
	return e.Buf
}

func encodeObjects(e *codec.Encoder, os []gs1.ObjectID) {
	e.Count(len(os))
	for _, o := range os {
		encodeObject(e, o)
	}
}

func encodeObject(e *codec.Encoder, o gs1.ObjectID) {
	e.U8(uint8(o.Kind))
	e.String(o.Key)
	e.String(o.Ext)
}

func encodeQuantities(e *codec.Encoder, qs []Quantity) {
	e.Count(len(qs))
	for _, q := range qs {
		encodeObject(e, q.Class)
		e.Bool(q.HasQuantity)
		if q.HasQuantity {
			q.Quantity.encode(e)
		}
		e.String(q.UOM)
	}
}

func encodeStrings(e *codec.Encoder, ss []string) {
	e.Count(len(ss))
	for _, s := range ss {
		e.String(s)
	}
}

func encodeOptValue(e *codec.Encoder, v *Value) {
	if v.Kind == KindNull {
		e.Bool(false)
		return
	}
	e.Bool(true)
	v.encode(e)
}

func (ev *Event) encode(e *codec.Encoder) {
	e.U8(uint8(ev.Type))
	e.I64(ev.EventTime)
	e.U16(uint16(ev.TimeZoneOffset))
	e.String(ev.EventID)
	e.U8(uint8(ev.Action))
	e.String(ev.BizStep)
	e.String(ev.Disposition)
	encodeStrings(e, ev.PersistentSet)
	encodeStrings(e, ev.PersistentUnset)
	e.String(ev.ReadPoint)
	e.String(ev.BizLocation)
	encodeObjects(e, ev.EPCList)
	encodeQuantities(e, ev.QuantityList)
	if ev.ParentID == nil {
		e.Bool(false)
	} else {
		e.Bool(true)
		encodeObject(e, *ev.ParentID)
	}
	encodeObjects(e, ev.ChildEPCs)
	encodeQuantities(e, ev.ChildQuantityList)
	encodeObjects(e, ev.InputEPCList)
	encodeQuantities(e, ev.InputQuantityList)
	encodeObjects(e, ev.OutputEPCList)
	encodeQuantities(e, ev.OutputQuantityList)
	e.String(ev.TransformationID)
	e.Count(len(ev.BizTransactions))
	for _, b := range ev.BizTransactions {
		e.String(b.Type)
		e.String(b.ID)
	}
	for _, ps := range [][]Party{ev.Sources, ev.Destinations} {
		e.Count(len(ps))
		for _, p := range ps {
			e.String(p.Type)
			e.String(p.ID)
		}
	}
	e.Count(len(ev.SensorElements))
	for i := range ev.SensorElements {
		s := &ev.SensorElements[i]
		s.Metadata.encode(e)
		e.Count(len(s.Reports))
		for j := range s.Reports {
			s.Reports[j].encode(e)
		}
		s.Extra.encode(e)
	}
	encodeStrings(e, ev.CertificationInfo)
	encodeOptValue(e, &ev.ILMD)
	encodeOptValue(e, &ev.Extensions)
	encodeOptValue(e, &ev.Context)
	e.Count(len(ev.PersonalData))
	for _, c := range ev.PersonalData {
		e.String(c.Field)
		e.Fixed(c.Hash[:])
	}
	if d := ev.ErrorDeclaration; d == nil {
		e.Bool(false)
	} else {
		e.Bool(true)
		e.I64(d.Time)
		e.U16(uint16(d.TimeZoneOffset))
		e.String(d.Reason)
		encodeStrings(e, d.CorrectiveIDs)
		encodeOptValue(e, &d.Extensions)
	}
	e.U32(ev.Form.EmptyLists)
	e.Bool(ev.Form.CertificationList)
	e.String(ev.Header.Sender)
	e.String(ev.Header.Receiver)
}

// DecodeEvent decodes and validates the canonical encoding of an event. It
// is deterministic and cheap; it is what the trace contract runs on every
// capture payload.
func DecodeEvent(b []byte) (*Event, error) {
	d := codec.NewDecoder("epcis event", b)
	ev := decodeEvent(d)
	if err := d.Finish(); err != nil {
		return nil, err
	}
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	return ev, nil
}

func decodeObjects(d *codec.Decoder, field string) []gs1.ObjectID {
	n := d.Count(field, MaxObjects)
	var out []gs1.ObjectID
	for i := 0; i < n && d.Err() == nil; i++ {
		out = append(out, decodeObject(d, fmt.Sprintf("%s[%d]", field, i)))
	}
	return out
}

func decodeObject(d *codec.Decoder, field string) gs1.ObjectID {
	return gs1.ObjectID{
		Kind: gs1.Kind(d.U8(field + " kind")),
		Key:  d.String(field+" key", gs1.MaxKeyLen),
		Ext:  d.String(field+" attribute", 20),
	}
}

func decodeQuantities(d *codec.Decoder, field string) []Quantity {
	n := d.Count(field, MaxObjects)
	var out []Quantity
	for i := 0; i < n && d.Err() == nil; i++ {
		f := fmt.Sprintf("%s[%d]", field, i)
		q := Quantity{Class: decodeObject(d, f+" epcClass")}
		q.HasQuantity = d.Bool(f + " has quantity")
		if q.HasQuantity {
			q.Quantity = decodeDecimal(d, f+" quantity")
		}
		q.UOM = d.String(f+" uom", 3)
		out = append(out, q)
	}
	return out
}

func decodeStrings(d *codec.Decoder, field string, max, maxLen int) []string {
	n := d.Count(field, max)
	var out []string
	for i := 0; i < n && d.Err() == nil; i++ {
		out = append(out, d.String(fmt.Sprintf("%s[%d]", field, i), maxLen))
	}
	return out
}

func decodeOptValue(d *codec.Decoder, field string) Value {
	if !d.Bool(field + " present") {
		return Value{}
	}
	v := decodeValue(d, field, 1)
	if d.Err() == nil && v.Kind != KindObject {
		d.Fail(field, "must be a JSON object")
	}
	return v
}

func decodeEvent(d *codec.Decoder) *Event {
	ev := &Event{}
	ev.Type = EventType(d.U8("type"))
	ev.EventTime = d.I64("eventTime")
	ev.TimeZoneOffset = int16(d.U16("eventTimeZoneOffset"))
	ev.EventID = d.String("eventID", MaxURILen)
	ev.Action = Action(d.U8("action"))
	ev.BizStep = d.String("bizStep", MaxURILen)
	ev.Disposition = d.String("disposition", MaxURILen)
	ev.PersistentSet = decodeStrings(d, "persistentDisposition.set", MaxListLen, MaxURILen)
	ev.PersistentUnset = decodeStrings(d, "persistentDisposition.unset", MaxListLen, MaxURILen)
	ev.ReadPoint = d.String("readPoint", MaxURILen)
	ev.BizLocation = d.String("bizLocation", MaxURILen)
	ev.EPCList = decodeObjects(d, "epcList")
	ev.QuantityList = decodeQuantities(d, "quantityList")
	if d.Bool("parentID present") {
		p := decodeObject(d, "parentID")
		ev.ParentID = &p
	}
	ev.ChildEPCs = decodeObjects(d, "childEPCs")
	ev.ChildQuantityList = decodeQuantities(d, "childQuantityList")
	ev.InputEPCList = decodeObjects(d, "inputEPCList")
	ev.InputQuantityList = decodeQuantities(d, "inputQuantityList")
	ev.OutputEPCList = decodeObjects(d, "outputEPCList")
	ev.OutputQuantityList = decodeQuantities(d, "outputQuantityList")
	ev.TransformationID = d.String("transformationID", MaxURILen)
	n := d.Count("bizTransactionList", MaxListLen)
	for i := 0; i < n && d.Err() == nil; i++ {
		f := fmt.Sprintf("bizTransactionList[%d]", i)
		ev.BizTransactions = append(ev.BizTransactions, BizTransaction{Type: d.String(f+".type", MaxURILen), ID: d.String(f+".bizTransaction", MaxURILen)})
	}
	for _, name := range []string{"sourceList", "destinationList"} {
		n := d.Count(name, MaxListLen)
		var ps []Party
		for i := 0; i < n && d.Err() == nil; i++ {
			f := fmt.Sprintf("%s[%d]", name, i)
			ps = append(ps, Party{Type: d.String(f+".type", MaxURILen), ID: d.String(f+".id", MaxURILen)})
		}
		if name == "sourceList" {
			ev.Sources = ps
		} else {
			ev.Destinations = ps
		}
	}
	n = d.Count("sensorElementList", MaxListLen)
	for i := 0; i < n && d.Err() == nil; i++ {
		f := fmt.Sprintf("sensorElementList[%d]", i)
		var s SensorElement
		s.Metadata = decodeValue(d, f+".sensorMetadata", 2)
		m := d.Count(f+".sensorReport", MaxListLen)
		for j := 0; j < m && d.Err() == nil; j++ {
			s.Reports = append(s.Reports, decodeValue(d, fmt.Sprintf("%s.sensorReport[%d]", f, j), 2))
		}
		s.Extra = decodeValue(d, f+" extensions", 2)
		ev.SensorElements = append(ev.SensorElements, s)
	}
	ev.CertificationInfo = decodeStrings(d, "certificationInfo", MaxListLen, MaxURILen)
	ev.ILMD = decodeOptValue(d, "ilmd")
	ev.Extensions = decodeOptValue(d, "extensions")
	ev.Context = decodeOptValue(d, "@context")
	n = d.Count("personalData", MaxListLen)
	for i := 0; i < n && d.Err() == nil; i++ {
		f := fmt.Sprintf("personalData[%d]", i)
		c := Commitment{Field: d.String(f+".field", MaxPersonalField)}
		d.Fixed(f+".hash", c.Hash[:])
		ev.PersonalData = append(ev.PersonalData, c)
	}
	if d.Bool("errorDeclaration present") {
		ed := &ErrorDeclaration{}
		ed.Time = d.I64("errorDeclaration.declarationTime")
		ed.TimeZoneOffset = int16(d.U16("errorDeclaration time zone"))
		ed.Reason = d.String("errorDeclaration.reason", MaxURILen)
		ed.CorrectiveIDs = decodeStrings(d, "errorDeclaration.correctiveEventIDs", MaxListLen, MaxURILen)
		ed.Extensions = decodeOptValue(d, "errorDeclaration extensions")
		ev.ErrorDeclaration = ed
	}
	ev.Form.EmptyLists = d.U32("form.emptyLists")
	ev.Form.CertificationList = d.Bool("form.certificationList")
	ev.Header.Sender = d.String("header.sender", MaxURILen)
	ev.Header.Receiver = d.String("header.receiver", MaxURILen)
	return ev
}
