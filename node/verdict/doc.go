// Package verdict says what a proof bundle or a notary certificate proves,
// in the words a person checks: ledger/proof verifies it against the
// anchor (genesis/anchor), and this package reads what was proven through
// the contracts' decoders — the record (a trace capture as its EPCIS 2.0
// event), which organisations' validators signed, the trace events the
// proven outcome records, a certificate's item and file, personal-data
// disclosures opened against the commitments the proven events hold.
//
// It is the one report of `qian verify` (its --json is a Verdict) and of
// the browser verifier (cmd/qian-verify-wasm compiles this package to
// WebAssembly, and the page shows the same Verdict): the two cannot
// disagree because they are the same code. So the package does no I/O and
// imports nothing of the node, the store or libp2p (the wasm build and
// cmd/qian-verify-wasm's TestWasmDependencies prove it): ledger,
// ledger/proof, genesis/anchor and the contracts' payload decoders only.
//
// Check never fails: a bundle that does not verify is a Verdict with
// Verified false, the stable code of the first check that failed
// (docs/verification.md) and a sentence.
package verdict
