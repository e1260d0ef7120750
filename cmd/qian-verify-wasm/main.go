//go:build js && wasm

// Command qian-verify-wasm is the browser verifier: node/verdict (the
// report of qian verify, over ledger/proof and genesis/anchor) compiled to
// WebAssembly (GOOS=js GOARCH=wasm). node/web/verifier ships the build and
// the pages that use it (docs/verification.md, "The browser verifier").
//
// It defines one global object, qianVerifier, whose functions take and
// return strings, and then calls globalThis.onQianVerifierReady() if the
// page defined it:
//
//	qianVerifier.anchor(genesisHex) → JSON: the chain the genesis encoding
//	    names (chain id, genesis hash, validators with their organisations,
//	    the founding organisations), or {"error": sentence}
//	qianVerifier.verify(bundleText, genesisHex, optionsJSON) → JSON: the
//	    verdict (node/verdict.Verdict), what `qian verify --json` prints
//
// optionsJSON is {"event": hex, "file_sha256": hex, "file_name": name,
// "disclosures": [{"name": name, "text": file contents}]}, every key
// optional. Nothing here reads a file or the network: the page fetches, this
// checks. The functions run on the page's thread; a bundle takes
// milliseconds.
package main

import "syscall/js"

func main() {
	js.Global().Set("qianVerifier", js.ValueOf(map[string]any{
		"anchor": js.FuncOf(func(_ js.Value, args []js.Value) any { return describe(arg(args, 0)) }),
		"verify": js.FuncOf(func(_ js.Value, args []js.Value) any {
			return verify(arg(args, 0), arg(args, 1), arg(args, 2))
		}),
	}))
	if ready := js.Global().Get("onQianVerifierReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {} // the functions above live as long as the page
}

// arg is the i-th argument as a string ("" when absent or not a string).
func arg(args []js.Value, i int) string {
	if i >= len(args) || args[i].Type() != js.TypeString {
		return ""
	}
	return args[i].String()
}
