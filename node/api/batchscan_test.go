package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// scanBatch answers only what json.Unmarshal would, and takes the bodies
// gateways send.
func TestScanBatchAgreesWithJSON(t *testing.T) {
	for body, fast := range map[string]bool{
		`{"txs":["01","0a0B"]}`:                  true,
		" {\n\t\"txs\" : [ \"ff\" ,\"\" ] }\r\n": true,
		`{"txs":[]}`:                             true,
		`{"txs":["zz"]}`:                         false, // not hex: encoding/json takes it, parseBatchBody answers it
		`{"txs":["0\u0031"]}`:                    false, // an escape
		`{"TXS":["01"]}`:                         false, // encoding/json matches keys without case
		`{"txs":["01"],"txs":["02"]}`:            false, // the last duplicate wins there
		`{"txs":["01"],"other":1}`:               false,
		`{"txs":null}`:                           false,
		`{"txs":["01",]}`:                        false, // not JSON at all
		`{"txs":["01"]} x`:                       false,
		`{"txs":["01"]`:                          false,
		`{"txs":[01]}`:                           false,
		``:                                       false,
	} {
		got, ok := scanBatch([]byte(body))
		if ok != fast {
			t.Errorf("%q: scanBatch took it %v, want %v", body, ok, fast)
			continue
		}
		if !ok {
			continue
		}
		var want BatchRequest
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatalf("%q: scanBatch took a body encoding/json refuses: %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: scanBatch %#v, encoding/json %#v", body, got, want)
		}
	}
}

// FuzzScanBatch: whatever scanBatch takes, encoding/json takes and reads the
// same.
func FuzzScanBatch(f *testing.F) {
	for _, s := range []string{`{"txs":["01","0a0B"]}`, `{"txs":[]}`, ` { "txs" : [ "" ] } `, `{"txs":["01"],"txs":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := scanBatch(body)
		if !ok {
			return
		}
		var want BatchRequest
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("%q: scanBatch took a body encoding/json refuses: %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: scanBatch %#v, encoding/json %#v", body, got, want)
		}
	})
}

// BenchmarkDecodeBatch decodes a gateway's batch of 50 transactions of
// about 300 bytes, with scanBatch and with encoding/json alone.
func BenchmarkDecodeBatch(b *testing.B) {
	req := BatchRequest{}
	for i := 0; i < 50; i++ {
		req.Txs = append(req.Txs, strings.Repeat("0a", 300))
	}
	body, _ := json.Marshal(req)
	b.Run("scanBatch", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, code, _ := decodeBatch(body); code != "" {
				b.Fatal(code)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var r BatchRequest
			if err := json.Unmarshal(body, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
