package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/node/web/verifier"
)

func newVerifierPageCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verifier-page --genesis genesis.json -o verify.html",
		Short: "Write the one-file verifier page: the chain's genesis pinned, the verifier inlined, for a regulator to host or hand out",
		Long: `Write a single self-contained HTML file that verifies proof bundles and notary
certificates in the reader's own browser, against the genesis it pins (the chain id,
the genesis hash and the validators with their organisations, from the genesis
file's encoding). The verifier is qian verify's own code compiled to WebAssembly
(cmd/qian-verify-wasm), inlined; the page works from file:// and from any static
host, and makes no request but to a bundle's source: a bundle by file, by paste, by
its URL on any node, or a lot's Digital Link URL, whose events' bundles it fetches
from the node the link names. verify.html#bundle=URL verifies URL on load.
docs/verification.md, "The browser verifier", describes it.

It prints the file's SHA-256: publish it beside the page, so that people can check
they hold the genuine file.

The WebAssembly verifier is --wasm FILE, else the one built into this qian (-tags
verifierwasm, after go generate ./node/web/verifier), else the file QIAN_VERIFIER_WASM
names, else (run inside Qianchain's source tree with a go command) a fresh build of
cmd/qian-verify-wasm. To build one yourself:
  GOOS=js GOARCH=wasm go build -trimpath -buildvcs=false -ldflags='-s -w' -o qian-verify.wasm ./cmd/qian-verify-wasm`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error { return runVerifierPage(cmd, e) },
	}
	cmd.Flags().String("genesis", "", "the chain's genesis.json to pin (default: the home's)")
	cmd.Flags().StringP("output", "o", "verify.html", "the page to write")
	cmd.Flags().String("wasm", "", "a build of cmd/qian-verify-wasm (default: the one built into qian)")
	return cmd
}

func runVerifierPage(cmd *cobra.Command, e *env) error {
	doc, err := loadGenesis(cmd, "")
	if err != nil {
		return err
	}
	var wasm []byte
	if p, _ := cmd.Flags().GetString("wasm"); p != "" {
		if wasm, err = os.ReadFile(p); err != nil {
			return err
		}
		if !verifier.IsWasm(wasm) {
			return usagef("--wasm %s is not a WebAssembly module: build cmd/qian-verify-wasm with GOOS=js GOARCH=wasm", p)
		}
	}
	if len(wasm) == 0 {
		if wasm, _, err = findVerifierWasm(e.stderr, true); err != nil {
			return err
		}
	}
	if len(wasm) == 0 {
		return usagef("this qian carries no WebAssembly verifier: give --wasm qian-verify.wasm, built with GOOS=js GOARCH=wasm go build -trimpath -buildvcs=false -ldflags='-s -w' -o qian-verify.wasm ./cmd/qian-verify-wasm")
	}
	page, err := verifier.Page(doc.Encode(), wasm)
	if err != nil {
		return err
	}
	out, _ := cmd.Flags().GetString("output")
	if err := os.WriteFile(out, page, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d bytes) pinning chain %s, genesis %s\nSHA-256 %s\n", out, len(page), doc.ChainID, doc.Hash(), verifier.Digest(page))
	return nil
}
