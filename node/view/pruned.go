package view

import (
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/ledger/store"
)

// ErrPruned is a height, or a transaction committed at one, whose block
// this node does not hold: it started from a snapshot above it, or pruned
// it (ledger/store's base). The message names the lowest height the node holds; the
// API answers 410 Gone. An archive node holds every block (docs/
// operations.md, "Archive nodes and snapshots").
const ErrPruned = "ERR_PRUNED"

// asPruned turns a *store.PrunedError inside err into an ERR_PRUNED view
// error; ok is false for any other error.
func asPruned(err error) (error, bool) {
	var pe *store.PrunedError
	if !errors.As(err, &pe) {
		return nil, false
	}
	return &Error{Code: ErrPruned, Message: fmt.Sprintf("height %d is below this node's first block, %d (it started from a snapshot, or prunes old blocks): ask an archive node of the chain, which keeps every block", pe.Height, pe.Lowest)}, true
}

// Pruned is asPruned for the API's handlers that read the store directly.
func Pruned(err error) (error, bool) { return asPruned(err) }
