package epcis

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/disclosure"
	"github.com/qianchain/qianchain/contracts/gs1"
)

// Namespace of Qianchain's own EPCIS extension fields.
const (
	QianPrefix = "qian"
	QianIRI    = "https://qianchain.org/ns/epcis/"
	// PersonalDataField, in a captured event, holds personal data in
	// clear: {"farmerName": "王建国"}. Decode replaces it by salted
	// commitments and returns the disclosures to the caller.
	PersonalDataField = "qian:personalData"
	// CommitmentsField holds commitments: {"farmerName": "<64 hex>"}. It is
	// how query documents show personal data, and a client that computed
	// commitments itself may submit it.
	CommitmentsField = "qian:commitments"
)

// DecodeOptions tunes Decode.
type DecodeOptions struct {
	// Salt is read for each personal-data field's salt; nil means
	// crypto/rand. Tests pass a deterministic reader.
	Salt io.Reader
}

// Decoded is the result of Decode: the events in document order and the
// disclosures of the personal data they commit to, which the caller keeps
// off chain.
type Decoded struct {
	Events      []*Event
	Disclosures [][]disclosure.Disclosure // per event
}

// Decode converts an EPCIS 2.0 JSON-LD document (an EPCISDocument, or an
// EPCISQueryDocument's results) into canonical events. Every event is
// validated as the trace contract will validate it. It does not check the
// GS1 JSON schema (see Schema) nor anything that needs the chain's state
// (prefix ownership, custody).
//
// Errors are *call.Error: ERR_EPCIS_INVALID for a malformed document,
// ERR_INVALID_GTIN for a malformed GS1 key, ERR_EPCIS_UNSUPPORTED for valid
// EPCIS that Qianchain does not record; the sentence names the event and the
// field.
func Decode(doc []byte, opt DecodeOptions) (*Decoded, error) {
	root, err := ParseJSON(doc)
	if err != nil {
		var ne *NumberError
		if errors.As(err, &ne) {
			return nil, call.Errorf(call.ErrEPCISUnsupported, "%v", ne)
		}
		return nil, call.Errorf(call.ErrEPCISInvalid, "the document is not valid JSON: %v", err)
	}
	if root.Kind != KindObject {
		return nil, call.Errorf(call.ErrEPCISInvalid, "the document is not a JSON object")
	}
	typ := root.Get("type")
	var events *Value
	var header Header // an EPCISDocument's sender and receiver, kept with each event
	switch {
	case typ == nil || typ.Kind != KindString:
		return nil, call.Errorf(call.ErrEPCISInvalid, "the document has no type")
	case typ.Str == "EPCISDocument":
		if h := root.Get("epcisHeader"); h != nil {
			return nil, call.Errorf(call.ErrEPCISUnsupported, "epcisHeader (master data) is not recorded on chain; capture the events without it")
		}
		events = path(&root, "epcisBody", "eventList")
		for _, f := range []struct {
			name string
			to   *string
		}{{"sender", &header.Sender}, {"receiver", &header.Receiver}} {
			if v := root.Get(f.name); v != nil {
				if v.Kind != KindString || !validURI(v.Str) {
					return nil, call.Errorf(call.ErrEPCISInvalid, "the document's %s must be a URI of at most %d bytes", f.name, MaxURILen)
				}
				*f.to = v.Str
			}
		}
	case typ.Str == "EPCISQueryDocument":
		events = path(&root, "epcisBody", "queryResults", "resultsBody", "eventList")
	default:
		return nil, call.Errorf(call.ErrEPCISInvalid, "document type %q is neither EPCISDocument nor EPCISQueryDocument", typ.Str)
	}
	if v := root.Get("schemaVersion"); v != nil && (v.Kind != KindString || !strings.HasPrefix(v.Str, "2.")) {
		return nil, call.Errorf(call.ErrEPCISUnsupported, "schemaVersion must be 2.x (EPCIS 2.0)")
	}
	if events == nil || events.Kind != KindArray {
		return nil, call.Errorf(call.ErrEPCISInvalid, "the document has no event list")
	}
	ctx, err := documentContext(root.Get("@context"))
	if err != nil {
		return nil, err
	}
	out := &Decoded{}
	for i := range events.Items {
		ev, ds, err := decodeJSONEvent(&events.Items[i], ctx, opt)
		if err != nil {
			who := fmt.Sprintf("event %d", i)
			if id := events.Items[i].Get("eventID"); id != nil && id.Kind == KindString {
				who += " (" + id.Str + ")"
			}
			var ce *call.Error
			if errors.As(err, &ce) {
				return nil, call.Errorf(ce.Code, "%s: %s", who, ce.Message)
			}
			return nil, call.Errorf(call.ErrEPCISInvalid, "%s: %v", who, err)
		}
		ev.Header = header
		out.Events = append(out.Events, ev)
		out.Disclosures = append(out.Disclosures, ds)
	}
	if len(out.Events) == 0 {
		return nil, call.Errorf(call.ErrEPCISInvalid, "the document has no events")
	}
	return out, nil
}

