package proof

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/qianchain/qianchain/ledger"
)

// Result leaves round-trip: any Result encodes to bytes that decode to it
// and re-encode to the same bytes.
func TestResultRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		text := rapid.StringMatching(`[\p{Han}a-zA-Z0-9 _.:=/-]{0,40}`)
		r := &Result{Code: text.Draw(t, "code"), Message: text.Draw(t, "message"), Events: []Event{}}
		copy(r.TxHash[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "tx"))
		for i := rapid.IntRange(0, 4).Draw(t, "events"); i > 0; i-- {
			ev := Event{Type: text.Draw(t, "type"), Attrs: []Attr{}}
			for j := rapid.IntRange(0, 4).Draw(t, "attrs"); j > 0; j-- {
				ev.Attrs = append(ev.Attrs, Attr{Key: text.Draw(t, "key"), Value: text.Draw(t, "value")})
			}
			r.Events = append(r.Events, ev)
		}
		enc := EncodeResult(r)
		got, err := DecodeResult(enc)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !bytes.Equal(EncodeResult(got), enc) || got.Code != r.Code || got.Message != r.Message || len(got.Events) != len(r.Events) {
			t.Fatalf("round trip: %+v -> %+v", r, got)
		}
	})
}

// A bundle's JSON may be re-spelt freely in white space and key order and
// still verify; any change of one value makes it fail.
func TestRespeltBundleProperty(t *testing.T) {
	c, b := standard(t, 4)
	raw := b.Marshal()
	generic, err := genericJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		indent := rapid.SampledFrom([]string{"", " ", "\t", "    "}).Draw(t, "indent")
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", indent)
		if err := enc.Encode(generic); err != nil { // map keys come out sorted
			t.Fatal(err)
		}
		if _, err := VerifyJSON(buf.Bytes(), c.anchor); err != nil {
			t.Fatalf("re-spelt bundle refused: %v", err)
		}
		// Change one leaf value.
		leaves := leafPaths(generic, "")
		sort.Strings(leaves)
		p := rapid.SampledFrom(leaves).Draw(t, "field")
		changed := setLeaf(deepCopy(generic), p)
		out, _ := json.Marshal(changed)
		if _, err := VerifyJSON(out, c.anchor); err == nil {
			t.Fatalf("changing %s went unnoticed", p)
		}
	})
}

// leafPaths lists the paths of every scalar in v.
func leafPaths(v any, path string) []string {
	switch x := v.(type) {
	case map[string]any:
		var out []string
		for k, e := range x {
			out = append(out, leafPaths(e, join(path, k))...)
		}
		return out
	case []any:
		var out []string
		for i, e := range x {
			out = append(out, leafPaths(e, path+"["+string(rune('0'+i%10))+"]"+suffix(i))...)
		}
		return out
	}
	return []string{path}
}

func suffix(i int) string {
	if i < 10 {
		return ""
	}
	return "#" + string(rune('0'+i/10))
}

func deepCopy(v any) any {
	raw, _ := json.Marshal(v)
	out, _ := genericJSON(raw)
	return out
}

// setLeaf changes the scalar at p (as leafPaths names it) to another value
// of the same kind.
func setLeaf(root any, p string) any {
	for _, q := range leafPaths(root, "") {
		if q == p {
			return walkSet(root, "", p)
		}
	}
	return root
}

func walkSet(v any, path, target string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = walkSet(e, join(path, k), target)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = walkSet(e, path+"["+string(rune('0'+i%10))+"]"+suffix(i), target)
		}
		return x
	}
	if path != target {
		return v
	}
	switch x := v.(type) {
	case string:
		if h, err := ledger.ParseHash(x); err == nil {
			h[0] ^= 1
			return h.String()
		}
		if x == "" {
			return "x"
		}
		if i := strings.IndexByte("0123456789abcdef", x[len(x)-1]); i >= 0 {
			return x[:len(x)-1] + string("1032547698badcfe"[i])
		}
		return x + "x"
	case json.Number:
		return json.Number(string(x) + "1")
	case bool:
		return !x
	}
	return "changed"
}
