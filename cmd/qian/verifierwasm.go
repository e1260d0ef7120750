package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/qianchain/qianchain/node/web/verifier"
)

// verifierWasmEnv names a build of cmd/qian-verify-wasm for a qian built
// without one: the nodes of `qian start` and `qian devnet` serve it to
// the consumer page, and `qian verifier-page` inlines it.
const verifierWasmEnv = "QIAN_VERIFIER_WASM"

// findVerifierWasm returns the WebAssembly verifier this qian can use, and
// where it came from: the one built in (-tags verifierwasm), else the file
// QIAN_VERIFIER_WASM names, else (when build is set) a build of the source
// tree this qian runs in, which is where `go run ./cmd/qian devnet` runs:
// so a newcomer's devnet shows the consumer page's in-browser check
// without a release build. The go command's build cache makes the build a
// matter of seconds after the first. Nil when none is to be had; the
// pages then work as they do with scripts off.
func findVerifierWasm(log io.Writer, build bool) ([]byte, string, error) {
	if b := verifier.Embedded(); len(b) > 0 {
		return b, "built into this qian", nil
	}
	if p := os.Getenv(verifierWasmEnv); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", verifierWasmEnv, err)
		}
		if !verifier.IsWasm(b) {
			return nil, "", usagef("%s=%s is not a WebAssembly module: build cmd/qian-verify-wasm with GOOS=js GOARCH=wasm", verifierWasmEnv, p)
		}
		return b, p, nil
	}
	if !build {
		return nil, "", nil
	}
	root, ok := sourceRoot()
	if !ok {
		return nil, "", nil
	}
	fmt.Fprintf(log, "building the in-browser verifier from %s (GOOS=js GOARCH=wasm; the first build takes a minute)...\n", root)
	b, err := verifier.Build(root)
	if err != nil {
		return nil, "", err
	}
	return b, "built from " + root, nil
}

// sourceRoot finds Qianchain's module root at or above the working
// directory.
func sourceRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			if bytes.HasPrefix(mod, []byte("module github.com/qianchain/qianchain\n")) {
				if _, err := os.Stat(filepath.Join(dir, "cmd", "qian-verify-wasm")); err == nil {
					return dir, true
				}
			}
			return "", false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
