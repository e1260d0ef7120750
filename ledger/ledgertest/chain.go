// Package ledgertest builds valid chains for tests: validator keys, signed
// transactions, and blocks with real commit certificates. It is a test
// harness (like etcd-io/raft's rafttest), imported only from tests.
package ledgertest

import (
	"encoding/binary"
	"fmt"

	"github.com/qianchain/qianchain/ledger"
)

// Key returns the deterministic private key with scalar n (n ≥ 1).
func Key(n uint64) ledger.PrivateKey {
	var b [32]byte
	binary.BigEndian.PutUint64(b[24:], n)
	k, err := ledger.PrivateKeyFromBytes(b[:])
	if err != nil {
		panic(err)
	}
	return k
}

// GenesisHash is the stand-in genesis hash of a test chain with this id:
// SHA-256 of "genesis of " and the id. A chain made here has no genesis
// document; its validators sign this hash as the real ones sign the hash of
// theirs.
func GenesisHash(chainID string) ledger.Hash { return ledger.Sum([]byte("genesis of " + chainID)) }

// Chain makes successive valid blocks signed by its validators.
type Chain struct {
	// Identity is what the validators sign: the chain id and
	// GenesisHash(chain id), unless a test sets another before signing.
	Identity   ledger.ChainIdentity
	Keys       []ledger.PrivateKey
	Validators *ledger.ValidatorSet
	// Time of the next block, in ns; advances by one second per block.
	Time int64

	height   uint64
	prevHash ledger.Hash
	prevCmt  *ledger.Commit
	appHash  ledger.Hash
	pending  *scheduled // a set change the next block's header names as next
}

// scheduled is a validator set (and its keys, in set order) that signs
// from height From.
type scheduled struct {
	From uint64
	Keys []ledger.PrivateKey
	Set  *ledger.ValidatorSet
}

// NewChain returns a chain with n validators of power 10 each, keys with
// scalars 1000..1000+n-1.
func NewChain(chainID string, n int) *Chain {
	c := &Chain{Identity: ledger.NewChainIdentity(chainID, GenesisHash(chainID)), Time: 1_764_000_000_000_000_000}
	var vals []ledger.Validator
	for i := 0; i < n; i++ {
		k := Key(uint64(1000 + i))
		c.Keys = append(c.Keys, k)
		vals = append(vals, ledger.Validator{PubKey: k.PublicKey(), Power: 10})
	}
	set, err := ledger.NewValidatorSet(vals)
	if err != nil {
		panic(err)
	}
	c.Validators = set
	return c
}

// ChainID is the chain id headers and transactions carry.
func (c *Chain) ChainID() string { return c.Identity.ChainID() }

// Height is the height of the last block made.
func (c *Chain) Height() uint64 { return c.height }

// Tx returns a transaction signed by key n with the given nonce.
func (c *Chain) Tx(n uint64, nonce uint64, payload []byte) *ledger.Tx {
	tx := &ledger.Tx{ChainID: c.ChainID(), Nonce: nonce, Contract: "test", Method: "put", Payload: payload}
	if err := tx.Sign(Key(n)); err != nil {
		panic(err)
	}
	return tx
}

// Schedule changes the validator set as a governance change approved by the
// last block made would (height h): the next block's header (h+1) names
// the new set as next, and the new set signs from h+2. keys are the new
// set's keys in index order; powers their powers (nil: 10 each). It
// returns the new set.
func (c *Chain) Schedule(keys []ledger.PrivateKey, powers []uint64) *ledger.ValidatorSet {
	vals := make([]ledger.Validator, len(keys))
	for i, k := range keys {
		vals[i] = ledger.Validator{PubKey: k.PublicKey(), Power: 10}
		if powers != nil {
			vals[i].Power = powers[i]
		}
	}
	set, err := ledger.NewValidatorSet(vals)
	if err != nil {
		panic(err)
	}
	c.pending = &scheduled{From: c.height + 2, Keys: keys, Set: set}
	return set
}

// SetAppHash sets the app hash the next block's header carries.
func (c *Chain) SetAppHash(h ledger.Hash) { c.appHash = h }

// Next makes the next block holding txs and a commit signed by all
// validators at round 0.
func (c *Chain) Next(txs []*ledger.Tx) (*ledger.Block, *ledger.Commit) {
	c.height++
	proposer := c.Keys[int(c.height)%len(c.Keys)]
	next := c.Validators
	if c.pending != nil && c.pending.From == c.height+1 {
		next = c.pending.Set
	}
	b := &ledger.Block{
		Header: ledger.Header{
			ChainID:            c.ChainID(),
			Height:             c.height,
			Time:               c.Time,
			PrevBlockHash:      c.prevHash,
			AppHash:            c.appHash,
			ValidatorsHash:     c.Validators.Hash(),
			NextValidatorsHash: next.Hash(),
			Proposer:           proposer.PublicKey(),
		},
		Txs:        txs,
		LastCommit: c.prevCmt,
	}
	b.FillHeader()
	c.Time += 1_000_000_000
	hash := b.Hash()
	cmt := c.Sign(c.height, 0, hash, len(c.Keys))
	c.prevHash, c.prevCmt = hash, cmt
	if next != c.Validators {
		c.Keys, c.Validators, c.pending = c.pending.Keys, c.pending.Set, nil
	}
	return b, cmt
}

// Sign returns a commit for hash at (height, round) signed by the first n
// validators.
func (c *Chain) Sign(height uint64, round uint32, hash ledger.Hash, n int) *ledger.Commit {
	cmt := &ledger.Commit{Height: height, Round: round, BlockHash: hash}
	for i := 0; i < n; i++ {
		v := &ledger.Vote{Type: ledger.Precommit, Height: height, Round: round, BlockHash: &hash, Validator: uint16(i)}
		if err := v.Sign(c.Identity, c.Keys[i]); err != nil {
			panic(fmt.Sprintf("sign precommit: %v", err))
		}
		cmt.Sigs = append(cmt.Sigs, ledger.CommitSig{Validator: uint16(i), Sig: v.Sig})
	}
	return cmt
}
