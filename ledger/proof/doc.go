// Package proof makes and checks proof bundles: self-contained JSON files
// that prove, to anyone holding the chain's genesis file and nothing else,
// that a transaction was committed at a height and time, by which validators,
// and (when the next block exists) what its execution produced.
//
// One bundle carries: the transaction's canonical encoding; its RFC 6962
// inclusion path to the header's tx_root; the header; a commit certificate
// for that header (the chain's own, block h+1's last_commit, when h+1
// exists); the validator set, which the verifier checks against genesis;
// when h+1 exists, header h+1 with its own certificate and the transaction's
// stored result with its path into the app hash that header h+1 carries; and
// optionally a notary batch item's path to the root the transaction anchored.
// docs/verification.md specifies the format field by field and the algorithm
// step by step, so that an outside auditor can re-implement Verify.
//
// Build assembles a bundle from a node's store; ParseBundle reads one
// strictly; Verify checks it against an Anchor (what the verifier trusts,
// taken from genesis.json) and returns a Report of what was proved, or an
// *Error with a stable code and a sentence saying what failed. `qian verify`,
// the web pages' verification panel and `qian audit` share this code.
//
// Every readable field of a bundle (heights, times, hashes, signer lists,
// result codes) is a convenience copy of something inside a canonical
// encoding; Verify recomputes each from the encodings and rejects a bundle
// whose copy disagrees, so that what a person reads is what was checked. Any
// single changed byte of a bundle's JSON, other than white space, makes
// Verify fail.
//
// The package does no I/O beyond the store reads of Build, and imports
// nothing from contracts/ or node/: the result leaf and app-hash link it
// checks are the protocol formats of docs/state.md.
package proof
