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
	k := make([]byte, 1+ledger.HashSize)
	k[0] = prefix
	copy(k[1:], h[:])
	return k
}

func resultKey(h uint64, pos uint32) []byte {
	k := make([]byte, 13)
	k[0] = prefixResult
	binary.BigEndian.PutUint64(k[1:], h)
	binary.BigEndian.PutUint32(k[9:], pos)
	return k
}

func stateKey(key []byte) []byte {
	k := make([]byte, 1+len(key))
	k[0] = prefixState
	copy(k[1:], key)
	return k
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