func path(v *Value, names ...string) *Value {
	for _, n := range names {
		if v == nil || v.Kind != KindObject {
			return nil
		}
		v = v.Get(n)
	}
	return v
}

// documentContext checks that @context names the EPCIS 2.0 context and
// returns the inline entries (prefix declarations, term definitions) that
// extension fields rely on.
func documentContext(c *Value) (Value, error) {
	merged := Value{Kind: KindObject}
	if c == nil {
		return merged, call.Errorf(call.ErrEPCISInvalid, "@context is missing; it must name %s", StandardContext)
	}
	items := []Value{*c}
	if c.Kind == KindArray {
		items = c.Items
	}
	std := false
	for _, it := range items {
		switch it.Kind {
		case KindString:
			if it.Str != StandardContext {
				return merged, call.Errorf(call.ErrEPCISUnsupported, "remote @context %q cannot be resolved on chain; declare prefixes inline", it.Str)
			}
			std = true
		case KindObject:
			for _, f := range it.Fields {
				if merged.Get(f.Name) != nil {
					return merged, call.Errorf(call.ErrEPCISInvalid, "@context declares %q twice", f.Name)
				}
				if f.Value.Kind != KindString && f.Value.Kind != KindObject {
					return merged, call.Errorf(call.ErrEPCISUnsupported, "@context entry %q must be an IRI or a term definition", f.Name)
				}
				merged.Fields = append(merged.Fields, f)
			}
		default:
			return merged, call.Errorf(call.ErrEPCISInvalid, "@context entries are IRIs or objects")
		}
	}
	if !std {
		return merged, call.Errorf(call.ErrEPCISInvalid, "@context must name %s", StandardContext)
	}
	merged.sortFields()
	return merged, nil
}

var eventTypes = map[string]EventType{
	"ObjectEvent": ObjectEvent, "AggregationEvent": AggregationEvent,
	"TransformationEvent": TransformationEvent, "TransactionEvent": TransactionEvent, "AssociationEvent": AssociationEvent,
}

func fieldErr(code, field, format string, args ...any) error {
	return call.Errorf(code, "%s: %s", field, fmt.Sprintf(format, args...))
}

