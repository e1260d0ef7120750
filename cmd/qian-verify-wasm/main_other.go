//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main says how to build the browser verifier: the command exists only as
// WebAssembly (main.go); on other platforms its logic is tested natively.
func main() {
	fmt.Fprintln(os.Stderr, "qian-verify-wasm runs in a browser: build it with GOOS=js GOARCH=wasm go build -trimpath -buildvcs=false -ldflags=-s\\ -w ./cmd/qian-verify-wasm (node/web/verifier ships the build)")
	os.Exit(2)
}
