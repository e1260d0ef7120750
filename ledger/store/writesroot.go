package store

import (
	"errors"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
	"github.com/qianchain/qianchain/ledger/statedigest"
)

// Writes roots: one input of each height's app hash (docs/state.md section
// 2), the Merkle node over the RFC 6962 root of the height's state writes
// (the writes tree) and the state digest after the height
// (statedigest.WritesRoot). A proof bundle needs it to tie a transaction's
// stored result to the app hash in the next header (ledger/proof), and a
// snapshot of the height needs both its inputs to tie the state to that app
// hash (ledger/snapshot); the store cannot recompute either later, because
// state keeps only current values.
//
// Keys: 'w' height -> writes tree (32) ‖ state digest (32), written by
// CommitBlock in the height's batch.
//
// The state digest's Sum after the tip (2,048 bytes, ledger/statedigest),
// which the next block's execution updates, is kept under the meta key
// "statesum", written by InitGenesis and by every CommitBlock that carries
// one.

const prefixWritesRoot = 'w'

var keyStateSum = []byte{prefixMeta, 's', 't', 'a', 't', 'e', 's', 'u', 'm'}

func writesRootKey(h uint64) []byte { return heightKey(prefixWritesRoot, h) }

// WritesTree computes the RFC 6962 root of a block's writes, in the order
// given (the executor's: ascending key), each leaf
// statedigest.AppendWriteLeaf.
func WritesTree(ws []Write) ledger.Hash {
	leaves := make([]merkle.Hash, len(ws))
	var buf []byte
	for i, w := range ws {
		buf = statedigest.AppendWriteLeaf(buf[:0], w.Key, w.Value)
		leaves[i] = merkle.LeafHash(buf)
	}
	return merkle.Root(leaves)
}

// WritesRoot computes a block's writes root from its writes and the state
// digest after it.
func WritesRoot(ws []Write, stateDigest ledger.Hash) ledger.Hash {
	return statedigest.WritesRoot(WritesTree(ws), stateDigest)
}

// WritesRoot returns the writes root of height, or ErrNotFound for a
// height committed without one.
func (s *Store) WritesRoot(height uint64) (ledger.Hash, error) {
	tree, digest, err := s.WritesInputs(height)
	if err != nil {
		return ledger.Hash{}, err
	}
	return statedigest.WritesRoot(tree, digest), nil
}

// WritesInputs returns what height's writes root is made of: the root of
// its writes tree and the state digest after it.
func (s *Store) WritesInputs(height uint64) (tree, stateDigest ledger.Hash, err error) {
	v, err := s.get(writesRootKey(height))
	if err != nil {
		return tree, stateDigest, err
	}
	if len(v) != 2*ledger.HashSize {
		return tree, stateDigest, corrupt(height, "writes root", "value has %d bytes", len(v))
	}
	return ledger.Hash(v[:ledger.HashSize]), ledger.Hash(v[ledger.HashSize:]), nil
}

// StateSum returns the state digest's Sum after the tip: what the next
// block's execution starts from (contracts.Prior).
func (s *Store) StateSum() (statedigest.Sum, error) {
	v, err := s.get(keyStateSum)
	if errors.Is(err, ErrNotFound) {
		return statedigest.Sum{}, corrupt(s.Height(), "state digest", "the store keeps no state digest")
	}
	if err != nil {
		return statedigest.Sum{}, err
	}
	sum, err := statedigest.Decode(v)
	if err != nil {
		return sum, corrupt(s.Height(), "state digest", "%v", err)
	}
	return sum, nil
}

// genesisSum is the Sum of the genesis writes (the contracts compute the
// same in contracts.Genesis; no transaction is committed yet).
func genesisSum(writes []Write) statedigest.Sum {
	var sum statedigest.Sum
	var h statedigest.Hasher
	for _, w := range writes {
		if w.Value != nil {
			h.AddState(&sum, w.Key, w.Value)
		}
	}
	return sum
}
