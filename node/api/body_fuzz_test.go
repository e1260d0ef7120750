package api

import (
	"encoding/hex"
	"encoding/json"
	"testing"
)

// FuzzSubmitBodies feeds arbitrary bodies to the parsers of POST /v1/txs
// and POST /v1/txs/batch: they never panic, and what they accept is exactly
// what the body says (the hex decodes to the bytes returned; every batch
// slot is either answered or handed on).
func FuzzSubmitBodies(f *testing.F) {
	f.Add("application/json", []byte(`{"tx":"0102"}`))
	f.Add("application/json", []byte(`{"txs":["01","zz","0a0b"]}`))
	f.Add("application/octet-stream", []byte{1, 2, 3})
	f.Add("", []byte(`{"tx": 12`))
	f.Add("application/json", []byte(`{"txs":[]}`))
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		raw, msg := parseSubmitBody(ctype, body)
		if msg == "" && ctype != "" && len(ctype) >= len("application/octet-stream") && ctype[:len("application/octet-stream")] == "application/octet-stream" {
			if string(raw) != string(body) {
				t.Fatal("an octet-stream body was changed")
			}
		} else if msg == "" {
			var req SubmitRequest
			if err := json.Unmarshal(body, &req); err != nil {
				t.Fatalf("accepted a body that is not JSON: %q", body)
			}
			if hex.EncodeToString(raw) != normalizeHex(req.Tx) {
				t.Fatalf("returned %x for tx %q", raw, req.Tx)
			}
		}
		req, code, _ := decodeBatch(body)
		if code != "" {
			return
		}
		n := len(req.Txs)
		resp, raws, at := parseBatchBody(req)
		if len(resp.Results) != n || len(raws) != len(at) || resp.Rejected+len(raws) != n {
			t.Fatalf("batch of %d: %d slots, %d handed on, %d answered", n, len(resp.Results), len(raws), resp.Rejected)
		}
	})
}

// normalizeHex lower-cases hex digits (hex.DecodeString accepts both cases).
func normalizeHex(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'F' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
