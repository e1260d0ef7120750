package store

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// PruneBelow deletes the block bodies (transactions) and transaction
// results of every height below h, in one synced batch, and records h-1 as
// the store's base: such blocks then read as *PrunedError. It keeps what
// proofs of later heights and of validator-set changes need: every header
// (and its block-hash index entry), this node's certificate of every
// height, the app hashes, the writes roots, the validator-set history, and
// the transaction index (replay protection). The tip's block is never
// pruned: peers that lag ask for it. Heights already pruned are skipped.
func (s *Store) PruneBelow(h uint64) error {
	if !s.hasGenesis.Load() {
		return errors.New("prune: store has no genesis")
	}
	tip, base := s.Height(), s.BlockBase()
	if h > tip {
		return fmt.Errorf("prune below %d: the store is at %d, and keeps its tip's block", h, tip)
	}
	if h <= base+1 {
		return nil // nothing held below h
	}
	b := s.db.NewBatch()
	defer b.Close()
	_ = b.DeleteRange(heightKey(prefixBlock, base+1), heightKey(prefixBlock, h), nil)
	_ = b.DeleteRange(resultKey(base+1, 0), resultKey(h, 0), nil)
	_ = b.Set(keyBase, u64(h-1), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("prune below %d: %w", h, err)
	}
	s.base.Store(h - 1)
	return nil
}
