package proof

import (
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// Source is the committed chain Build reads; *store.Store is one. Reads must
// return verified data (the store checks hashes on read).
type Source interface {
	Height() uint64
	GenesisHash() (ledger.Hash, error)
	TxLocation(h ledger.Hash) (height uint64, pos uint32, err error)
	Block(height uint64) (*ledger.Block, error)
	Commit(height uint64) (*ledger.Commit, error)
	TxResult(height uint64, pos uint32) ([]byte, error)
}

// WritesRootSource is implemented by a Source that keeps each height's
// writes root (docs/state.md). Without it Build cannot prove an outcome:
// the bundle then carries the result unproven.
type WritesRootSource interface {
	WritesRoot(height uint64) (ledger.Hash, error)
}

// Build assembles the bundle for the committed transaction txHash from st.
// vals is the chain's validator set (from genesis: the store does not keep
// it). A transaction st does not hold gives an *Error with code ErrNotFound.
func Build(st Source, txHash ledger.Hash, vals *ledger.ValidatorSet) (*Bundle, error) {
	panic("TODO")
}

// AttachBatchItem adds to b the proof that item is leaf p.Index of the batch
// b's transaction anchors (a notary.anchor_batch). It checks the path first.
func AttachBatchItem(b *Bundle, item ledger.Hash, p merkle.Proof) error {
	panic("TODO")
}
