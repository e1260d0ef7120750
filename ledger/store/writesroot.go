package store

import (
	"encoding/binary"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// Writes roots: the RFC 6962 root over a height's state writes, one input of
// that height's app hash (docs/state.md section 2). A proof bundle needs it
// to tie a transaction's stored result to the app hash in the next header
// (ledger/proof); the store cannot recompute it later, because state keeps
// only current values.
//
// Keys: 'w' height -> 32-byte root, written by CommitBlock in the height's
// batch. Stores made before the key existed have no entry for their old
// heights, and WritesRoot reports ErrNotFound for them.

const prefixWritesRoot = 'w'

func writesRootKey(h uint64) []byte { return heightKey(prefixWritesRoot, h) }

// WritesRoot computes the writes root of a block's writes, in the order
// given (the executor's: ascending key): leaf data bytes(key) ‖ 00 for a
// delete, bytes(key) ‖ 01 ‖ bytes(value) for a set, bytes being a varint
// length and the bytes.
func WritesRoot(ws []Write) ledger.Hash {
	leaves := make([]merkle.Hash, len(ws))
	var buf []byte
	for i, w := range ws {
		buf = binary.AppendUvarint(buf[:0], uint64(len(w.Key)))
		buf = append(buf, w.Key...)
		if w.Value == nil {
			buf = append(buf, 0)
		} else {
			buf = append(buf, 1)
			buf = binary.AppendUvarint(buf, uint64(len(w.Value)))
			buf = append(buf, w.Value...)
		}
		leaves[i] = merkle.LeafHash(buf)
	}
	return merkle.Root(leaves)
}

// WritesRoot returns the stored writes root of height, or ErrNotFound for a
// height committed without one.
func (s *Store) WritesRoot(height uint64) (ledger.Hash, error) {
	v, err := s.get(writesRootKey(height))
	if err != nil {
		return ledger.Hash{}, err
	}
	if len(v) != ledger.HashSize {
		return ledger.Hash{}, corrupt(height, "writes root", "value has %d bytes", len(v))
	}
	return ledger.Hash(v), nil
}
