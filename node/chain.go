package node

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/contracts/upgrade"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/mempool"
	"github.com/qianchain/qianchain/node/sigcache"
)

// Chain is the node's side of consensus (the driver's Host): it builds the
// blocks this validator proposes, judges the blocks others propose, and
// executes and stores decided blocks. The consensus driver calls it from one
// goroutine; block sync calls it only while the driver is stopped.
type Chain struct {
	// chain is the identity (chain id, genesis hash) that every
	// certificate and piece of evidence this node accepts must be signed on.
	chain  ledger.ChainIdentity
	params genesis.ConsensusParams
	// sets is the validator set of each height (the store's history);
	// keys the validator keys this node holds (none for an observer; two
	// while it holds the next key of a rotation).
	sets *valHistory
	keys []ledger.PublicKey
	// onSets is told the tip after a stored block that scheduled a set or
	// after which a new set takes effect: the network follows the set.
	onSets  func(tip uint64)
	st      *store.Store
	app     Application
	pool    *mempool.Mempool
	sigs    *sigcache.Cache
	votes   *voteSigs // consensus and certificate signatures this node verified
	log     *slog.Logger
	metrics *Metrics
	events  *Hub
	// software is this binary's version, named when it stops for an
	// upgrade it does not know.
	software  string
	announced upgrade.Plan // the last plan logged, so it is logged once

	// emptyInterval: a proposer with nothing to propose waits this long
	// after the last commit before proposing an empty block.
	emptyInterval time.Duration
	// pruneBelow is config storage.prune_below (prune.go); 0 keeps all.
	pruneBelow uint64
	// snaps makes periodic snapshots (snapshots.go); nil makes none.
	snaps *snapshotter
	// flushes flushes the store's memtable at this validator's own
	// heights (flushphase.go); nil leaves flushing to Pebble.
	flushes *flushPhase
	// minInterval: a proposer with less than a full block waits this long
	// after the last commit (pace.go).
	minInterval time.Duration
	txArrived   <-chan struct{}
	ctx         context.Context

	mu         sync.Mutex
	lastCommit time.Time // local time the last block was stored
	evidence   []*ledger.DuplicateVoteEvidence
}

// ValidateBlock implements consensus.Application.
func (c *Chain) ValidateBlock(b *ledger.Block) error {
	err := c.verifyBlock(b, true)
	if err != nil {
		c.log.Warn("invalid proposal", "height", b.Header.Height, "err", err)
	}
	return err
}

// ProposeBlock builds this validator's block for height and round. With an
// empty mempool it first waits, up to the empty-block interval since the last
// commit, for a transaction to arrive, so that an idle chain makes one
// empty block per interval and a busy one proposes at once.
func (c *Chain) ProposeBlock(height uint64, round uint32) (*ledger.Block, error) {
	if n, _ := c.pool.Size(); n == 0 && round == 0 {
		c.mu.Lock()
		deadline := c.lastCommit.Add(c.emptyInterval)
		c.mu.Unlock()
		if wait := time.Until(deadline); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-c.txArrived:
				// Give the first transactions of a burst a moment to
				// gather into one block.
				time.Sleep(min(wait, 5*time.Millisecond))
			case <-c.ctx.Done():
			}
			t.Stop()
		}
	}
	// Leave room for the header, commit and evidence in the byte budget.
	budget := int(c.params.MaxBlockBytes) - 64<<10
	c.linger(round, budget)
	if err := c.ctx.Err(); err != nil {
		return nil, err // shutting down: propose nothing
	}
	if height != c.st.Height()+1 {
		return nil, fmt.Errorf("propose at %d: store is at %d", height, c.st.Height())
	}
	vals := c.sets.at(height)
	b := &ledger.Block{Header: ledger.Header{
		ChainID:            c.chain.ChainID(),
		Height:             height,
		Time:               time.Now().UnixNano(),
		ValidatorsHash:     vals.Hash(),
		NextValidatorsHash: c.sets.at(height + 1).Hash(),
		Proposer:           c.keyIn(vals),
	}}
	app, err := c.st.AppHash(height - 1)
	if err != nil {
		return nil, err
	}
	b.Header.AppHash = app
	if height > 1 {
		// The header alone: all a node restored from a snapshot holds of
		// its first height, and reading the whole previous block would
		// decode and hash its transactions at every height for two fields.
		prev, err := c.st.Header(height - 1)
		if err != nil {
			return nil, err
		}
		b.Header.PrevBlockHash = prev.Hash()
		b.Header.Time = max(b.Header.Time, prev.Time+1)
		if b.LastCommit, err = c.st.Commit(height - 1); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	b.Evidence = append(b.Evidence, c.evidence[:min(len(c.evidence), ledger.MaxEvidence)]...)
	c.mu.Unlock()
	b.Txs = c.dropCommitted(c.pool.Propose(int(c.params.MaxBlockTxs), budget))
	b.FillHeader()
	return b, nil
}

// committedHook is implemented by an Application that wants to hear of each
// block once it is stored (ContractsApp: to drop caches membership changed).
type committedHook interface{ Committed(ex *Execution) }

// dropCommitted removes from txs, and from the mempool, any transaction
// already in the ledger. The mempool should never hold one (see
// mempool.recent); this is the last line of defence, because one such
// transaction makes every block proposed from the mempool invalid.
func (c *Chain) dropCommitted(txs []*ledger.Tx) []*ledger.Tx {
	var stale []ledger.Hash
	out := txs[:0]
	for _, tx := range txs {
		h := tx.Hash()
		if ok, err := c.st.HasTx(h); err == nil && ok {
			stale = append(stale, h)
			continue
		}
		out = append(out, tx)
	}
	if len(stale) > 0 {
		c.log.Warn("dropped committed transactions from the mempool", "count", len(stale))
		c.pool.Remove(stale)
	}
	return out
}

