package disclosure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/qianchain/qianchain/contracts/call"
)

// MaxFileBytes bounds a disclosure file: thousands of disclosures, far more
// than one capture writes.
const MaxFileBytes = 1 << 20

// fileKeys are the keys of a disclosure in a file, exactly so spelt
// (encoding/json alone would also take "Field").
var fileKeys = map[string]bool{"field": true, "value": true, "salt": true, "commitment": true, "event": true}

// ParseFile reads a disclosure file strictly. A disclosure file is what
// `qian trace capture` writes beside a document (DOC.disclosures.json) and
// `qian verify --disclose` reads; it has one form, a JSON list of
// disclosures in the document's event order,
//
//	[{"field": "farmerName", "value": "王秀英", "salt": "<64 hex>", "commitment": "<64 hex>", "event": "<64 hex>"}, ...]
//
// where event, the trace event hash the commitment was recorded in, is
// present once the capture committed. Hex is lowercase. Any other key, a
// missing one, a value that is not a string, a null, a lone object or a
// list of lists is refused, so that a file means exactly one thing or
// fails: an ERR_DISCLOSURE *call.Error naming the entry and key.
func ParseFile(raw []byte) ([]Disclosure, error) {
	if len(raw) > MaxFileBytes {
		return nil, call.Errorf(call.ErrDisclosure, "a disclosure file holds at most %d bytes, this one %d", MaxFileBytes, len(raw))
	}
	const shape = "a JSON list of {field, value, salt, commitment, event} objects"
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '[' {
		return nil, call.Errorf(call.ErrDisclosure, "a disclosure file is %s", shape)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var entries []json.RawMessage
	if err := dec.Decode(&entries); err != nil {
		return nil, call.Errorf(call.ErrDisclosure, "not a disclosure file (%s): %v", shape, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, call.Errorf(call.ErrDisclosure, "not a disclosure file: data after the JSON list")
	}
	out := make([]Disclosure, 0, len(entries))
	for i, e := range entries {
		d, err := parseEntry(e)
		if err != nil {
			return nil, call.Errorf(call.ErrDisclosure, "disclosure %d: %v", i, err)
		}
		out = append(out, d)
	}
	return out, nil
}

func parseEntry(raw json.RawMessage) (Disclosure, error) {
	var m map[string]json.RawMessage
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		return Disclosure{}, fmt.Errorf("a list, not a disclosure: the file is one flat list (qian trace capture once wrote a list per event; jq add FILE flattens one)")
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return Disclosure{}, fmt.Errorf("not an object {field, value, salt, commitment, event}: %.40s", raw)
	}
	str := map[string]string{}
	for k, v := range m {
		if !fileKeys[k] {
			return Disclosure{}, fmt.Errorf("unknown key %q", k)
		}
		var s string
		if t := bytes.TrimSpace(v); len(t) == 0 || t[0] != '"' || json.Unmarshal(v, &s) != nil {
			return Disclosure{}, fmt.Errorf("%s is not a string", k)
		}
		str[k] = s
	}
	for _, k := range []string{"field", "value", "salt", "commitment"} {
		if _, ok := str[k]; !ok {
			return Disclosure{}, fmt.Errorf("%s is missing", k)
		}
	}
	d := Disclosure{Field: str["field"], Value: str["value"], Salt: str["salt"], Commitment: str["commitment"], Event: str["event"]}
	if !validField(d.Field) {
		return Disclosure{}, fmt.Errorf("field %q is not a personal-data field name ([A-Za-z0-9_]{1,32})", d.Field)
	}
	hexes := []string{"salt", "commitment"}
	if _, ok := str["event"]; ok {
		hexes = append(hexes, "event")
	}
	for _, k := range hexes {
		if !lowerHex32(str[k]) {
			return Disclosure{}, fmt.Errorf("%s must be 64 lowercase hex digits, not %q", k, str[k])
		}
	}
	return d, nil
}

// MarshalFile writes disclosures as a disclosure file (indented, with a
// final newline); ParseFile reads it back.
func MarshalFile(ds []Disclosure) []byte {
	if ds == nil {
		ds = []Disclosure{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(ds) // plain strings always encode
	return buf.Bytes()
}

// validField is the rule for personal-data field names
// (epcis: qian:personalData keys).
func validField(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func lowerHex32(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