func decodeJSONEvent(j *Value, docCtx Value, opt DecodeOptions) (*Event, []disclosure.Disclosure, error) {
	if j.Kind != KindObject {
		return nil, nil, fieldErr(call.ErrEPCISInvalid, "event", "is not an object")
	}
	ev := &Event{}
	var ds []disclosure.Disclosure
	tv := j.Get("type")
	if tv == nil || tv.Kind != KindString {
		return nil, nil, fieldErr(call.ErrEPCISInvalid, "type", "missing")
	}
	t, ok := eventTypes[tv.Str]
	if !ok {
		return nil, nil, fieldErr(call.ErrEPCISUnsupported, "type", "event type %q is not an EPCIS 2.0 event type (ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent, AssociationEvent)", tv.Str)
	}
	ev.Type = t
	ext := Value{Kind: KindObject}
	for _, f := range j.Fields {
		v := &f.Value
		var err error
		switch f.Name {
		case "type", "recordTime", "qian:eventHash", "qian:recordedBy", "qian:block", "qian:tx", "qian:prev":
			// recordTime is set by the capturing system: the block time.
			// Exports carry the chain's provenance at the document level
			// (qian:provenance, which Decode never reads); exports made
			// before that carried these qian: fields in each event, and a
			// re-captured one (an error declaration) drops them.
		case "@context":
			c, cerr := documentContext(&Value{Kind: KindArray, Items: append([]Value{StringValue(StandardContext)}, contextItems(v)...)})
			if cerr != nil {
				return nil, nil, cerr
			}
			docCtx = mergeContext(docCtx, c)
		case "eventTime":
			ev.EventTime, err = parseTime(f.Name, v)
		case "eventTimeZoneOffset":
			ev.TimeZoneOffset, err = parseOffset(v)
		case "eventID":
			ev.EventID, err = str(f.Name, v)
		case "certificationInfo":
			ev.CertificationInfo, err = strOrList(f.Name, v)
			ev.Form.CertificationList = v.Kind == KindArray && len(v.Items) == 1
		case "errorDeclaration":
			ev.ErrorDeclaration, err = parseErrorDeclaration(v)
		case "action":
			ev.Action, err = parseAction(v)
		case "bizStep":
			ev.BizStep, err = vocab(f.Name, v, "bizstep", "BizStep-")
		case "disposition":
			ev.Disposition, err = vocab(f.Name, v, "disp", "Disp-")
		case "persistentDisposition":
			err = parsePersistent(v, ev)
		case "readPoint", "bizLocation":
			var id string
			id, err = parseLocationObject(f.Name, v)
			if f.Name == "readPoint" {
				ev.ReadPoint = id
			} else {
				ev.BizLocation = id
			}
		case "epcList", "childEPCs", "inputEPCList", "outputEPCList":
			var os []gs1.ObjectID
			os, err = parseObjects(f.Name, v)
			switch f.Name {
			case "epcList":
				ev.EPCList = os
			case "childEPCs":
				ev.ChildEPCs = os
			case "inputEPCList":
				ev.InputEPCList = os
			default:
				ev.OutputEPCList = os
			}
		case "quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList":
			var qs []Quantity
			qs, err = parseQuantities(f.Name, v)
			switch f.Name {
			case "quantityList":
				ev.QuantityList = qs
			case "childQuantityList":
				ev.ChildQuantityList = qs
			case "inputQuantityList":
				ev.InputQuantityList = qs
			default:
				ev.OutputQuantityList = qs
			}
		case "parentID":
			var s string
			if s, err = str(f.Name, v); err == nil {
				var o gs1.ObjectID
				o, err = parseObject(f.Name, s)
				ev.ParentID = &o
			}
		case "transformationID":
			ev.TransformationID, err = str(f.Name, v)
		case "bizTransactionList":
			ev.BizTransactions, err = parseBizTransactions(v)
		case "sourceList", "destinationList":
			var ps []Party
			ps, err = parseParties(f.Name, v)
			if f.Name == "sourceList" {
				ev.Sources = ps
			} else {
				ev.Destinations = ps
			}
		case "sensorElementList":
			ev.SensorElements, err = parseSensors(v)
		case "ilmd":
			if v.Kind != KindObject {
				err = fieldErr(call.ErrEPCISInvalid, f.Name, "must be an object")
			} else {
				ev.ILMD = *v
			}
		case PersonalDataField:
			ds, err = commitPersonal(v, ev, opt)
		case CommitmentsField:
			err = parseCommitments(v, ev)
		default:
			if !isExtensionName(f.Name) {
				return nil, nil, fieldErr(call.ErrEPCISInvalid, f.Name, "is not a field of an EPCIS 2.0 %s (extension fields are named prefix:name)", tv.Str)
			}
			ext.Fields = append(ext.Fields, f)
		}
		if err != nil {
			return nil, nil, err
		}
		if v.Kind == KindArray && len(v.Items) == 0 {
			for i, name := range FormLists {
				if name == f.Name {
					ev.Form.EmptyLists |= 1 << i
				}
			}
		}
	}
	if j.Get("eventTime") == nil || j.Get("eventTimeZoneOffset") == nil {
		return nil, nil, fieldErr(call.ErrEPCISInvalid, "eventTime", "eventTime and eventTimeZoneOffset are required")
	}
	if len(ext.Fields) > 0 {
		ev.Extensions = ext
	}
	if ev.ILMD.Kind == KindObject || ev.Extensions.Kind == KindObject || sensorExtensions(ev) ||
		(ev.ErrorDeclaration != nil && ev.ErrorDeclaration.Extensions.Kind == KindObject) {
		if len(docCtx.Fields) > 0 {
			ev.Context = docCtx
		}
	}
	for _, v := range []*Value{&ev.ILMD, &ev.Extensions, &ev.Context} {
		if v.Kind == KindObject {
			v.sortFields()
		}
	}
	if err := ev.Validate(); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) && ve.Key {
			return nil, nil, call.Errorf(call.ErrInvalidGTIN, "%v", err)
		}
		if errors.As(err, &ve) && ve.Prefix {
			return nil, nil, call.Errorf(call.ErrEPCISPrefix, "%v", err)
		}
		return nil, nil, call.Errorf(call.ErrEPCISInvalid, "%v", err)
	}
	return ev, ds, nil
}

