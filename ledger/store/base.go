package store

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A store restored from a snapshot of height H starts there: it holds the
// state after H, the header and certificate of H and the headers of the
// validator-set changes before it, but no block at or below H. A store
// pruned below P (PruneBelow) keeps every header and certificate but no
// block body below P. The meta key "base" records H, or P-1 (absent, or 0,
// for a store that holds every block from genesis); a read of a block at
// or below it that the store does not hold is a *PrunedError, which names
// the lowest height whose block it holds.

var keyBase = []byte{prefixMeta, 'b', 'a', 's', 'e'}

// ErrPruned is matched (errors.Is) by every *PrunedError.
var ErrPruned = errors.New("height not held by this node")

// PrunedError reports a height below the store's first block.
type PrunedError struct {
	Height uint64 // what was asked for
	Lowest uint64 // the lowest height whose block the store holds
}

func (e *PrunedError) Error() string {
	return fmt.Sprintf("height %d is not held by this node: its first block is %d (it was restored from a snapshot, or pruned); ask an archive node", e.Height, e.Lowest)
}

// Is makes a *PrunedError match ErrPruned and ErrNotFound: a reader that
// only knows "not found" still handles it.
func (e *PrunedError) Is(target error) bool { return target == ErrPruned || target == ErrNotFound }

// BlockBase is the height the store starts at: 0 for a store that holds
// every block from genesis, H for one restored from a snapshot of H (its
// first block is H+1).
func (s *Store) BlockBase() uint64 { return s.base.Load() }

// loadBase reads the base at Open.
func (s *Store) loadBase() error {
	v, err := s.get(keyBase)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return err
	case len(v) != 8:
		return corrupt(0, "base", "value has %d bytes, want 8", len(v))
	}
	s.base.Store(binary.BigEndian.Uint64(v))
	return nil
}

// pruned turns a missing entry of height into a *PrunedError when height
// lies at or below the base.
func (s *Store) pruned(height uint64, err error) error {
	if base := s.base.Load(); base > 0 && height <= base && errors.Is(err, ErrNotFound) {
		return &PrunedError{Height: height, Lowest: base + 1}
	}
	return err
}
