package verifier

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"strings"
	"text/template"

	"github.com/qianchain/qianchain/genesis/anchor"
)

var (
	//go:embed page.html
	pageHTML string
	//go:embed verifier.js
	verifierJS string
	//go:embed verifier.css
	verifierCSS string
	//go:embed wasm_exec.js
	wasmExecJS string
)

// CSP is the page's Content-Security-Policy: inline scripts and styles
// only (the page is one file), WebAssembly compiled from the page's own
// bytes, images from data: URLs, and connections to http(s) URLs only —
// the bundle's source, which the person or #bundle=URL names. No frame,
// form target or base URL.
const CSP = "default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'unsafe-inline'; " +
	"img-src data:; connect-src http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

var page = template.Must(template.New("page").Parse(pageHTML))

// pageData fills page.html. Everything but the escaped strings is
// base64, hex, or one of this package's own files.
type pageData struct {
	CSP, ChainID, GenesisHash, GenesisHex, WasmGzipBase64 string
	WasmBytes, WasmGzipBytes                              int
	Script, WasmExec, Style                               string
}

// Page returns the one-file verifier page pinning the genesis whose
// canonical encoding is genesisEnc (genesis.Doc.Encode), with wasm (a
// build of cmd/qian-verify-wasm) inlined gzip-compressed in base64; the
// page decompresses it with the browser's DecompressionStream.
func Page(genesisEnc, wasm []byte) ([]byte, error) {
	g, err := anchor.Decode(genesisEnc)
	if err != nil {
		return nil, fmt.Errorf("the genesis to pin: %w", err)
	}
	if !IsWasm(wasm) {
		return nil, errors.New("the verifier module is not WebAssembly (build cmd/qian-verify-wasm with GOOS=js GOARCH=wasm)")
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(wasm)
	zw.Close()
	d := pageData{CSP: CSP, ChainID: html.EscapeString(g.ChainID), GenesisHash: g.Hash.String(),
		GenesisHex: hex.EncodeToString(genesisEnc), WasmGzipBase64: base64.StdEncoding.EncodeToString(z.Bytes()),
		WasmBytes: len(wasm), WasmGzipBytes: z.Len(), Script: verifierJS, WasmExec: wasmExecJS, Style: verifierCSS}
	for _, s := range []string{d.Script, d.WasmExec, d.Style} {
		// Inlined as they are: a closing tag inside would end them early.
		if strings.Contains(strings.ToLower(s), "</script") || strings.Contains(strings.ToLower(s), "</style") {
			return nil, errors.New("an inlined file holds a closing tag")
		}
	}
	var out bytes.Buffer
	if err := page.Execute(&out, d); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Digest is the SHA-256 people compare to know they hold the genuine
// page, as `qian verifier-page` prints it.
func Digest(page []byte) string {
	s := sha256.Sum256(page)
	return hex.EncodeToString(s[:])
}