func contextItems(v *Value) []Value {
	if v.Kind == KindArray {
		return v.Items
	}
	return []Value{*v}
}

func mergeContext(a, b Value) Value {
	out := Value{Kind: KindObject, Fields: append([]Field(nil), a.Fields...)}
	for _, f := range b.Fields {
		if out.Get(f.Name) == nil {
			out.Fields = append(out.Fields, f)
		}
	}
	out.sortFields()
	return out
}

func sensorExtensions(ev *Event) bool {
	for _, s := range ev.SensorElements {
		if len(s.Extra.Fields) > 0 {
			return true
		}
		for _, o := range append([]Value{s.Metadata}, s.Reports...) {
			for _, f := range o.Fields {
				if isExtensionName(f.Name) {
					return true
				}
			}
		}
	}
	return false
}

func str(field string, v *Value) (string, error) {
	if v.Kind != KindString {
		return "", fieldErr(call.ErrEPCISInvalid, field, "must be a string")
	}
	return v.Str, nil
}

func strOrList(field string, v *Value) ([]string, error) {
	if v.Kind == KindString {
		return []string{v.Str}, nil
	}
	if v.Kind != KindArray {
		return nil, fieldErr(call.ErrEPCISInvalid, field, "must be a string or a list of strings")
	}
	var out []string
	for i := range v.Items {
		s, err := str(fmt.Sprintf("%s[%d]", field, i), &v.Items[i])
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// parseTime reads an xsd:dateTime with offset into Unix nanoseconds.
func parseTime(field string, v *Value) (int64, error) {
	s, err := str(field, v)
	if err != nil {
		return 0, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fieldErr(call.ErrEPCISInvalid, field, "%q is not a date-time with offset (RFC 3339)", s)
	}
	if y := t.UTC().Year(); y < 1678 || y > 2261 {
		return 0, fieldErr(call.ErrEPCISUnsupported, field, "%q is outside the years 1678-2261 that a Unix nanosecond time holds", s)
	}
	return t.UnixNano(), nil
}

func parseOffset(v *Value) (int16, error) {
	const f = "eventTimeZoneOffset"
	s, err := str(f, v)
	if err != nil {
		return 0, err
	}
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !isDigits(s[1:3]) || !isDigits(s[4:]) {
		return 0, fieldErr(call.ErrEPCISInvalid, f, "%q is not ±hh:mm", s)
	}
	m := int16((s[1]-'0')*10+(s[2]-'0'))*60 + int16((s[4]-'0')*10+(s[5]-'0'))
	if m > 14*60 || s[4] > '5' {
		return 0, fieldErr(call.ErrEPCISInvalid, f, "%q is outside ±14:00", s)
	}
	if s[0] == '-' {
		m = -m
	}
	return m, nil
}

func parseAction(v *Value) (Action, error) {
	s, err := str("action", v)
	if err != nil {
		return 0, err
	}
	switch s {
	case "ADD":
		return Add, nil
	case "OBSERVE":
		return Observe, nil
	case "DELETE":
		return Delete, nil
	}
	return 0, fieldErr(call.ErrEPCISInvalid, "action", "%q is not ADD, OBSERVE or DELETE", s)
}

// vocab reads a CBV term, turning its URI forms (urn:epcglobal:cbv:bizstep:x,
// https://ref.gs1.org/cbv/BizStep-x) into the short name.
func vocab(field string, v *Value, urn, web string) (string, error) {
	s, err := str(field, v)
	if err != nil {
		return "", err
	}
	if t, ok := strings.CutPrefix(s, "urn:epcglobal:cbv:"+urn+":"); ok {
		return t, nil
	}
	if t, ok := strings.CutPrefix(s, "https://ref.gs1.org/cbv/"+web); ok {
		return t, nil
	}
	return s, nil
}

func parsePersistent(v *Value, ev *Event) error {
	const f = "persistentDisposition"
	if v.Kind != KindObject {
		return fieldErr(call.ErrEPCISInvalid, f, "must be an object")
	}
	for _, m := range v.Fields {
		var list []string
		var err error
		if m.Value.Kind != KindArray {
			return fieldErr(call.ErrEPCISInvalid, f+"."+m.Name, "must be a list")
		}
		for i := range m.Value.Items {
			s, e := vocab(fmt.Sprintf("%s.%s[%d]", f, m.Name, i), &m.Value.Items[i], "disp", "Disp-")
			if e != nil {
				return e
			}
			list = append(list, s)
		}
		switch m.Name {
		case "set":
			ev.PersistentSet = list
		case "unset":
			ev.PersistentUnset = list
		default:
			err = fieldErr(call.ErrEPCISInvalid, f+"."+m.Name, "only set and unset are allowed")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func parseLocationObject(field string, v *Value) (string, error) {
	if v.Kind != KindObject {
		return "", fieldErr(call.ErrEPCISInvalid, field, "must be an object with an id")
	}
	for _, m := range v.Fields {
		if m.Name != "id" {
			return "", fieldErr(call.ErrEPCISUnsupported, field+"."+m.Name, "extension fields of a %s are not recorded", field)
		}
	}
	idv := v.Get("id")
	if idv == nil {
		return "", fieldErr(call.ErrEPCISInvalid, field, "has no id")
	}
	s, err := str(field+".id", idv)
	if err != nil {
		return "", err
	}
	return canonical(field+".id", s)
}

func canonical(field, s string) (string, error) {
	if !validURI(s) {
		return "", fieldErr(call.ErrEPCISInvalid, field, "%q is not a URI", s)
	}
	c, err := CanonicalIdentifier(s)
	if err != nil {
		return "", idError(field, err)
	}
	return c, nil
}

func idError(field string, err error) error {
	var ke *gs1.KeyError
	if errors.As(err, &ke) {
		return fieldErr(call.ErrInvalidGTIN, field, "%v", err)
	}
	if errors.Is(err, gs1.ErrNotGS1) {
		return fieldErr(call.ErrEPCISUnsupported, field, "%v", err)
	}
	return fieldErr(call.ErrEPCISInvalid, field, "%v", err)
}

func parseObject(field, s string) (gs1.ObjectID, error) {
	o, err := gs1.ParseObjectID(s)
	if err != nil {
		return gs1.ObjectID{}, idError(field, err)
	}
	return o, nil
}

func parseObjects(field string, v *Value) ([]gs1.ObjectID, error) {
	if v.Kind != KindArray {
		return nil, fieldErr(call.ErrEPCISInvalid, field, "must be a list")
	}
	var out []gs1.ObjectID
	for i := range v.Items {
		f := fmt.Sprintf("%s[%d]", field, i)
		s, err := str(f, &v.Items[i])
		if err != nil {
			return nil, err
		}
		o, err := parseObject(f, s)
		if err != nil {
			return nil, err
		}
		if o.Kind == gs1.Lot || o.Kind == gs1.Class {
			return nil, fieldErr(call.ErrEPCISInvalid, f, "%s is a class (a %s); list it in a quantity list", s, o.Kind)
		}
		out = append(out, o)
	}
	return out, nil
}

func parseQuantities(field string, v *Value) ([]Quantity, error) {
	if v.Kind != KindArray {
		return nil, fieldErr(call.ErrEPCISInvalid, field, "must be a list")
	}
	var out []Quantity
	for i := range v.Items {
		f := fmt.Sprintf("%s[%d]", field, i)
		it := &v.Items[i]
		if it.Kind != KindObject {
			return nil, fieldErr(call.ErrEPCISInvalid, f, "must be an object")
		}
		var q Quantity
		for _, m := range it.Fields {
			switch m.Name {
			case "epcClass":
				s, err := str(f+".epcClass", &m.Value)
				if err != nil {
					return nil, err
				}
				if q.Class, err = parseObject(f+".epcClass", s); err != nil {
					return nil, err
				}
				if q.Class.Kind != gs1.Lot && q.Class.Kind != gs1.Class {
					return nil, fieldErr(call.ErrEPCISInvalid, f+".epcClass", "%s is an instance (a %s), not a class; list it in an EPC list", s, q.Class.Kind)
				}
			case "quantity":
				if m.Value.Kind != KindNumber {
					return nil, fieldErr(call.ErrEPCISInvalid, f+".quantity", "must be a number")
				}
				if m.Value.Num.Mant < 0 {
					return nil, fieldErr(call.ErrEPCISInvalid, f+".quantity", "%s is negative; EPCIS quantities are zero or more", m.Value.Num)
				}
				q.HasQuantity, q.Quantity = true, m.Value.Num
			case "uom":
				s, err := str(f+".uom", &m.Value)
				if err != nil {
					return nil, err
				}
				q.UOM = s
			default:
				return nil, fieldErr(call.ErrEPCISInvalid, f+"."+m.Name, "a quantity element has only epcClass, quantity and uom")
			}
		}
		if q.Class.Key == "" {
			return nil, fieldErr(call.ErrEPCISInvalid, f, "has no epcClass")
		}
		out = append(out, q)
	}
	return out, nil
}

func parseBizTransactions(v *Value) ([]BizTransaction, error) {
	const field = "bizTransactionList"
	if v.Kind != KindArray {
		return nil, fieldErr(call.ErrEPCISInvalid, field, "must be a list")
	}
	var out []BizTransaction
	for i := range v.Items {
		f := fmt.Sprintf("%s[%d]", field, i)
		it := &v.Items[i]
		if it.Kind != KindObject {
			return nil, fieldErr(call.ErrEPCISInvalid, f, "must be an object")
		}
		var b BizTransaction
		for _, m := range it.Fields {
			var err error
			switch m.Name {
			case "type":
				b.Type, err = vocab(f+".type", &m.Value, "btt", "BTT-")
			case "bizTransaction":
				b.ID, err = str(f+".bizTransaction", &m.Value)
			default:
				err = fieldErr(call.ErrEPCISInvalid, f+"."+m.Name, "a business transaction has only type and bizTransaction")
			}
			if err != nil {
				return nil, err
			}
		}
		out = append(out, b)
	}
	return out, nil
}

func parseParties(field string, v *Value) ([]Party, error) {
	key := strings.TrimSuffix(field, "List") // "source" or "destination"
	if v.Kind != KindArray {
		return nil, fieldErr(call.ErrEPCISInvalid, field, "must be a list")
	}
	var out []Party
	for i := range v.Items {
		f := fmt.Sprintf("%s[%d]", field, i)
		it := &v.Items[i]
		if it.Kind != KindObject {
			return nil, fieldErr(call.ErrEPCISInvalid, f, "must be an object")
		}
		var p Party
		for _, m := range it.Fields {
			var err error
			switch m.Name {
			case "type":
				p.Type, err = vocab(f+".type", &m.Value, "sdt", "SDT-")
			case key:
				var s string
				if s, err = str(f+"."+key, &m.Value); err == nil {
					p.ID, err = canonical(f+"."+key, s)
				}
			default:
				err = fieldErr(call.ErrEPCISInvalid, f+"."+m.Name, "has only type and %s", key)
			}
			if err != nil {
				return nil, err
			}
		}
		out = append(out, p)
	}
	return out, nil
}

func parseSensors(v *Value) ([]SensorElement, error) {
	const field = "sensorElementList"
	if v.Kind != KindArray {
		return nil, fieldErr(call.ErrEPCISInvalid, field, "must be a list")
	}
	var out []SensorElement
	for i := range v.Items {
		f := fmt.Sprintf("%s[%d]", field, i)
		it := &v.Items[i]
		if it.Kind != KindObject {
			return nil, fieldErr(call.ErrEPCISInvalid, f, "must be an object")
		}
		s := SensorElement{Metadata: Value{Kind: KindObject}, Extra: Value{Kind: KindObject}}
		for _, m := range it.Fields {
			switch m.Name {
			case "sensorMetadata":
				if m.Value.Kind != KindObject {
					return nil, fieldErr(call.ErrEPCISInvalid, f+".sensorMetadata", "must be an object")
				}
				s.Metadata = m.Value
			case "sensorReport":
				if m.Value.Kind != KindArray {
					return nil, fieldErr(call.ErrEPCISInvalid, f+".sensorReport", "must be a list")
				}
				s.Reports = m.Value.Items
			default:
				if !isExtensionName(m.Name) {
					return nil, fieldErr(call.ErrEPCISInvalid, f+"."+m.Name, "is not a field of a sensor element")
				}
				s.Extra.Fields = append(s.Extra.Fields, m)
			}
		}
		s.Metadata.sortFields()
		s.Extra.sortFields()
		for j := range s.Reports {
			s.Reports[j].sortFields()
		}
		out = append(out, s)
	}
	return out, nil
}

func commitPersonal(v *Value, ev *Event, opt DecodeOptions) ([]disclosure.Disclosure, error) {
	if v.Kind != KindObject {
		return nil, fieldErr(call.ErrEPCISInvalid, PersonalDataField, "must be an object of field names and values")
	}
	fields := append([]Field(nil), v.Fields...)
	(&Value{Kind: KindObject, Fields: fields}).sortFields()
	var ds []disclosure.Disclosure
	for _, f := range fields {
		if f.Value.Kind != KindString || !validFieldName(f.Name) {
			return nil, fieldErr(call.ErrEPCISInvalid, PersonalDataField+"."+f.Name, "personal data fields are named [A-Za-z0-9_]{1,32} and hold strings")
		}
		d, c, err := disclosure.New(f.Name, f.Value.Str, opt.Salt)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
		ev.PersonalData = append(ev.PersonalData, Commitment{Field: f.Name, Hash: c})
	}
	sortCommitments(ev.PersonalData)
	return ds, nil
}

func parseCommitments(v *Value, ev *Event) error {
	if v.Kind != KindObject {
		return fieldErr(call.ErrEPCISInvalid, CommitmentsField, "must be an object of field names and hex commitments")
	}
	for _, f := range v.Fields {
		b, err := hex.DecodeString(f.Value.Str)
		if f.Value.Kind != KindString || err != nil || len(b) != 32 {
			return fieldErr(call.ErrEPCISInvalid, CommitmentsField+"."+f.Name, "must be 64 hex digits")
		}
		var c Commitment
		c.Field = f.Name
		copy(c.Hash[:], b)
		ev.PersonalData = append(ev.PersonalData, c)
	}
	sortCommitments(ev.PersonalData)
	return nil
}

func sortCommitments(cs []Commitment) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].Field < cs[j-1].Field; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

func parseErrorDeclaration(v *Value) (*ErrorDeclaration, error) {
	const f = "errorDeclaration"
	if v.Kind != KindObject {
		return nil, fieldErr(call.ErrEPCISInvalid, f, "must be an object")
	}
	d := &ErrorDeclaration{}
	ext := Value{Kind: KindObject}
	for _, m := range v.Fields {
		var err error
		switch m.Name {
		case "declarationTime":
			if d.Time, err = parseTime(f+".declarationTime", &m.Value); err == nil {
				d.TimeZoneOffset = writtenOffset(m.Value.Str)
			}
		case "reason":
			d.Reason, err = vocab(f+".reason", &m.Value, "er", "ER-")
		case "correctiveEventIDs":
			if m.Value.Kind != KindArray {
				err = fieldErr(call.ErrEPCISInvalid, f+".correctiveEventIDs", "must be a list of eventIDs")
				break
			}
			d.CorrectiveIDs, err = strOrList(f+".correctiveEventIDs", &m.Value)
		default:
			if strings.HasPrefix(m.Name, QianPrefix+":") {
				continue // the chain's provenance of an exported declaration
			}
			if !isExtensionName(m.Name) {
				err = fieldErr(call.ErrEPCISInvalid, f+"."+m.Name, "is not a field of an errorDeclaration (declarationTime, reason, correctiveEventIDs, extensions)")
			}
			ext.Fields = append(ext.Fields, m)
		}
		if err != nil {
			return nil, err
		}
	}
	if v.Get("declarationTime") == nil {
		return nil, fieldErr(call.ErrEPCISInvalid, f+".declarationTime", "is required")
	}
	if len(ext.Fields) > 0 {
		ext.sortFields()
		d.Extensions = ext
	}
	return d, nil
}

// writtenOffset is the offset a date-time was written with ("Z" is +00:00),
// so the exported declarationTime reads as captured.
func writtenOffset(s string) int16 {
	if strings.HasSuffix(s, "Z") || len(s) < 6 {
		return 0
	}
	v := StringValue(s[len(s)-6:])
	m, err := parseOffset(&v)
	if err != nil {
		return 0
	}
	return m
}
