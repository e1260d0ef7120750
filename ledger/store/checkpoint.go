package store

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Checkpoint writes a consistent copy of the store, as of one instant, into
// dir, which must not exist; dir on the store's file system makes the copy
// mostly hard links (cheap and quick). The store keeps serving reads and
// committing blocks meanwhile: every block is one atomic batch with the tip,
// so the copy holds whole blocks up to some height and opens with Open like
// the store itself. It returns that height (the copy's tip).
//
// Checkpoint may be called concurrently with every other method but Close.
func (s *Store) Checkpoint(dir string) (uint64, error) {
	// The copy's height is the tip it holds, read from the copy: blocks
	// committed during the call may or may not be in it.
	if err := s.db.Checkpoint(dir, pebble.WithFlushedWAL()); err != nil {
		return 0, fmt.Errorf("checkpoint store into %s: %w", dir, err)
	}
	c, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		return 0, fmt.Errorf("checkpoint store into %s: the copy does not open: %w", dir, err)
	}
	defer c.Close()
	return c.Height(), nil
}
