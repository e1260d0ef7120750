package epcis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/qianchain/qianchain/contracts/codec"
)

// ValueKind is the kind of a Value.
type ValueKind uint8

const (
	KindNull ValueKind = iota // only while parsing: never encoded
	KindString
	KindNumber
	KindBool
	KindArray
	KindObject
)

// Value is a JSON value recorded exactly: EPCIS extension fields, ILMD,
// sensor data and @context entries are kept as Values. Numbers are
// Decimals, never floats; an object's fields are sorted by name (bytewise)
// and unique in the canonical form.
type Value struct {
	Kind   ValueKind
	Str    string
	Num    Decimal
	Bool   bool
	Items  []Value
	Fields []Field
}

// Field is one member of a JSON object.
type Field struct {
	Name  string
	Value Value
}

// Limits on recorded JSON values.
const (
	// MaxValueDepth bounds nesting in extensions, ILMD and sensor data:
	// GS1's "all possible fields" examples nest 8 levels deep, so twice that.
	MaxValueDepth = 16
	MaxValueItems = 1000 // array elements or object fields
	MaxStringLen  = 2048
)

// Get returns the value of field name of an object, or nil.
func (v *Value) Get(name string) *Value {
	for i := range v.Fields {
		if v.Fields[i].Name == name {
			return &v.Fields[i].Value
		}
	}
	return nil
}

// String returns a JSON string value.
func StringValue(s string) Value { return Value{Kind: KindString, Str: s} }

// sortFields puts an object's fields, recursively, in canonical order.
func (v *Value) sortFields() {
	for i := range v.Items {
		v.Items[i].sortFields()
	}
	for i := range v.Fields {
		v.Fields[i].Value.sortFields()
	}
	sort.Slice(v.Fields, func(i, j int) bool { return v.Fields[i].Name < v.Fields[j].Name })
}

func (v *Value) encode(e *codec.Encoder) {
	e.U8(uint8(v.Kind))
	switch v.Kind {
	case KindString:
		e.String(v.Str)
	case KindNumber:
		v.Num.encode(e)
	case KindBool:
		e.Bool(v.Bool)
	case KindArray:
		e.Count(len(v.Items))
		for i := range v.Items {
			v.Items[i].encode(e)
		}
	case KindObject:
		e.Count(len(v.Fields))
		for i := range v.Fields {
			e.String(v.Fields[i].Name)
			v.Fields[i].Value.encode(e)
		}
	}
}

func decodeValue(d *codec.Decoder, field string, depth int) Value {
	var v Value
	if depth > MaxValueDepth {
		d.Fail(field, "nested deeper than %d levels", MaxValueDepth)
		return v
	}
	v.Kind = ValueKind(d.U8(field + " kind"))
	switch v.Kind {
	case KindString:
		v.Str = d.String(field, MaxStringLen)
	case KindNumber:
		v.Num = decodeDecimal(d, field)
	case KindBool:
		v.Bool = d.Bool(field)
	case KindArray:
		n := d.Count(field, MaxValueItems)
		for i := 0; i < n && d.Err() == nil; i++ {
			v.Items = append(v.Items, decodeValue(d, fmt.Sprintf("%s[%d]", field, i), depth+1))
		}
	case KindObject:
		n := d.Count(field, MaxValueItems)
		for i := 0; i < n && d.Err() == nil; i++ {
			name := d.String(field+" field name", MaxStringLen)
			if d.Err() == nil && i > 0 && name <= v.Fields[i-1].Name {
				d.Fail(field, "object fields must be sorted and unique: %q after %q", name, v.Fields[i-1].Name)
			}
			v.Fields = append(v.Fields, Field{Name: name, Value: decodeValue(d, field+"."+name, depth+1)})
		}
	default:
		if d.Err() == nil {
			d.Fail(field, "unknown value kind %d", v.Kind)
		}
	}
	return v
}

