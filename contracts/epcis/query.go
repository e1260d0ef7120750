package epcis

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/qianchain/qianchain/contracts/gs1"
)

// Recorded is an event as the chain recorded it, with its provenance.
type Recorded struct {
	Event      *Event
	Hash       [32]byte // the on-chain event hash (trace record hash)
	RecordTime int64    // block time, Unix nanoseconds
	Org        string   // recording organisation
	Height     uint64
	TxHash     [32]byte
	// Prev maps each object's URI to the hash of the previous event on it
	// (all zero for its first event), in the record's link order.
	Prev []PrevLink
	// Declared is set when a later event declared this one erroneous: the
	// export carries it as the event's errorDeclaration, as an EPCIS
	// repository returns a corrected event.
	Declared *Recorded
}

// PrevLink names the previous event on one object.
type PrevLink struct {
	Object string
	Prev   [32]byte
}

// QueryOptions fills the query document's header.
type QueryOptions struct {
	ID           string // document id (a URI); "" omits it
	QueryName    string // default "SimpleEventQuery"
	CreationDate int64  // Unix nanoseconds; the caller picks it (e.g. the latest block time)
}

// QueryDocument renders events as an EPCIS 2.0 EPCISQueryDocument (JSON-LD)
// that validates against the GS1 schema. The events are exactly as they
// were captured (EventJSON), so a client's CBV 2.0 event hash of an
// exported event equals that of the event it captured; the chain's
// provenance of each event is at the document level, in one
// qian:provenance object keyed by the event's Key (Provenance says what
// each entry holds).
func QueryDocument(events []Recorded, opt QueryOptions) []byte {
	if opt.QueryName == "" {
		opt.QueryName = "SimpleEventQuery"
	}
	ctx := Value{Kind: KindObject, Fields: []Field{{Name: QianPrefix, Value: StringValue(QianIRI)}}}
	list := Value{Kind: KindArray, Items: []Value{}}
	prov := obj()
	keys := map[string]bool{}
	for i := range events {
		r := &events[i]
		for _, f := range r.Event.Context.Fields {
			if ctx.Get(f.Name) == nil {
				ctx.Fields = append(ctx.Fields, f)
			}
		}
		list.Items = append(list.Items, EventJSON(r))
		key := r.Key()
		if keys[key] { // a declaration listed beside the event it declares shares its eventID
			key = r.hashKey()
		}
		keys[key] = true
		prov.add(key, Provenance(r, i))
	}
	doc := obj()
	doc.add("@context", Value{Kind: KindArray, Items: []Value{StringValue(StandardContext), ctx}})
	if opt.ID != "" {
		doc.add("id", StringValue(opt.ID))
	}
	doc.add("type", StringValue("EPCISQueryDocument"))
	doc.add("schemaVersion", StringValue("2.0"))
	doc.add("creationDate", StringValue(formatTime(opt.CreationDate, 0)))
	results := obj()
	results.add("queryName", StringValue(opt.QueryName))
	rb := obj()
	rb.add("eventList", list)
	results.add("resultsBody", rb.v)
	body := obj()
	body.add("queryResults", results.v)
	doc.add("epcisBody", body.v)
	doc.add(ProvenanceField, prov.v)
	raw, _ := doc.v.MarshalJSON()
	var out bytes.Buffer
	_ = json.Indent(&out, raw, "", "  ") // raw is valid JSON
	out.WriteByte('\n')
	return out.Bytes()
}

// ProvenanceField is the query document's field that holds the chain's
// provenance of its events.
const ProvenanceField = "qian:provenance"

// EventURNPrefix names an event the chain recorded without an eventID:
// urn:qian:event:{event hash}. It is the event's key in qian:provenance and
// the eventID an error declaration of the event gives (docs/traceability.md,
// Corrections).
const EventURNPrefix = "urn:qian:event:"

// Key is how a query document's qian:provenance names the event: its
// eventID, or urn:qian:event:{event hash} when it was captured without one
// (or when its eventID already names another event of the document: an
// error declaration listed beside the event it declares).
// (The CBV 2.0 event hash would let a client compute the key of an event
// without eventID itself, but only an implementation that follows GS1's
// normalisation rules bit for bit could promise that; the provenance entry
// carries qian:index, the event's place in the eventList, instead.)
func (r *Recorded) Key() string {
	if r.Event.EventID != "" {
		return r.Event.EventID
	}
	return r.hashKey()
}

func (r *Recorded) hashKey() string { return EventURNPrefix + hex.EncodeToString(r.Hash[:]) }

