package proof

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
)

// MaxBundleBytes bounds the JSON ParseBundle reads. A bundle holds one
// transaction (at most ~2 MiB in hex), headers and certificates of at most
// 1,000 validators, a result leaf, and one header, certificate and set per
// validator-set change since genesis: about 3.6 KB per change with 4
// validators, 350 KB with 1,000 (docs/benchmarks.md).
const MaxBundleBytes = 64 << 20

// ParseBundle reads a bundle's JSON strictly (see docs/verification.md):
// every field spelt exactly, none unknown or repeated, hex in lowercase. A
// failure is an *Error with code ErrFormat.
//
// Strictness is what makes "any changed byte fails" hold for the readable
// fields too: encoding/json alone would accept "Height" for "height", let a
// repeated key win silently and read "AB" as "ab". So after decoding, the
// bundle is encoded again and the two documents must be the same JSON value
// (key order and white space aside).
func ParseBundle(raw []byte) (*Bundle, error) {
	if len(raw) > MaxBundleBytes {
		return nil, fail(ErrFormat, "the bundle is %d bytes, more than the %d a bundle can need", len(raw), MaxBundleBytes)
	}
	var b Bundle
	if err := strictDecode(raw, &b, func() []byte { return b.marshal(false) }); err != nil {
		return nil, fail(ErrFormat, "not a proof bundle: %v", err)
	}
	if b.Version != Version {
		return nil, fail(ErrFormat, "bundle version %d; this verifier reads version %d", b.Version, Version)
	}
	return &b, nil
}

// strictDecode decodes raw into v, which remarshal encodes again, and
// requires the two to be the same JSON value, with no null and no key
// repeated within an object: the spelling rule of bundles and notary
// certificates.
func strictDecode(raw []byte, v any, remarshal func() []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	got, err := genericJSON(raw)
	if err != nil {
		return err
	}
	if path, ok := firstNull(got, ""); ok {
		return fmt.Errorf("field %s is null; the format has no nulls (an absent part is left out, an empty list is [])", path)
	}
	want, err := genericJSON(remarshal())
	if err != nil {
		return fmt.Errorf("re-encode: %v", err)
	}
	if path, ok := firstDiff("", got, want); !ok {
		return fmt.Errorf("field %s is not written as the format specifies (misspelt, missing or repeated key, uppercase hex, or null for a list)", path)
	}
	return nil
}

// Marshal returns the bundle's JSON, indented, with a final newline.
func (b *Bundle) Marshal() []byte { return b.marshal(true) }

func (b *Bundle) marshal(indent bool) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(b); err != nil {
		// Every field is a plain value or implements MarshalText without
		// failing.
		panic(fmt.Sprintf("marshal bundle: %v", err))
	}
	return buf.Bytes()
}

// genericJSON decodes raw into maps, slices, json.Number, strings, bools and
// nil, refusing a key repeated within an object (which encoding/json would
// let the last one win).
func genericJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	if err := noRepeatedKeys(raw); err != nil {
		return nil, err
	}
	return v, nil
}

// noRepeatedKeys scans raw, which must be valid JSON, and fails if an
// object holds the same key twice.
func noRepeatedKeys(raw []byte) error {
	type frame struct {
		object bool
		keys   map[string]bool
		want   bool // the next string in this object is a key
	}
	var stack []frame
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '{':
			stack = append(stack, frame{object: true, keys: map[string]bool{}, want: true})
		case '[':
			stack = append(stack, frame{})
		case '}', ']':
			stack = stack[:len(stack)-1]
		case ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].want = true
			}
		case '"':
			j := i + 1
			escaped := false
			for ; raw[j] != '"'; j++ {
				if raw[j] == '\\' {
					escaped = true
					j++
				}
			}
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].want {
				key := string(raw[i+1 : j])
				if escaped {
					if err := json.Unmarshal(raw[i:j+1], &key); err != nil {
						return err
					}
				}
				if stack[n-1].keys[key] {
					return fmt.Errorf("key %q appears twice in one object", key)
				}
				stack[n-1].keys[key] = true
				stack[n-1].want = false
			}
			i = j
		}
	}
	return nil
}

// firstNull returns the path of the first null in v (keys in sorted order).
func firstNull(v any, path string) (string, bool) {
	switch x := v.(type) {
	case nil:
		return path, true
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := firstNull(x[k], join(path, k)); ok {
				return p, true
			}
		}
	case []any:
		for i, e := range x {
			if p, ok := firstNull(e, fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, true
			}
		}
	}
	return "", false
}

// sameAs compares a readable part of a bundle with the same part computed
// from the encodings, as JSON values, and names the first field that
// differs.
func sameAs(path string, got, want any) error {
	g, err := toGeneric(got)
	if err != nil {
		return fail(ErrFormat, "%s: %v", path, err)
	}
	w, err := toGeneric(want)
	if err != nil {
		return fail(ErrFormat, "%s: %v", path, err)
	}
	if p, ok := firstDiff(path, g, w); !ok {
		return fail(ErrMismatch, "%s: the bundle says %s, the encoding says %s", p, short(lookup(g, path, p)), short(lookup(w, path, p)))
	}
	return nil
}

func toGeneric(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return genericJSON(raw)
}

// firstDiff returns the path of the first place a and b differ, and false;
// or "", true when they are the same JSON value.
func firstDiff(path string, a, b any) (string, bool) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return path, false
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, dup := x[k]; !dup {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			xv, okx := x[k]
			yv, oky := y[k]
			p := join(path, k)
			if okx != oky {
				return p, false
			}
			if q, same := firstDiff(p, xv, yv); !same {
				return q, false
			}
		}
		return "", true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return path, false
		}
		for i := range x {
			if q, same := firstDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); !same {
				return q, false
			}
		}
		return "", true
	default:
		if a != b {
			return path, false
		}
		return "", true
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lookup finds the value at path p (as firstDiff names it) under root,
// which sits at path base; it returns nil when absent.
func lookup(root any, base, p string) any {
	rest := p[len(base):]
	v := root
	for len(rest) > 0 {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			continue
		case '[':
			var i int
			n, _ := fmt.Sscanf(rest, "[%d]", &i)
			end := bytes.IndexByte([]byte(rest), ']')
			arr, ok := v.([]any)
			if n != 1 || end < 0 || !ok || i < 0 || i >= len(arr) {
				return nil
			}
			v, rest = arr[i], rest[end+1:]
		default:
			end := len(rest)
			for j := 0; j < len(rest); j++ {
				if rest[j] == '.' || rest[j] == '[' {
					end = j
					break
				}
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			if v, ok = m[rest[:end]]; !ok {
				return nil
			}
			rest = rest[end:]
		}
	}
	return v
}

func short(v any) string {
	if v == nil {
		return "nothing"
	}
	raw, _ := json.Marshal(v)
	s := string(raw)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// VerifyJSON is ParseBundle followed by Verify.
func VerifyJSON(raw []byte, a Anchor) (*Report, error) {
	b, err := ParseBundle(raw)
	if err != nil {
		return nil, err
	}
	return Verify(b, a)
}
