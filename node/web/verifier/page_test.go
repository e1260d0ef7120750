package verifier

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/node/audit/audittest"
)

// testGenesis is the genesis encoding of a test chain of four validators.
func testGenesis(t *testing.T) []byte {
	t.Helper()
	return audittest.New(t, 4).Doc.Encode()
}

// The page pins the genesis it was given and inlines a module; it refuses
// what is not WebAssembly and a genesis that does not decode, and no
// inlined file can close its script early.
func TestPage(t *testing.T) {
	enc := testGenesis(t)
	wasm := append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte{0}, 100)...)
	page, err := Page(enc, wasm)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{CSP, hex.EncodeToString(enc), `id="result"`, `id="qian-wasm" data-encoding="gzip"`, "globalThis.Go"} {
		if !strings.Contains(s, want) {
			t.Errorf("the page lacks %.80q", want)
		}
	}
	if strings.Count(strings.ToLower(s), "</script>") != 4 {
		t.Errorf("%d closing script tags, want the 4 of page.html", strings.Count(strings.ToLower(s), "</script>"))
	}
	if len(Digest(page)) != 64 {
		t.Error("digest")
	}
	if _, err := Page(enc, []byte("<html>")); err == nil {
		t.Error("a page with a module that is not WebAssembly")
	}
	if _, err := Page(enc[:len(enc)-1], wasm); err == nil {
		t.Error("a page pinning a truncated genesis")
	}
}

// TestWasmExecMatchesToolchain holds wasm_exec.js to the one of the Go
// release building the verifier: the glue and the module must match.
func TestWasmExecMatchesToolchain(t *testing.T) {
	goroot := runtime.GOROOT()
	want, err := os.ReadFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		want, err = os.ReadFile(filepath.Join(goroot, "misc", "wasm", "wasm_exec.js"))
	}
	if err != nil {
		t.Skipf("no wasm_exec.js in GOROOT %s: %v", goroot, err)
	}
	if !bytes.Equal(want, []byte(wasmExecJS)) {
		t.Errorf("node/web/verifier/wasm_exec.js is not %s's (Go %s): copy it from $(go env GOROOT)/lib/wasm/", goroot, runtime.Version())
	}
}
