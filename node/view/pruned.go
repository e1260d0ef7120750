package view

import (
	"errors"
	"fmt"
	"strings"

	"github.com/qianchain/qianchain/ledger/store"
)

// ErrPruned is a height, or a transaction committed at one, whose block
// this node does not hold: it started from a snapshot above it, or pruned
// it (ledger/store's base). The API answers 410 Gone; the error names the
// lowest height the node holds (First) and the archive nodes configured in
// storage.archive_urls (Archive), which hold every block, so that a client
// can ask one of them the same path (docs/bad-input.md, ERR_PRUNED;
// docs/operations.md, "Joining from a snapshot; archive nodes").
const ErrPruned = "ERR_PRUNED"

// pruned turns a *store.PrunedError inside err into an ERR_PRUNED view
// error naming r's archive nodes; ok is false for any other error.
func (r *Reader) pruned(err error) (error, bool) {
	var pe *store.PrunedError
	if !errors.As(err, &pe) {
		return nil, false
	}
	where := "this node names no archive node (its operator has not set storage.archive_urls): ask the chain's operators for one, which keeps every block"
	if len(r.archive) > 0 {
		where = "ask an archive node of the chain, which keeps every block: " + strings.Join(r.archive, ", ")
	}
	return &Error{Code: ErrPruned, First: pe.Lowest, Archive: r.archive,
		Message: fmt.Sprintf("height %d is below this node's first block, %d (it started from a snapshot, or prunes old blocks); %s", pe.Height, pe.Lowest, where)}, true
}

// Pruned is pruned for the API's handlers that read the store directly.
func (r *Reader) Pruned(err error) (error, bool) { return r.pruned(err) }
