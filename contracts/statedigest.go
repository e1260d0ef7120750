package contracts

import (
	"bytes"

	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/statedigest"
)

// Prior is what a block's execution continues from: the app hash after the
// previous block, and the state digest's Sum of the state the Store holds
// (the contract state and the transaction index after the previous block;
// ledger/statedigest). The node's store keeps both.
type Prior struct {
	AppHash ledger.Hash
	State   statedigest.Sum
}

// nextState is the Sum after a block: prior's, with each written key's old
// entry removed and its new one added, and each of the block's transactions
// added at its place. Its cost follows what the block changed: one BLAKE3
// expansion per written entry, old and new, and per transaction.
func nextState(blk *state.Block, prior *statedigest.Sum, writes []Write, height uint64, txs []ledger.Hash) (statedigest.Sum, error) {
	sum := *prior
	var h statedigest.Hasher
	for _, w := range writes {
		old, err := blk.Base(w.Key)
		if err != nil {
			return sum, err
		}
		if old != nil && w.Value != nil && bytes.Equal(old, w.Value) {
			continue // rewritten with the value it had: the set is unchanged
		}
		if old != nil {
			h.RemoveState(&sum, w.Key, old)
		}
		if w.Value != nil {
			h.AddState(&sum, w.Key, w.Value)
		}
	}
	for i, tx := range txs {
		h.AddTx(&sum, tx, height, uint32(i))
	}
	return sum, nil
}

// genesisState is the Sum of the genesis writes (no transactions).
func genesisState(writes []Write) statedigest.Sum {
	var sum statedigest.Sum
	var h statedigest.Hasher
	for _, w := range writes {
		if w.Value != nil {
			h.AddState(&sum, w.Key, w.Value)
		}
	}
	return sum
}