// Provenance is what the chain adds to a recorded event, as a
// qian:provenance entry: qian:index (the event's place in the eventList),
// qian:eventHash (the record hash), qian:recordedBy (the recording
// organisation), qian:block and qian:tx (where it was committed),
// qian:prev (for each object, the previous event on it: the hash chain a
// verifier follows), qian:sender and qian:receiver (the header of the
// document it was captured in, when it had one), and, for an event
// declared erroneous, qian:declaration: the same for the declaration
// (qian:declaredBy instead of qian:recordedBy).
func Provenance(r *Recorded, index int) Value {
	o := obj()
	o.add("qian:index", Value{Kind: KindNumber, Num: Decimal{Mant: int64(index)}})
	recordProvenance(o, r, "qian:recordedBy")
	o.str("qian:sender", r.Event.Header.Sender)
	o.str("qian:receiver", r.Event.Header.Receiver)
	if d := r.Declared; d != nil {
		do := obj()
		recordProvenance(do, d, "qian:declaredBy")
		o.add("qian:declaration", do.v)
	}
	return o.v
}

func recordProvenance(o *objBuilder, r *Recorded, by string) {
	o.str("qian:eventHash", hex.EncodeToString(r.Hash[:]))
	o.str(by, r.Org)
	if r.Height != 0 {
		o.add("qian:block", Value{Kind: KindNumber, Num: Decimal{Mant: int64(r.Height)}})
		o.str("qian:tx", hex.EncodeToString(r.TxHash[:]))
	}
	if len(r.Prev) > 0 {
		o.add("qian:prev", prevList(r.Prev))
	}
}

type objBuilder struct{ v Value }

func obj() *objBuilder { return &objBuilder{v: Value{Kind: KindObject, Fields: []Field{}}} }

func (o *objBuilder) add(name string, v Value) {
	o.v.Fields = append(o.v.Fields, Field{Name: name, Value: v})
}

func (o *objBuilder) str(name, s string) {
	if s != "" {
		o.add(name, StringValue(s))
	}
}

func formatTime(ns int64, offMin int16) string {
	t := time.Unix(0, ns).In(time.FixedZone("", int(offMin)*60))
	return t.Format(time.RFC3339Nano)
}

func formatOffset(m int16) string {
	sign := byte('+')
	if m < 0 {
		sign, m = '-', -m
	}
	return string([]byte{sign, byte('0' + m/600), byte('0' + m/60%10), ':', byte('0' + m%60/10), byte('0' + m%10)})
}

func objectList(os []gs1.ObjectID) Value {
	v := Value{Kind: KindArray, Items: []Value{}}
	for _, o := range os {
		v.Items = append(v.Items, StringValue(o.URI()))
	}
	return v
}

func quantityList(qs []Quantity) Value {
	v := Value{Kind: KindArray, Items: []Value{}}
	for _, q := range qs {
		e := obj()
		e.str("epcClass", q.Class.URI())
		if q.HasQuantity {
			e.add("quantity", Value{Kind: KindNumber, Num: q.Quantity})
		}
		e.str("uom", q.UOM)
		v.Items = append(v.Items, e.v)
	}
	return v
}

func stringList(ss []string) Value {
	v := Value{Kind: KindArray, Items: []Value{}}
	for _, s := range ss {
		v.Items = append(v.Items, StringValue(s))
	}
	return v
}

