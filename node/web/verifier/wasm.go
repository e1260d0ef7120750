package verifier

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Embedded is the WebAssembly verifier built into this qian (-tags
// verifierwasm), or nil.
func Embedded() []byte { return embedded }

// BuildFlags are the flags the verifier is built with: no symbol table or
// DWARF (-s -w: a third smaller, and a panic's trace still names
// functions), no paths of the build machine, no VCS stamp, so that two
// builds of one commit by one Go release are the same bytes.
var BuildFlags = []string{"-trimpath", "-buildvcs=false", "-ldflags=-s -w"}

// Build builds cmd/qian-verify-wasm of the module at root with the go
// command on PATH (GOOS=js GOARCH=wasm) and returns the module's bytes.
// Tests and `go generate` use it; a release embeds its result.
func Build(root string) ([]byte, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return nil, errors.New("no go command on PATH to build the WebAssembly verifier")
	}
	dir, err := os.MkdirTemp("", "qian-verify-wasm")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "qian-verify.wasm")
	args := append(append([]string{"build"}, BuildFlags...), "-o", out, "./cmd/qian-verify-wasm")
	cmd := exec.Command(goTool, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("GOOS=js GOARCH=wasm go build ./cmd/qian-verify-wasm: %v: %s", err, stderr.Bytes())
	}
	return os.ReadFile(out)
}

// IsWasm reports whether b starts as a WebAssembly module does.
func IsWasm(b []byte) bool { return bytes.HasPrefix(b, []byte("\x00asm")) }
