package node

// Pruning (config storage.prune_below): once the node has committed the
// configured height, it deletes the block bodies and results below it
// (store.PruneBelow), once; headers, certificates, the validator-set
// history and the transaction index stay, so proofs of set changes and
// replay protection still work, and the API answers ERR_PRUNED for the
// deleted blocks (docs/operations.md, "Joining from a snapshot; archive
// nodes").

// prune runs after height h is stored.
func (c *Chain) prune(h uint64) {
	p := c.pruneBelow
	if p == 0 || h < p || c.st.BlockBase()+1 >= p {
		return
	}
	if err := c.st.PruneBelow(p); err != nil {
		c.log.Error("pruning failed; blocks are kept", "below", p, "err", err)
		return
	}
	c.log.Info("pruned block bodies", "below", p)
}
