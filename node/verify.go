package node

import (
	"errors"
	"fmt"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/blocksync"
)

// maxClockDrift is how far ahead of this node's clock a proposed block's
// time may be. It only affects this node's prevote (validity in Algorithm 1
// is a local judgement); a proposer with a wild clock is voted down.
const maxClockDrift = 30 * time.Second

// verifyBlock checks a block proposed or synced at the next height against
// the committed chain: the header's links to the previous block, the app
// hash, the validator set, the last commit's signatures, limits, evidence,
// and every transaction (signature, not already committed, no repeats).
// checkClock adds the local-clock check that only applies to new proposals.
func (c *Chain) verifyBlock(b *ledger.Block, checkClock bool) error {
	h := &b.Header
	want := c.st.Height() + 1
	if h.ChainID != c.chain.ChainID() {
		return fmt.Errorf("block is for chain %q", h.ChainID)
	}
	if h.Height != want {
		return fmt.Errorf("block height %d, next height is %d", h.Height, want)
	}
	if err := b.ValidateContents(); err != nil {
		return err
	}
	// The sets of this height and the next follow from the executed
	// chain (a change approved by block h-2 or h-1 is already known).
	vals, next := c.sets.at(h.Height), c.sets.at(h.Height+1)
	if h.ValidatorsHash != vals.Hash() {
		return fmt.Errorf("block %d: validators hash %s is not the hash %s of the set of this height", h.Height, h.ValidatorsHash.Short(), vals.Hash().Short())
	}
	if h.NextValidatorsHash != next.Hash() {
		return fmt.Errorf("block %d: next validators hash %s is not the hash %s of the set of height %d", h.Height, h.NextValidatorsHash.Short(), next.Hash().Short(), h.Height+1)
	}
	if vals.IndexOf(h.Proposer) < 0 {
		return fmt.Errorf("block %d: proposer %s is not a validator of this height", h.Height, h.Proposer.Short())
	}
	prevApp, err := c.st.AppHash(h.Height - 1)
	if err != nil {
		return fmt.Errorf("read app hash %d: %w", h.Height-1, err)
	}
	if h.AppHash != prevApp {
		return fmt.Errorf("block %d: app hash %s, the state after block %d is %s", h.Height, h.AppHash.Short(), h.Height-1, prevApp.Short())
	}
	if h.Height > 1 {
		// The stored header (checked against its hash), not the whole
		// block: only its hash and time are needed, and the header is all
		// a node restored from a snapshot holds of its first height.
		prev, err := c.st.Header(h.Height - 1)
		if err != nil {
			return fmt.Errorf("read header %d: %w", h.Height-1, err)
		}
		prevHash := prev.Hash()
		if h.PrevBlockHash != prevHash {
			return fmt.Errorf("block %d: previous block hash %s, ours is %s", h.Height, h.PrevBlockHash.Short(), prevHash.Short())
		}
		if h.Time <= prev.Time {
			return fmt.Errorf("block %d: time %s is not after the previous block's %s", h.Height, h.Timestamp(), prev.Timestamp())
		}
		if err := b.LastCommit.VerifyWith(c.chain, c.sets.at(h.Height-1), h.Height-1, prevHash, c.votes); err != nil {
			return fmt.Errorf("block %d: last commit: %w", h.Height, err)
		}
	}
	if checkClock && h.Timestamp().After(time.Now().Add(maxClockDrift)) {
		return fmt.Errorf("block %d: time %s is more than %s ahead of this node's clock", h.Height, h.Timestamp(), maxClockDrift)
	}
	if uint64(len(b.Txs)) > c.params.MaxBlockTxs {
		return fmt.Errorf("block %d: %d transactions, limit %d", h.Height, len(b.Txs), c.params.MaxBlockTxs)
	}
	for i, ev := range b.Evidence {
		if ev.A.Height > h.Height {
			return fmt.Errorf("block %d: evidence %d is from the future", h.Height, i)
		}
		// Checked against the set of the votes' height: only a key that
		// was a validator there signed anything that counts.
		if err := ev.Verify(c.chain, c.sets.at(ev.A.Height)); err != nil {
			return fmt.Errorf("block %d: evidence %d: %w", h.Height, i, err)
		}
	}
	return c.verifyTxs(b)
}

// verifyTxs checks every transaction of b: size, uniqueness within the block
// and against the ledger, and signature. Signatures verified at admission are
// found in the cache; the rest are batch-verified on all cores.
func (c *Chain) verifyTxs(b *ledger.Block) error {
	hashes := make([]ledger.Hash, len(b.Txs))
	seen := make(map[ledger.Hash]struct{}, len(b.Txs))
	size := 0
	for i, tx := range b.Txs {
		enc := tx.EncodedLen()
		size += enc
		if uint64(enc) > c.params.MaxTxBytes {
			return fmt.Errorf("block %d: transaction %d is %d bytes, limit %d", b.Header.Height, i, enc, c.params.MaxTxBytes)
		}
		h := tx.Hash()
		hashes[i] = h
		if _, dup := seen[h]; dup {
			return fmt.Errorf("block %d: transaction %s appears twice", b.Header.Height, h.Short())
		}
		seen[h] = struct{}{}
		// A transaction waiting in this node's mempool is not committed (the
		// mempool never holds a committed one), so only the others need the
		// ledger lookup.
		if c.pool.Has(h) {
			continue
		}
		committed, err := c.st.HasTx(h)
		if err != nil {
			return fmt.Errorf("look up tx %s: %w", h.Short(), err)
		}
		if committed {
			return fmt.Errorf("block %d: transaction %s is already committed", b.Header.Height, h.Short())
		}
	}
	if uint64(size) > c.params.MaxBlockBytes {
		return fmt.Errorf("block %d: transactions total %d bytes, limit %d", b.Header.Height, size, c.params.MaxBlockBytes)
	}
	if bad := c.sigs.VerifyBatch(b.Txs, hashes); len(bad) > 0 {
		return fmt.Errorf("block %d: transaction %d (%s): %w", b.Header.Height, bad[0], hashes[bad[0]].Short(), ledger.ErrBadSignature)
	}
	return nil
}

// applySynced is the block-sync Applier: verify the block and its commit,
// then execute and store them.
func (c *Chain) applySynced(b *ledger.Block, cmt *ledger.Commit) error {
	if err := c.verifyBlock(b, false); err != nil {
		return fmt.Errorf("%w: %v", blocksync.ErrInvalidBlock, err)
	}
	if err := cmt.VerifyWith(c.chain, c.sets.at(b.Header.Height), b.Header.Height, b.Hash(), c.votes); err != nil {
		return fmt.Errorf("%w: %v", blocksync.ErrInvalidBlock, err)
	}
	return c.commit(b, cmt)
}

var errNotReady = errors.New("not ready")
