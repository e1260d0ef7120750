// Package anchor reads what a verifier trusts from a chain's genesis
// encoding: the bytes the genesis hash is the tagged hash of
// (genesis.Doc.Encode, docs/operations.md "Genesis hash").
//
// A verifier that holds the genesis encoding needs nothing else to know
// the chain: Decode hashes the bytes it is given, so the chain identity
// (chain id and genesis hash) and the validator set it returns come from
// the same bytes and cannot disagree, and a genesis hash printed on a
// label or published by the operators pins all of it. The browser
// verifier (cmd/qian-verify-wasm) is given the encoding, not genesis.json:
// reading genesis.json means package genesis, which validates libp2p peer
// ids and so imports libp2p; this package imports only the ledger and
// ledger/proof, and compiles to WebAssembly.
//
// Decode is strict, as every decoder of the project: shortest varints, no
// byte left over, every count bounded by what remains. It checks what a
// verifier relies on (a valid validator set, valid keys) and nothing of the
// rest of genesis.Validate: a genesis that was never valid has no chain
// that could sign for it. `qian verify` builds its anchor through Decode
// too (from genesis.Doc.Encode), so both verifiers take the anchor the same
// way; anchor_test.go holds Decode against package genesis.
package anchor
