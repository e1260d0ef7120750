package epcis

import (
	"errors"
	"fmt"
	"strings"

	"github.com/qianchain/qianchain/contracts/gs1"
)

// ValidationError says which field of an event is not acceptable and why.
type ValidationError struct {
	Field  string
	Reason string
	Key    bool // the problem is a malformed GS1 key (length, check digit)
	Prefix bool // an extension prefix is not declared in @context
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func keyInvalid(field string, err error) error {
	var ke *gs1.KeyError
	return &ValidationError{Field: field, Reason: err.Error(), Key: errors.As(err, &ke)}
}

// CanonicalIdentifier returns the canonical form of a location, party or
// object identifier: GS1 EPC URNs and GS1 Digital Link URIs become Digital
// Link URIs on id.gs1.org; any other URI is returned unchanged.
func CanonicalIdentifier(s string) (string, error) {
	switch {
	case strings.HasPrefix(s, "urn:epc:id:sgln:"):
		l, err := gs1.ParseLocation(s)
		return l.URI(), err
	case strings.HasPrefix(s, "urn:epc:id:pgln:"):
		g, err := gs1.ParsePartyGLN(s)
		return gs1.PartyURI(g), err
	case strings.HasPrefix(s, "urn:epc:id:sgtin:"), strings.HasPrefix(s, "urn:epc:class:lgtin:"), strings.HasPrefix(s, "urn:epc:id:sscc:"),
		strings.HasPrefix(s, "urn:epc:id:grai:"), strings.HasPrefix(s, "urn:epc:id:giai:"), strings.HasPrefix(s, "urn:epc:id:gsrn:"),
		strings.HasPrefix(s, "urn:epc:idpat:sgtin:"):
		o, err := gs1.ParseObjectID(s)
		return o.URI(), err
	case strings.HasPrefix(s, "http://"), strings.HasPrefix(s, "https://"):
		dl, err := gs1.ParseDigitalLink(s)
		if err != nil {
			if errors.Is(err, gs1.ErrNotGS1) {
				return s, nil
			}
			return "", err
		}
		if dl.Query != "" {
			return s, nil
		}
		switch dl.Primary {
		case "414":
			return gs1.ParseLocationURI(dl), nil
		case "417":
			return gs1.PartyURI(dl.Key), nil
		default:
			o, err := gs1.ParseObjectID(s)
			if err != nil {
				return s, nil // e.g. a bare GTIN: a product page, not an object
			}
			return o.URI(), nil
		}
	}
	return s, nil
}

func checkIdentifier(field, s string) error {
	if !validURI(s) {
		return invalid(field, "%q is not a URI", s)
	}
	c, err := CanonicalIdentifier(s)
	if err != nil {
		return keyInvalid(field, err)
	}
	if c != s {
		return invalid(field, "%q must be written in canonical form %q", s, c)
	}
	return nil
}

func checkObjects(field string, os []gs1.ObjectID, lots bool) error {
	seen := make(map[gs1.ObjectID]bool, len(os))
	for i, o := range os {
		f := fmt.Sprintf("%s[%d]", field, i)
		if err := o.Validate(); err != nil {
			return keyInvalid(f, err)
		}
		class := o.Kind == gs1.Lot || o.Kind == gs1.Class
		if lots && !class {
			return invalid(f, "%s is not a class; quantities are of lots (LGTIN) or whole product classes", o.URI())
		}
		if !lots && class {
			return invalid(f, "%s is a class (a %s); list it with a quantity, not as an EPC", o.URI(), o.Kind)
		}
		if seen[o] {
			return invalid(f, "%s is listed twice", o.URI())
		}
		seen[o] = true
	}
	return nil
}

func checkQuantities(field string, qs []Quantity) error {
	cls := make([]gs1.ObjectID, len(qs))
	for i, q := range qs {
		cls[i] = q.Class
		f := fmt.Sprintf("%s[%d]", field, i)
		if q.HasQuantity && q.Quantity.Mant < 0 {
			return invalid(f, "quantity %s is negative", q.Quantity)
		}
		if !q.HasQuantity && (q.Quantity != Decimal{}) {
			return invalid(f, "quantity set without its presence flag")
		}
		if q.UOM != "" && !validUOM(q.UOM) {
			return invalid(f, "unit %q is not a UN/CEFACT Rec. 20 code (2-3 capitals or digits)", q.UOM)
		}
		if q.UOM != "" && !q.HasQuantity {
			return invalid(f, "a unit without a quantity")
		}
	}
	return checkObjects(field, cls, true)
}

func validUOM(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

// Validate checks what the encoding cannot: that each field holds an
// acceptable value for the event's type, in canonical form.
func (ev *Event) Validate() error {
	if ev.Type < ObjectEvent || ev.Type > AssociationEvent {
		return invalid("type", "unknown event type %d", ev.Type)
	}
	if ev.TimeZoneOffset < -14*60 || ev.TimeZoneOffset > 14*60 {
		return invalid("eventTimeZoneOffset", "%d minutes is outside ±14:00", ev.TimeZoneOffset)
	}
	if ev.EventID != "" && !validURI(ev.EventID) {
		return invalid("eventID", "%q is not a URI", ev.EventID)
	}
	for _, h := range []struct{ name, v string }{{"sender", ev.Header.Sender}, {"receiver", ev.Header.Receiver}} {
		if h.v != "" && !validURI(h.v) {
			return invalid("the document's "+h.name, "%q is not a URI", h.v)
		}
	}
	if ev.Type == TransformationEvent {
		if ev.Action != NoAction {
			return invalid("action", "a TransformationEvent has no action")
		}
	} else if ev.Action < Add || ev.Action > Delete {
		return invalid("action", "must be ADD, OBSERVE or DELETE")
	}
	if ev.BizStep != "" && !vocabOK(ev.BizStep, bizSteps) {
		return invalid("bizStep", "%q is neither a CBV business step nor a non-CBV URI", ev.BizStep)
	}
	if ev.Disposition != "" && !vocabOK(ev.Disposition, dispositions) {
		return invalid("disposition", "%q is neither a CBV disposition nor a non-CBV URI", ev.Disposition)
	}
	if err := checkVocabList("persistentDisposition.set", ev.PersistentSet, dispositions); err != nil {
		return err
	}
	if err := checkVocabList("persistentDisposition.unset", ev.PersistentUnset, dispositions); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"readPoint", ev.ReadPoint}, {"bizLocation", ev.BizLocation}} {
		if f.v != "" {
			if err := checkIdentifier(f.name, f.v); err != nil {
				return err
			}
		}
	}
	if err := ev.checkShape(); err != nil {
		return err
	}
	for _, l := range []struct {
		name string
		os   []gs1.ObjectID
	}{{"epcList", ev.EPCList}, {"childEPCs", ev.ChildEPCs}, {"inputEPCList", ev.InputEPCList}, {"outputEPCList", ev.OutputEPCList}} {
		if err := checkObjects(l.name, l.os, false); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		name string
		qs   []Quantity
	}{{"quantityList", ev.QuantityList}, {"childQuantityList", ev.ChildQuantityList}, {"inputQuantityList", ev.InputQuantityList}, {"outputQuantityList", ev.OutputQuantityList}} {
		if err := checkQuantities(l.name, l.qs); err != nil {
			return err
		}
	}
	if ev.ParentID != nil {
		if err := checkObjects("parentID", []gs1.ObjectID{*ev.ParentID}, false); err != nil {
			return err
		}
	}
	if ev.TransformationID != "" && !validURI(ev.TransformationID) {
		return invalid("transformationID", "%q is not a URI", ev.TransformationID)
	}
	for i, b := range ev.BizTransactions {
		f := fmt.Sprintf("bizTransactionList[%d]", i)
		if b.Type != "" && !vocabOK(b.Type, bizTransactionTypes) {
			return invalid(f+".type", "%q is neither a CBV business transaction type nor a non-CBV URI", b.Type)
		}
		if !validURI(b.ID) {
			return invalid(f+".bizTransaction", "%q is not a URI", b.ID)
		}
	}
	for _, l := range []struct {
		name string
		ps   []Party
	}{{"sourceList", ev.Sources}, {"destinationList", ev.Destinations}} {
		name := l.name
		for i, p := range l.ps {
			f := fmt.Sprintf("%s[%d]", name, i)
			if !vocabOK(p.Type, sourceDestTypes) {
				return invalid(f+".type", "%q is neither a CBV source/destination type nor a non-CBV URI", p.Type)
			}
			if err := checkIdentifier(f, p.ID); err != nil {
				return err
			}
		}
	}
	for i := range ev.SensorElements {
		if err := ev.SensorElements[i].check(fmt.Sprintf("sensorElementList[%d]", i)); err != nil {
			return err
		}
	}
	for i, c := range ev.CertificationInfo {
		if !validURI(c) {
			return invalid(fmt.Sprintf("certificationInfo[%d]", i), "%q is not a URI", c)
		}
	}
	if err := checkExtensionObject("ilmd", &ev.ILMD); err != nil {
		return err
	}
	if err := checkExtensionObject("extensions", &ev.Extensions); err != nil {
		return err
	}
	if ev.Context.Kind != KindNull {
		if err := ev.Context.check("@context", 1); err != nil {
			return invalid("@context", "%v", err)
		}
		for _, f := range ev.Context.Fields {
			if f.Value.Kind != KindString && f.Value.Kind != KindObject {
				return invalid("@context."+f.Name, "a context entry must be an IRI or a term definition")
			}
		}
	}
	if err := ev.checkDeclaration(); err != nil {
		return err
	}
	if err := ev.checkForm(); err != nil {
		return err
	}
	if err := ev.checkPrefixes(); err != nil {
		return err
	}
	for i, c := range ev.PersonalData {
		if !validFieldName(c.Field) {
			return invalid(fmt.Sprintf("personalData[%d]", i), "field name %q must be 1-%d characters of [A-Za-z0-9_]", c.Field, MaxPersonalField)
		}
		if i > 0 && c.Field <= ev.PersonalData[i-1].Field {
			return invalid(fmt.Sprintf("personalData[%d]", i), "fields must be sorted and unique")
		}
	}
	return nil
}