// keyIn returns the key of this node that vals contains (zero if none).
func (c *Chain) keyIn(vals *ledger.ValidatorSet) ledger.PublicKey {
	for _, k := range c.keys {
		if vals.IndexOf(k) >= 0 {
			return k
		}
	}
	return ledger.PublicKey{}
}

// Commit implements the driver's Host: execute and store a decided block,
// and return the validator set of the next height.
func (c *Chain) Commit(d *consensus.Decision) (*ledger.ValidatorSet, error) {
	if err := c.commit(d.Block, d.Commit); err != nil {
		return nil, err
	}
	return c.sets.at(d.Height + 1), nil
}

// commit executes b and stores it with cmt in one synced batch, then updates
// the mempool and tells subscribers.
func (c *Chain) commit(b *ledger.Block, cmt *ledger.Commit) error {
	start := time.Now()
	prevApp, err := c.st.AppHash(b.Header.Height - 1)
	if err != nil {
		return err
	}
	var ex *Execution
	if ca, ok := c.app.(checkedApp); ok {
		ex, err = ca.ExecuteChecked(c.st, prevApp, &b.Header, b.Txs, c.pool.Checked)
	} else {
		ex, err = c.app.Execute(c.st, prevApp, &b.Header, b.Txs)
	}
	if err != nil {
		return fmt.Errorf("execute block %d: %w", b.Header.Height, err)
	}
	hashes := ex.TxHashes
	if len(hashes) != len(b.Txs) {
		hashes = make([]ledger.Hash, len(b.Txs))
		for i, tx := range b.Txs {
			hashes[i] = tx.Hash()
		}
	}
	h := b.Header.Height
	if err := c.st.CommitBlock(&store.Committed{Block: b, Commit: cmt, Results: ex.Results, Writes: ex.Writes, AppHash: ex.AppHash, TxHashes: hashes, NextValidators: ex.NextValidators, State: ex.State, WritesTree: ex.WritesTree}); err != nil {
		return err
	}
	c.prune(h)
	c.snaps.stored(h)
	if next := c.sets.at(h + 1); next != nil {
		c.flushes.stored(h, next.IndexOf(c.keyIn(next)), next.Size())
	}
	if ex.NextValidators != nil {
		c.sets.add(h+2, ex.NextValidators)
		c.log.Info("validator-set change scheduled", "approved_at", h, "effective", h+2, "validators", ex.NextValidators.Size(), "power", ex.NextValidators.TotalPower(), "hash", ex.NextValidators.Hash().Short())
	}
	if c.sets.startsAt(h + 1) {
		c.log.Info("a new validator set signs from the next height", "height", h+1, "validators", c.sets.at(h+1).Size(), "hash", c.sets.at(h+1).Hash().Short())
	}
	if ex.NextValidators != nil || c.sets.startsAt(h+1) {
		c.metrics.validatorSet(c.sets.at(h+1), c.sets.list(), h)
		if c.onSets != nil {
			c.onSets(h)
		}
	}
	if cm, ok := c.app.(committedHook); ok {
		cm.Committed(ex)
	}
	c.mu.Lock()
	prevCommit := c.lastCommit
	c.lastCommit = time.Now()
	c.evidence = dropIncluded(c.evidence, b.Evidence)
	c.mu.Unlock()
	c.pool.UpdateHashes(hashes, ex.AdmissionChanged)
	c.metrics.blockCommitted(b, time.Since(start), c.lastCommit.Sub(prevCommit))
	c.events.publish(BlockEvent{Height: b.Header.Height, Hash: b.Hash(), Time: b.Header.Time, TxCount: len(b.Txs), AppHash: ex.AppHash, Events: ex.Events})
	c.log.Debug("committed", "height", b.Header.Height, "hash", b.Hash().Short(), "txs", len(b.Txs), "took", time.Since(start).Round(time.Microsecond))
	return c.afterUpgrades(h, ex)
}

// Decided implements the driver's Host: a stored block and its commit.
func (c *Chain) Decided(height uint64) (*ledger.Block, *ledger.Commit, error) {
	b, err := c.st.Block(height)
	if err != nil {
		return nil, nil, err
	}
	cmt, err := c.st.Commit(height)
	if err != nil {
		return nil, nil, err
	}
	return b, cmt, nil
}

// Evidence implements the driver's Host: keep proof of a double vote for the
// next block this node proposes.
func (c *Chain) Evidence(ev *ledger.DuplicateVoteEvidence) {
	enc := string(ev.Encode())
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.evidence {
		if string(e.Encode()) == enc {
			return
		}
	}
	c.log.Warn("double vote detected", "validator", ev.A.Validator, "key", ev.Signer.Short(), "height", ev.A.Height, "round", ev.A.Round, "type", ev.A.Type)
	c.metrics.evidence.Inc()
	c.evidence = append(c.evidence, ev)
}

func dropIncluded(pending, included []*ledger.DuplicateVoteEvidence) []*ledger.DuplicateVoteEvidence {
	if len(included) == 0 {
		return pending
	}
	in := map[string]bool{}
	for _, e := range included {
		in[string(e.Encode())] = true
	}
	out := pending[:0]
	for _, e := range pending {
		if !in[string(e.Encode())] {
			out = append(out, e)
		}
	}
	return out
}
