// Package genesis is the genesis document: the file every node and every
// auditor starts from. It names the chain, fixes the consensus parameters,
// lists the validators and the founding organisations, and has a hash that
// identifies the chain.
//
// Load (or Parse) reads genesis.json strictly and validates every rule,
// returning a *FieldError naming the first field that breaks one, such as
// "validators[2].power: voting power is zero". Hash is the BIP-340 tagged
// hash "qian/genesis/v1" of a canonical binary encoding of the validated
// document (hash.go), so two files that differ only in white space, key
// order or the spelling of a duration describe the same chain, while any
// change of meaning makes another chain. docs/operations.md specifies the
// fields and the encoding, with a worked example whose hash a test checks.
//
// The package does no I/O beyond reading and writing the one file, and
// imports nothing from consensus/ or node/.
package genesis