// check reports the first null in v (nulls are not recorded) or a value too
// large for the canonical encoding.
func (v *Value) check(path string, depth int) error {
	if depth > MaxValueDepth {
		return fmt.Errorf("%s is nested deeper than %d levels", path, MaxValueDepth)
	}
	switch v.Kind {
	case KindNull:
		return fmt.Errorf("%s is null; null values are not recorded", path)
	case KindString:
		if len(v.Str) > MaxStringLen {
			return fmt.Errorf("%s is longer than %d bytes", path, MaxStringLen)
		}
	case KindArray:
		if len(v.Items) > MaxValueItems {
			return fmt.Errorf("%s has more than %d elements", path, MaxValueItems)
		}
		for i := range v.Items {
			if err := v.Items[i].check(fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	case KindObject:
		if len(v.Fields) > MaxValueItems {
			return fmt.Errorf("%s has more than %d fields", path, MaxValueItems)
		}
		for i := range v.Fields {
			if len(v.Fields[i].Name) > MaxStringLen {
				return fmt.Errorf("%s has a field name longer than %d bytes", path, MaxStringLen)
			}
			if err := v.Fields[i].Value.check(path+"."+v.Fields[i].Name, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// MarshalJSON writes the value; numbers are printed exactly.
func (v Value) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	v.writeJSON(&b)
	return b.Bytes(), nil
}

func (v *Value) writeJSON(b *bytes.Buffer) {
	switch v.Kind {
	case KindNull:
		b.WriteString("null")
	case KindString:
		writeJSONString(b, v.Str)
	case KindNumber:
		b.WriteString(v.Num.String())
	case KindBool:
		if v.Bool {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case KindArray:
		b.WriteByte('[')
		for i := range v.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			v.Items[i].writeJSON(b)
		}
		b.WriteByte(']')
	case KindObject:
		b.WriteByte('{')
		for i := range v.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, v.Fields[i].Name)
			b.WriteByte(':')
			v.Fields[i].Value.writeJSON(b)
		}
		b.WriteByte('}')
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always marshals
	b.Write(q)
}

// ParseJSON reads one JSON value, keeping object fields in document order,
// numbers exactly, and rejecting duplicate field names (which JSON-LD and
// EPCIS forbid and Go's encoding/json would silently merge).
func ParseJSON(data []byte) (Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec, 0, "")
	if err != nil {
		return Value{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Value{}, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

// NumberError is a JSON number that is valid JSON but beyond what a Value
// records exactly (more than MaxScale decimal places, or beyond 64 bits).
type NumberError struct {
	Path   string // JSON path of the number, e.g. epcisBody.eventList[0].quantityList[0].quantity
	Number string
	Reason string
}

func (e *NumberError) Error() string {
	return fmt.Sprintf("%s: %s is valid JSON but %s: Qianchain records numbers exactly, as decimals of at most %d digits after the point that fit in 64 bits", e.Path, e.Number, e.Reason, MaxScale)
}

func parseValue(dec *json.Decoder, depth int, path string) (Value, error) {
	if depth > 64 {
		return Value{}, errors.New("JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return Value{}, fmt.Errorf("malformed JSON: %w", err)
	}
	switch t := tok.(type) {
	case nil:
		return Value{Kind: KindNull}, nil
	case bool:
		return Value{Kind: KindBool, Bool: t}, nil
	case string:
		return Value{Kind: KindString, Str: t}, nil
	case json.Number:
		d, err := ParseDecimal(string(t))
		if err != nil {
			why := strings.TrimPrefix(err.Error(), "number "+string(t)+" ")
			return Value{}, &NumberError{Path: path, Number: string(t), Reason: why}
		}
		return Value{Kind: KindNumber, Num: d}, nil
	case json.Delim:
		switch t {
		case '[':
			v := Value{Kind: KindArray, Items: []Value{}}
			for dec.More() {
				it, err := parseValue(dec, depth+1, fmt.Sprintf("%s[%d]", path, len(v.Items)))
				if err != nil {
					return Value{}, err
				}
				v.Items = append(v.Items, it)
			}
			_, err := dec.Token()
			return v, err
		case '{':
			v := Value{Kind: KindObject, Fields: []Field{}}
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return Value{}, fmt.Errorf("malformed JSON: %w", err)
				}
				name := kt.(string) // the decoder guarantees a string key
				if seen[name] {
					return Value{}, fmt.Errorf("duplicate field %q", name)
				}
				seen[name] = true
				sub := name
				if path != "" {
					sub = path + "." + name
				}
				fv, err := parseValue(dec, depth+1, sub)
				if err != nil {
					return Value{}, err
				}
				v.Fields = append(v.Fields, Field{Name: name, Value: fv})
			}
			_, err := dec.Token()
			return v, err
		}
	}
	return Value{}, fmt.Errorf("unexpected JSON token %v", tok)
}

// isExtensionName reports whether name is a user extension: a compact IRI
// (prefix:suffix) or an absolute IRI, as opposed to a standard EPCIS term.
func isExtensionName(name string) bool { return strings.Contains(name, ":") }

// SortObject puts an object's fields, recursively, in canonical order (for
// events built in Go rather than decoded).
func SortObject(v *Value) { v.sortFields() }
