// Package verifier ships the browser verifier: the one-file verifier page
// that `qian verifier-page` writes (Page), and the pieces of it — the
// WebAssembly build of cmd/qian-verify-wasm (node/verdict compiled for the
// browser), Go's wasm_exec.js glue and the page's own script — which it
// inlines (docs/verification.md, "The browser verifier").
//
// The page pins one chain: the genesis encoding (genesis.Doc.Encode) is in
// the file, and the in-browser check hashes those bytes itself
// (genesis/anchor), so the anchor does not come from the node whose bundle
// is checked. It makes no request but to a bundle's source: the page's
// Content-Security-Policy allows scripts and styles inline only and
// connections to http(s) URLs, which the person gives (a bundle's URL, a
// lot's Digital Link URL) or the page's #bundle=URL names.
//
// The WebAssembly build is not in the repository (it is several megabytes
// and follows the Go toolchain): Build makes it with the go command, and a
// qian built with -tags verifierwasm after `go generate ./node/web/verifier`
// carries one (Embedded). wasm_exec.js must be the one of the Go release
// that built the module; TestWasmExecMatchesToolchain holds the copy here
// to the toolchain's.
package verifier

//go:generate sh -c "GOOS=js GOARCH=wasm go build -trimpath -buildvcs=false -ldflags='-s -w' -o qian-verify.wasm ../../../cmd/qian-verify-wasm"