func checkVocabList(name string, list []string, vocab map[string]bool) error {
	seen := map[string]bool{}
	for i, s := range list {
		if !vocabOK(s, vocab) || seen[s] {
			return invalid(fmt.Sprintf("%s[%d]", name, i), "%q is not a disposition, or is repeated", s)
		}
		seen[s] = true
	}
	return nil
}

// checkShape checks which lists each event type may and must carry.
func (ev *Event) checkShape() error {
	has := func(os []gs1.ObjectID, qs []Quantity) bool { return len(os) > 0 || len(qs) > 0 }
	objects := has(ev.EPCList, ev.QuantityList)
	children := has(ev.ChildEPCs, ev.ChildQuantityList)
	inputs := has(ev.InputEPCList, ev.InputQuantityList)
	outputs := has(ev.OutputEPCList, ev.OutputQuantityList)
	t := ev.Type.String()
	switch ev.Type {
	case ObjectEvent, TransactionEvent:
		switch {
		case children || inputs || outputs || ev.TransformationID != "":
			return invalid("type", "an %s carries no children, inputs or outputs", t)
		case ev.Type == ObjectEvent && ev.ParentID != nil:
			return invalid("parentID", "an ObjectEvent has no parentID")
		case !objects && ev.ParentID == nil:
			return invalid("epcList", "an %s must name at least one item (epcList) or lot (quantityList)", t)
		case ev.Type == TransactionEvent && len(ev.BizTransactions) == 0:
			return invalid("bizTransactionList", "a TransactionEvent names at least one business transaction")
		}
	case AggregationEvent, AssociationEvent:
		switch {
		case objects || inputs || outputs || ev.TransformationID != "":
			return invalid("type", "an %s carries only a parent and children", t)
		case ev.ParentID == nil:
			return invalid("parentID", "an %s must name its parent", t)
		case !ev.ParentID.Kind.CanContain() && ev.ParentID.Kind != gs1.Item:
			return invalid("parentID", "the parent must be a container (SSCC), an asset (GRAI, GIAI) or an item, not a %s", ev.ParentID.Kind)
		case ev.Action == Add && !children:
			return invalid("childEPCs", "an %s ADD must name its children", t)
		}
	case TransformationEvent:
		switch {
		case objects || children || ev.ParentID != nil:
			return invalid("type", "a TransformationEvent carries only inputs and outputs")
		case !inputs || !outputs:
			return invalid("inputEPCList", "a TransformationEvent must name its inputs and its outputs")
		}
	}
	if ev.Type != TransformationEvent && len(ev.PersistentSet)+len(ev.PersistentUnset) > 0 && ev.Type != ObjectEvent {
		return invalid("persistentDisposition", "only Object and Transformation events carry a persistent disposition")
	}
	if ev.Type != ObjectEvent && ev.Type != TransformationEvent && ev.ILMD.Kind != KindNull {
		return invalid("ilmd", "only Object and Transformation events carry ILMD")
	}
	return nil
}