// EventJSON renders one recorded event as an EPCIS 2.0 JSON-LD event
// object, fields in the standard's order, exactly as it was captured
// (where EPCIS allows two forms, the captured one: see Form), with what an
// EPCIS repository adds to a captured event: its recordTime (the block
// time) and, when a later event declared it erroneous, that declaration's
// errorDeclaration. The chain's provenance is not in it: extension fields
// would change the event's CBV 2.0 hash (see Provenance).
func EventJSON(r *Recorded) Value {
	ev := r.Event
	o := obj()
	o.str("type", ev.Type.String())
	o.str("eventTime", formatTime(ev.EventTime, ev.TimeZoneOffset))
	o.str("eventTimeZoneOffset", formatOffset(ev.TimeZoneOffset))
	if r.RecordTime != 0 {
		o.str("recordTime", formatTime(r.RecordTime, 0))
	}
	o.str("eventID", ev.EventID)
	switch {
	case len(ev.CertificationInfo) == 1 && !ev.Form.CertificationList:
		o.str("certificationInfo", ev.CertificationInfo[0])
	case len(ev.CertificationInfo) > 0 || ev.Form.empty("certificationInfo"):
		o.add("certificationInfo", stringList(ev.CertificationInfo))
	}
	if ev.ParentID != nil {
		o.str("parentID", ev.ParentID.URI())
	}
	kept := func(name string, n int) bool { return n > 0 || ev.Form.empty(name) }
	lists := []struct {
		name string
		os   []gs1.ObjectID
		qs   []Quantity
		qty  bool
	}{
		{"epcList", ev.EPCList, nil, false}, {"childEPCs", ev.ChildEPCs, nil, false},
		{"inputEPCList", ev.InputEPCList, nil, false}, {"inputQuantityList", nil, ev.InputQuantityList, true},
		{"outputEPCList", ev.OutputEPCList, nil, false}, {"outputQuantityList", nil, ev.OutputQuantityList, true},
	}
	for _, l := range lists {
		switch {
		case l.qty && kept(l.name, len(l.qs)):
			o.add(l.name, quantityList(l.qs))
		case !l.qty && kept(l.name, len(l.os)):
			o.add(l.name, objectList(l.os))
		}
	}
	if ev.Action != NoAction {
		o.str("action", ev.Action.String())
	}
	o.str("transformationID", ev.TransformationID)
	o.str("bizStep", ev.BizStep)
	o.str("disposition", ev.Disposition)
	if len(ev.PersistentSet)+len(ev.PersistentUnset) > 0 {
		p := obj()
		if len(ev.PersistentSet) > 0 {
			p.add("set", stringList(ev.PersistentSet))
		}
		if len(ev.PersistentUnset) > 0 {
			p.add("unset", stringList(ev.PersistentUnset))
		}
		o.add("persistentDisposition", p.v)
	}
	if ev.ReadPoint != "" {
		p := obj()
		p.str("id", ev.ReadPoint)
		o.add("readPoint", p.v)
	}
	if ev.BizLocation != "" {
		p := obj()
		p.str("id", ev.BizLocation)
		o.add("bizLocation", p.v)
	}
	if kept("bizTransactionList", len(ev.BizTransactions)) {
		l := Value{Kind: KindArray, Items: []Value{}}
		for _, b := range ev.BizTransactions {
			e := obj()
			e.str("type", b.Type)
			e.str("bizTransaction", b.ID)
			l.Items = append(l.Items, e.v)
		}
		o.add("bizTransactionList", l)
	}
	for _, pl := range []struct {
		name, key string
		ps        []Party
	}{{"sourceList", "source", ev.Sources}, {"destinationList", "destination", ev.Destinations}} {
		if !kept(pl.name, len(pl.ps)) {
			continue
		}
		l := Value{Kind: KindArray, Items: []Value{}}
		for _, p := range pl.ps {
			e := obj()
			e.str("type", p.Type)
			e.str(pl.key, p.ID)
			l.Items = append(l.Items, e.v)
		}
		o.add(pl.name, l)
	}
	if kept("quantityList", len(ev.QuantityList)) {
		o.add("quantityList", quantityList(ev.QuantityList))
	}
	if kept("childQuantityList", len(ev.ChildQuantityList)) {
		o.add("childQuantityList", quantityList(ev.ChildQuantityList))
	}
	if kept("sensorElementList", len(ev.SensorElements)) {
		l := Value{Kind: KindArray, Items: []Value{}}
		for _, s := range ev.SensorElements {
			e := obj()
			if len(s.Metadata.Fields) > 0 {
				e.add("sensorMetadata", s.Metadata)
			}
			e.add("sensorReport", Value{Kind: KindArray, Items: s.Reports})
			e.v.Fields = append(e.v.Fields, s.Extra.Fields...)
			l.Items = append(l.Items, e.v)
		}
		o.add("sensorElementList", l)
	}
	if ev.ILMD.Kind == KindObject {
		o.add("ilmd", ev.ILMD)
	}
	switch {
	case r.Declared != nil && r.Declared.Event.ErrorDeclaration != nil:
		o.add("errorDeclaration", declarationJSON(r.Declared.Event.ErrorDeclaration))
	case ev.ErrorDeclaration != nil:
		o.add("errorDeclaration", declarationJSON(ev.ErrorDeclaration))
	}
	if ev.Extensions.Kind == KindObject {
		o.v.Fields = append(o.v.Fields, ev.Extensions.Fields...)
	}
	if len(ev.PersonalData) > 0 {
		c := obj()
		for _, p := range ev.PersonalData {
			c.str(p.Field, hex.EncodeToString(p.Hash[:]))
		}
		o.add(CommitmentsField, c.v)
	}
	return o.v
}

// empty reports whether list name was captured as [].
func (f Form) empty(name string) bool {
	for i, n := range FormLists {
		if n == name {
			return f.EmptyLists&(1<<i) != 0
		}
	}
	return false
}

// declarationJSON renders an errorDeclaration as it was captured.
func declarationJSON(d *ErrorDeclaration) Value {
	o := obj()
	o.str("declarationTime", formatTime(d.Time, d.TimeZoneOffset))
	o.str("reason", d.Reason)
	if len(d.CorrectiveIDs) > 0 {
		o.add("correctiveEventIDs", stringList(d.CorrectiveIDs))
	}
	if d.Extensions.Kind == KindObject {
		o.v.Fields = append(o.v.Fields, d.Extensions.Fields...)
	}
	return o.v
}

func prevList(ps []PrevLink) Value {
	l := Value{Kind: KindArray}
	for _, p := range ps {
		e := obj()
		e.str("qian:object", p.Object)
		e.str("qian:previous", hex.EncodeToString(p.Prev[:]))
		l.Items = append(l.Items, e.v)
	}
	return l
}
