package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestWasmDependencies proves the browser verifier's boundary
// (node/verdict's doc): built for the browser, it links nothing of the
// store, the node, the network or the consensus, only the verification
// rules (ledger, ledger/proof, genesis/anchor) and the contracts' payload
// decoders.
func TestWasmDependencies(t *testing.T) {
	goTool := goBinary(t)
	cmd := exec.Command(goTool, "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/cockroachdb/pebble", "github.com/libp2p/", "github.com/multiformats/",
		"github.com/qianchain/qianchain/ledger/store", "github.com/qianchain/qianchain/consensus",
		"github.com/qianchain/qianchain/genesis\n", "github.com/qianchain/qianchain/node/",
		"github.com/santhosh-tekuri/jsonschema", "net/http",
	}
	deps := string(out)
	for _, f := range forbidden {
		for _, d := range strings.Split(deps, "\n") {
			if strings.HasPrefix(d+"\n", f) && d != "github.com/qianchain/qianchain/node/verdict" {
				t.Errorf("the browser verifier links %s", d)
			}
		}
	}
	for _, want := range []string{"github.com/qianchain/qianchain/ledger/proof", "github.com/qianchain/qianchain/genesis/anchor", "github.com/qianchain/qianchain/node/verdict"} {
		if !strings.Contains(deps, want+"\n") {
			t.Errorf("the browser verifier does not link %s", want)
		}
	}
}

// TestWasmBuilds builds the browser verifier as node/web/verifier ships it.
func TestWasmBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the WebAssembly verifier (about a minute on a busy machine)")
	}
	out := filepath.Join(t.TempDir(), "qian-verify.wasm")
	cmd := exec.Command(goBinary(t), "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=js GOARCH=wasm go build: %v\n%s", err, b)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("qian-verify.wasm: %d bytes", fi.Size())
}

// goBinary is the go command of the toolchain running the test.
func goBinary(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH: %v", err)
	}
	return p
}
