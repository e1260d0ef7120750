package ledger

import (
	"errors"
	"fmt"
)

// ChainIdentity names exactly one chain: its chain id and the hash of its
// genesis document. Every validator signature (votes, proposals, and so the
// precommits of a commit certificate) signs both, so nothing signed for one
// chain counts on another, even one that shares its chain id and validator
// keys (a relaunch, a staging chain reusing keys): their genesis hashes
// differ.
//
// Nodes and verifiers get theirs from the genesis file they hold
// (genesis.Doc.Identity), never from what a peer or a bundle says. The
// fields are unexported so that a caller cannot build one with the hash
// left out; NewChainIdentity takes both.
type ChainIdentity struct {
	chainID string
	genesis Hash
}

// NewChainIdentity returns the identity of the chain with this id and
// genesis hash. Nodes and verifiers call genesis.Doc.Identity instead;
// this is for code below the genesis package (tests, tools).
func NewChainIdentity(chainID string, genesisHash Hash) ChainIdentity {
	return ChainIdentity{chainID: chainID, genesis: genesisHash}
}

// ChainID is the chain id, as headers and transactions carry it.
func (c ChainIdentity) ChainID() string { return c.chainID }

// GenesisHash is the hash of the chain's genesis document.
func (c ChainIdentity) GenesisHash() Hash { return c.genesis }

// ErrNoChainIdentity is returned by Sign and Verify methods given an
// identity without a valid chain id or with a zero genesis hash: a caller's
// mistake, refused rather than signed or checked against half an identity.
var ErrNoChainIdentity = errors.New("no chain identity: a chain id and a genesis hash are both required")

// Validate reports whether c names a chain: a valid chain id and a
// non-zero genesis hash.
func (c ChainIdentity) Validate() error {
	if err := ValidateChainID(c.chainID); err != nil {
		return fmt.Errorf("%w: %v", ErrNoChainIdentity, err)
	}
	if c.genesis.IsZero() {
		return fmt.Errorf("%w: the genesis hash is zero", ErrNoChainIdentity)
	}
	return nil
}

// String is "chain-id (genesis 1a2b3c4d)", for logs and errors.
func (c ChainIdentity) String() string {
	return fmt.Sprintf("%s (genesis %s)", c.chainID, c.genesis.Short())
}

// encode writes the identity as every sign-bytes layout begins:
// string chain_id ‖ hash genesis_hash (docs/encoding.md).
func (c ChainIdentity) encode(e *encoder) {
	e.string(c.chainID)
	e.fixed(c.genesis[:])
}
