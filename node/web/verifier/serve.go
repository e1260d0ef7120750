package verifier

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/hex"
	"net/http"
	"strings"
)

//go:embed phone.js
var phoneJS string

// Handler serves what a node's consumer page needs to verify in the
// reader's browser (phone.js; docs/verification.md §9, "On the node's
// consumer page"): GET /verifier/phone.js, /verifier/wasm_exec.js,
// /verifier/qian-verify.wasm (gzip-compressed when the client accepts it,
// so a phone downloads the gzip size) and /verifier/genesis.hex, the
// node's genesis encoding — the node's claim, which phone.js holds to a
// genesis hash the reader brings (the label's ?genesis=, or the one this
// browser saw first) before it trusts it.
func Handler(genesisEnc, wasm []byte) http.Handler {
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(wasm)
	zw.Close()
	gz := z.Bytes()
	files := map[string]struct {
		typ  string
		body []byte
	}{
		"/verifier/phone.js":     {"text/javascript; charset=utf-8", []byte(phoneJS)},
		"/verifier/wasm_exec.js": {"text/javascript; charset=utf-8", []byte(wasmExecJS)},
		"/verifier/genesis.hex":  {"text/plain; charset=utf-8", []byte(hex.EncodeToString(genesisEnc))},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=3600")
		h.Set("X-Content-Type-Options", "nosniff")
		if r.URL.Path == "/verifier/qian-verify.wasm" {
			h.Set("Content-Type", "application/wasm")
			h.Add("Vary", "Accept-Encoding")
			if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				h.Set("Content-Encoding", "gzip")
				_, _ = w.Write(gz)
				return
			}
			_, _ = w.Write(wasm)
			return
		}
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h.Set("Content-Type", f.typ)
		_, _ = w.Write(f.body)
	})
}