func (s *SensorElement) check(field string) error {
	if s.Metadata.Kind != KindObject || s.Extra.Kind != KindObject {
		return invalid(field, "sensor metadata and extensions must be objects")
	}
	if err := checkFields(field+".sensorMetadata", &s.Metadata, sensorMetadataFields); err != nil {
		return err
	}
	if len(s.Reports) == 0 {
		return invalid(field+".sensorReport", "a sensor element has at least one report")
	}
	for i := range s.Reports {
		f := fmt.Sprintf("%s.sensorReport[%d]", field, i)
		r := &s.Reports[i]
		if r.Kind != KindObject {
			return invalid(f, "must be an object")
		}
		if t := r.Get("type"); t == nil || t.Kind != KindString || t.Str == "" {
			return invalid(f+".type", "a sensor report names its measurement type")
		}
		if err := checkFields(f, r, sensorReportFields); err != nil {
			return err
		}
	}
	return checkFields(field, &s.Extra, nil)
}

// checkFields checks an object's fields: standard names from std with the
// right kind of value, or extension names.
func checkFields(field string, v *Value, std map[string]bool) error {
	if err := v.check(field, 2); err != nil {
		return invalid(field, "%v", err)
	}
	for _, f := range v.Fields {
		if isExtensionName(f.Name) {
			continue
		}
		if !std[f.Name] {
			return invalid(field+"."+f.Name, "not a field of the EPCIS 2.0 standard nor an extension (prefix:name)")
		}
		want := KindString
		switch {
		case sensorNumberFields[f.Name]:
			want = KindNumber
		case f.Name == "booleanValue":
			want = KindBool
		}
		if f.Value.Kind != want {
			return invalid(field+"."+f.Name, "has the wrong JSON type")
		}
	}
	return nil
}

