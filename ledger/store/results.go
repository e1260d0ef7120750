package store

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger"
)

// Results. The executor's result of a transaction is its app-hash leaf
// (contracts.ResultLeaf), which begins with the transaction's 32-byte
// hash. The block holds the transaction and the index holds its hash, so
// the store keeps the leaf without it (since format 5: about 6 % of a
// store): CommitBlock refuses a result that does not begin with its
// transaction's hash and stores the rest under 'r' height ‖ position;
// TxResult and Results take the hashes from the caller, who read them from
// the block, and return the whole leaf again. The bytes stored are
// therefore not the leaf the results root commits to; the leaf returned
// is, byte for byte.

// resultValue is what the store keeps of result, the leaf of the
// transaction with hash txh.
func resultValue(h uint64, pos int, txh ledger.Hash, result []byte) ([]byte, error) {
	if !bytes.HasPrefix(result, txh[:]) {
		return nil, fmt.Errorf("commit block %d: result %d does not begin with its transaction's hash %s", h, pos, txh.Short())
	}
	return result[ledger.HashSize:], nil
}

// resultLeaf rebuilds the leaf from the stored value.
func resultLeaf(txh ledger.Hash, stored []byte) []byte {
	out := make([]byte, 0, ledger.HashSize+len(stored))
	return append(append(out, txh[:]...), stored...)
}

// Results returns the executor's results of every transaction of height,
// in block order, with one range read; txHashes are the hashes of the
// block's transactions, in order, as the caller read them from the block.
func (s *Store) Results(height uint64, txHashes []ledger.Hash) ([][]byte, error) {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: resultKey(height, 0), UpperBound: heightKey(prefixResult, height+1)})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := make([][]byte, 0, len(txHashes))
	for valid := it.First(); valid; valid = it.Next() {
		if want := resultKey(height, uint32(len(out))); string(it.Key()) != string(want) || len(out) == len(txHashes) {
			return nil, corrupt(height, "tx result", "missing for position %d, or more results than transactions", len(out))
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return nil, err
		}
		out = append(out, resultLeaf(txHashes[len(out)], v))
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if len(out) != len(txHashes) {
		return nil, corrupt(height, "tx result", "%d results for %d transactions", len(out), len(txHashes))
	}
	return out, nil
}

// TxResults is Results for a caller that has not read the block: it reads
// it for the transactions' hashes (one more block read than Results), and
// checks that it holds count transactions.
func (s *Store) TxResults(height uint64, count int) ([][]byte, error) {
	hashes := []ledger.Hash{}
	if count > 0 {
		blk, err := s.Block(height)
		if err != nil {
			return nil, err
		}
		if len(blk.Txs) != count {
			return nil, fmt.Errorf("tx results of height %d: asked for %d, the block holds %d transactions", height, count, len(blk.Txs))
		}
		hashes = TxHashes(blk.Txs)
	}
	return s.Results(height, hashes)
}

// TxResult returns the executor's result for the transaction at (height,
// pos), whose hash txHash the caller read from the block.
func (s *Store) TxResult(height uint64, pos uint32, txHash ledger.Hash) ([]byte, error) {
	v, err := s.get(resultKey(height, pos))
	if errors.Is(err, ErrNotFound) {
		return nil, corrupt(height, "tx result", "missing for position %d", pos)
	}
	if err != nil {
		return nil, err
	}
	return resultLeaf(txHash, v), nil
}

// TxHashes returns the hashes of txs, in order: what TxResults takes.
func TxHashes(txs []*ledger.Tx) []ledger.Hash {
	out := make([]ledger.Hash, len(txs))
	for i, tx := range txs {
		out[i] = tx.Hash()
	}
	return out
}
