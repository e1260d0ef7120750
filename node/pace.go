package node

import "time"

// Pacing the proposer under load. Every height costs each validator a fixed
// amount of work whatever its size: two votes signed (each persisted with a
// synced write before it leaves), the others' votes and the last commit
// verified, the consensus log synced, a Pebble batch synced, the proposal
// encoded, sent, decoded and checked — about 4 ms of CPU per validator per
// height on the reference machine (docs/benchmarks.md, Headroom). Proposing
// the moment the last height is stored makes heights as short as a round
// trip, so a lightly loaded chain spends much of its CPU on heights of a
// few dozen transactions. A proposer therefore waits until
// consensus.min_block_interval after its last commit before proposing a
// block that is not full; a full block goes at once, an empty mempool waits
// for the empty-block interval as before (ProposeBlock), and a round after
// the first never waits (the height is already late).

// lingerUntil is when the proposer of round 0 should propose: not before
// lastCommit+minInterval, unless the mempool already holds a full block
// (txs or bytes at the block's limits). ok is false when it need not wait.
func lingerUntil(now, lastCommit time.Time, minInterval time.Duration, txs, bytes, maxTxs, maxBytes int) (until time.Time, ok bool) {
	if minInterval <= 0 || txs >= maxTxs || bytes >= maxBytes {
		return time.Time{}, false
	}
	until = lastCommit.Add(minInterval)
	return until, now.Before(until)
}

// linger waits, on the driver goroutine, until lingerUntil says to propose
// or the node stops.
func (c *Chain) linger(round uint32, maxBytes int) {
	if round > 0 {
		return
	}
	txs, bytes := c.pool.Size()
	c.mu.Lock()
	last := c.lastCommit
	c.mu.Unlock()
	until, ok := lingerUntil(time.Now(), last, c.minInterval, txs, bytes, int(c.params.MaxBlockTxs), maxBytes)
	if !ok {
		return
	}
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.ctx.Done():
	}
}