func checkExtensionObject(field string, v *Value) error {
	if v.Kind == KindNull {
		return nil
	}
	if v.Kind != KindObject || len(v.Fields) == 0 {
		return invalid(field, "must be a non-empty object")
	}
	if err := v.check(field, 1); err != nil {
		return invalid(field, "%v", err)
	}
	for _, f := range v.Fields {
		if !isExtensionName(f.Name) {
			return invalid(field+"."+f.Name, "an extension field is named prefix:name or by an absolute IRI")
		}
	}
	return nil
}

func validFieldName(s string) bool {
	if len(s) == 0 || len(s) > MaxPersonalField {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// errorReasons are CBV 2.0's error reasons.
var errorReasons = words("did_not_occur incorrect_data")

func (ev *Event) checkDeclaration() error {
	d := ev.ErrorDeclaration
	if d == nil {
		return nil
	}
	const f = "errorDeclaration"
	if d.TimeZoneOffset < -14*60 || d.TimeZoneOffset > 14*60 {
		return invalid(f+".declarationTime", "time-zone offset %d minutes is outside ±14:00", d.TimeZoneOffset)
	}
	if d.Reason != "" && !vocabOK(d.Reason, errorReasons) {
		return invalid(f+".reason", "%q is neither a CBV error reason (did_not_occur, incorrect_data) nor a non-CBV URI", d.Reason)
	}
	if ev.EventID == "" {
		return invalid("eventID", "an event declared erroneous is named by its eventID (the exported form of an event captured without one is urn:qian:event:{event hash})")
	}
	seen := map[string]bool{}
	for i, id := range d.CorrectiveIDs {
		if !validURI(id) || seen[id] || id == ev.EventID {
			return invalid(fmt.Sprintf("%s.correctiveEventIDs[%d]", f, i), "%q is not a URI, is repeated, or is the declared event itself", id)
		}
		seen[id] = true
	}
	return checkExtensionObject(f, &d.Extensions)
}

// checkForm keeps Form canonical: a flag only for what it can describe.
func (ev *Event) checkForm() error {
	lens := []int{len(ev.EPCList), len(ev.QuantityList), len(ev.ChildEPCs), len(ev.ChildQuantityList),
		len(ev.InputEPCList), len(ev.InputQuantityList), len(ev.OutputEPCList), len(ev.OutputQuantityList),
		len(ev.BizTransactions), len(ev.Sources), len(ev.Destinations), len(ev.SensorElements), len(ev.CertificationInfo)}
	if ev.Form.EmptyLists>>len(FormLists) != 0 {
		return invalid("form", "unknown empty-list flags %#x", ev.Form.EmptyLists)
	}
	for i, n := range lens {
		if ev.Form.EmptyLists&(1<<i) != 0 && n != 0 {
			return invalid("form", "%s is flagged empty but has %d entries", FormLists[i], n)
		}
	}
	if ev.Form.CertificationList && len(ev.CertificationInfo) != 1 {
		return invalid("form", "the one-entry list form of certificationInfo needs exactly one entry")
	}
	return nil
}

// standardPrefixes are the prefixes the EPCIS 2.0 context itself declares.
var standardPrefixes = words("epcis cbv cbvmda gs1 rdfs owl xsd dcterms")

// checkPrefixes checks that every extension field's prefix is declared in
// the event's @context (or by the EPCIS 2.0 context), as JSON-LD requires:
// an undeclared prefix makes the exported document fail strict clients.
func (ev *Event) checkPrefixes() error {
	declared := func(name string) bool {
		prefix, rest, _ := strings.Cut(name, ":")
		if strings.HasPrefix(rest, "//") || standardPrefixes[prefix] {
			return true // an absolute IRI, or a prefix of the EPCIS context
		}
		return ev.Context.Kind == KindObject && ev.Context.Get(prefix) != nil
	}
	var walk func(path string, v *Value) error
	walk = func(path string, v *Value) error {
		for i := range v.Items {
			if err := walk(fmt.Sprintf("%s[%d]", path, i), &v.Items[i]); err != nil {
				return err
			}
		}
		for i := range v.Fields {
			f := &v.Fields[i]
			if isExtensionName(f.Name) && !declared(f.Name) {
				prefix, _, _ := strings.Cut(f.Name, ":")
				return &ValidationError{Field: path + "." + f.Name, Reason: fmt.Sprintf("prefix %q is not declared in the document's @context; add {%q: \"<namespace IRI>\"} to it", prefix, prefix), Prefix: true}
			}
			if err := walk(path+"."+f.Name, &f.Value); err != nil {
				return err
			}
		}
		return nil
	}
	roots := []struct {
		name string
		v    *Value
	}{{"extensions", &ev.Extensions}, {"ilmd", &ev.ILMD}}
	if ev.ErrorDeclaration != nil {
		roots = append(roots, struct {
			name string
			v    *Value
		}{"errorDeclaration", &ev.ErrorDeclaration.Extensions})
	}
	for i := range ev.SensorElements {
		s := &ev.SensorElements[i]
		n := fmt.Sprintf("sensorElementList[%d]", i)
		roots = append(roots, struct {
			name string
			v    *Value
		}{n, &s.Metadata}, struct {
			name string
			v    *Value
		}{n, &s.Extra})
		for j := range s.Reports {
			roots = append(roots, struct {
				name string
				v    *Value
			}{fmt.Sprintf("%s.sensorReport[%d]", n, j), &s.Reports[j]})
		}
	}
	for _, r := range roots {
		if err := walk(r.name, r.v); err != nil {
			return err
		}
	}
	return nil
}
