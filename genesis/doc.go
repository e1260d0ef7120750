// Package genesis is the genesis document: the file every node and every
// auditor starts from. It names the chain, fixes the consensus parameters,
// lists the validators, the founding organisations and their observer
// nodes, and has a hash that identifies the chain.
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
// The founding ceremony (docs/operations.md, "Founding a consortium") is
// here too, as pure functions over documents: each organisation's
// JoinRequest (join.go, request.go) carries its organisation and node
// entries, signed by its admin, validator and node keys over a
// domain-separated message (tag "qian/join/v1", docs/encoding.md);
// Assemble makes a genesis from requests, refusing conflicts; Check is
// what each organisation runs on the result. A genesis keeps each
// request's signatures, and Validate verifies them, so no node loads a
// genesis whose founding entries were altered after they were signed.
//
// The package does no I/O beyond reading and writing those files, and
// imports nothing from consensus/ or node/.
package genesis
