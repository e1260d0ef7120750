package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/view"
)

// encoderIndented is what indentedJSON replaced: the standard library's
// encoder set to indent.
func encoderIndented(t testing.TB, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAppendIndented(t *testing.T) {
	type inner struct {
		A []int          `json:"a"`
		M map[string]any `json:"m"`
		S string         `json:"s"`
	}
	values := []any{
		nil, true, 0, -1.5e300, "", `a "quoted" \ back\slash`, "<html> & \u2028 \x01 汉字 \"}]",
		[]int{}, map[string]int{}, []any{[]any{}, map[string]any{}, []any{[]any{}}},
		map[string]any{"{": "}", "[": "]", ",": ":", `"`: `\`},
		inner{}, inner{A: []int{1, 2}, M: map[string]any{"x": []string{"", "\\"}, "y": map[string]any{}}, S: "\"\\\""},
		[]inner{{}, {S: "z"}},
		json.RawMessage(`{ "spaced" : [ 1 , 2 ] }`),
		&view.Block{Height: 7, Txs: []view.TxSummary{{Hash: ledger.Hash{1}, Contract: "trace", Method: "record", Size: 300, Code: "OK"}, {}}},
		Error{Code: "ERR_X", Message: "line\nbreak\ttab"},
	}
	for i, v := range values {
		want := encoderIndented(t, v)
		if got := indentedJSON(v); !bytes.Equal(got, want) {
			t.Errorf("value %d: indentedJSON gives\n%s\nthe encoder\n%s", i, got, want)
		}
	}
	if got := indentedJSON(func() {}); len(got) != 0 {
		t.Errorf("a value json cannot marshal gives %q, want nothing", got)
	}
}

// FuzzAppendIndented holds appendIndented to json.Indent on any compact JSON.
func FuzzAppendIndented(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `[{},[],{"a":[1,{"b":""}]}]`, `"\"\\"`, `{"\\":"\\\"{"}`, `1`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if !json.Valid(src) {
			return
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, src); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := appendIndented(nil, compact.Bytes()); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%q: got\n%s\nwant\n%s", compact.Bytes(), got, want.Bytes())
		}
	})
}

// BenchmarkIndentedJSON measures a block of 2,000 transactions' JSON, as
// GET /v1/blocks/{height} writes it.
func BenchmarkIndentedJSON(b *testing.B) {
	blk := &view.Block{Height: 9}
	for i := 0; i < 2000; i++ {
		blk.Txs = append(blk.Txs, view.TxSummary{Hash: ledger.Hash{byte(i)}, Nonce: uint64(i), Contract: "trace", Method: "record", Size: 310, Code: "OK"})
	}
	b.Run("encoder", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			encoderIndented(b, blk)
		}
	})
	b.Run("appendIndented", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			indentedJSON(blk)
		}
	})
}

// The 202 of POST /v1/txs is written by hand (acceptedJSON); a client
// must not tell it from WriteJSON's.
func TestAcceptedJSON(t *testing.T) {
	for _, h := range []ledger.Hash{{}, ledger.Sum([]byte("a transaction")), {0xff, 0x01}} {
		got, want := acceptedJSON(h), encoderIndented(t, SubmitResponse{Hash: h, Code: "OK"})
		if !bytes.Equal(got, want) {
			t.Fatalf("acceptedJSON(%s) =\n%s\nwant (WriteJSON's)\n%s", h, got, want)
		}
	}
}

// ParseAccepted reads back exactly what acceptedJSON writes, and nothing
// else: any other body goes to the client's JSON decoding.
func TestParseAccepted(t *testing.T) {
	for _, h := range []ledger.Hash{{}, ledger.Sum([]byte("a transaction")), {0xff, 0x01}} {
		got, ok := ParseAccepted(acceptedJSON(h))
		if !ok || got != h {
			t.Fatalf("ParseAccepted(acceptedJSON(%s)) = %s, %v", h, got, ok)
		}
	}
	h := ledger.Sum([]byte("a transaction"))
	good := string(acceptedJSON(h))
	for name, body := range map[string]string{
		"another code":      strings.Replace(good, `"OK"`, `"NO"`, 1),
		"compact JSON":      `{"tx_hash":"` + h.String() + `","code":"OK"}`,
		"no final newline":  strings.TrimSuffix(good, "\n"),
		"a hash not in hex": strings.Replace(good, h.String()[:2], "zz", 1),
		"a short hash":      strings.Replace(good, h.String(), h.String()[:62], 1),
		"empty":             "",
	} {
		if got, ok := ParseAccepted([]byte(body)); ok {
			t.Errorf("%s: ParseAccepted(%q) = %s, true; want false", name, body, got)
		}
	}
}
