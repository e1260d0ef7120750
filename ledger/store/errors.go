package store

import (
	"fmt"

	"github.com/qianchain/qianchain/ledger"
)

// ErrNotFound is returned for a height, hash or key the store does not hold.
// It is ledger.ErrNotFound, which readers of a chain through an interface
// match (ledger/proof).
var ErrNotFound = ledger.ErrNotFound

// CorruptionError reports stored data that fails its check on read. The
// store never returns such data.
type CorruptionError struct {
	Height uint64 // 0 when the entry is not tied to a height
	What   string // which entry, e.g. "block", "commit"
	Reason string
}

func (e *CorruptionError) Error() string {
	if e.Height == 0 {
		return fmt.Sprintf("store corrupted: %s: %s", e.What, e.Reason)
	}
	return fmt.Sprintf("store corrupted at height %d: %s: %s", e.Height, e.What, e.Reason)
}

func corrupt(h uint64, what, format string, args ...any) error {
	return &CorruptionError{Height: h, What: what, Reason: fmt.Sprintf(format, args...)}
}
