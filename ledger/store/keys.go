package store

import (
	"encoding/binary"

	"github.com/qianchain/qianchain/ledger"
)

// Table prefixes. See doc.go for the layout.
const (
	prefixMeta    = 'm'
	prefixBlock   = 'b'
	prefixHeader  = 'H'
	prefixHash    = 'h'
	prefixCommit  = 'c'
	prefixAppHash = 'a'
	prefixTx      = 't'
	prefixResult  = 'r'
	prefixState   = 's'
	// prefixValidators: see validators.go.
	prefixValidators = 'v'
)

var (
	keyTip     = []byte{prefixMeta, 't', 'i', 'p'}
	keyGenesis = []byte{prefixMeta, 'g', 'e', 'n', 'e', 's', 'i', 's'}
	keyFormat  = []byte{prefixMeta, 'f', 'o', 'r', 'm', 'a', 't'}
)

func heightKey(prefix byte, h uint64) []byte {
	k := make([]byte, 9)
	k[0] = prefix
	binary.BigEndian.PutUint64(k[1:], h)
	return k
}

func hashKey(prefix byte, h ledger.Hash) []byte {
	return appendHashKey(make([]byte, 0, 1+ledger.HashSize), prefix, h)
}

func resultKey(h uint64, pos uint32) []byte {
	return appendResultKey(make([]byte, 0, 13), h, pos)
}

func stateKey(key []byte) []byte {
	return appendStateKey(make([]byte, 0, 1+len(key)), key)
}

// The append forms write a key after dst, so that a block's batch builds
// its thousands of keys in one scratch buffer (pebble.Batch.Set copies the
// key) instead of allocating each.

func appendHashKey(dst []byte, prefix byte, h ledger.Hash) []byte {
	return append(append(dst, prefix), h[:]...)
}

func appendResultKey(dst []byte, h uint64, pos uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(append(dst, prefixResult), h), pos)
}

func appendStateKey(dst, key []byte) []byte {
	return append(append(dst, prefixState), key...)
}

// stateUpper returns the exclusive upper bound of state keys below upper, or
// the end of the state table when upper is nil.
func stateUpper(upper []byte) []byte {
	if upper == nil {
		return []byte{prefixState + 1}
	}
	return stateKey(upper)
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
