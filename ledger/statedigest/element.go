package statedigest

import (
	"crypto/sha256"
	"encoding/binary"

	"lukechampine.com/blake3"

	"github.com/qianchain/qianchain/ledger"
)

// Element kinds: the first byte of an element's data.
const (
	kindState = 0x01 // a contract state entry: bytes(key) ‖ bytes(value)
	kindTx    = 0x02 // a committed transaction: hash ‖ u64 height ‖ u32 position
)

// expansionKey keys BLAKE3 for element expansion, so that no other use of
// BLAKE3 in the world shares its outputs: SHA-256("qian/state/element/v1").
var expansionKey = sha256.Sum256([]byte("qian/state/element/v1"))

// Hasher adds and removes elements. It reuses its buffers, so it is not
// safe for concurrent use; keep one per goroutine. The zero value is ready.
type Hasher struct {
	h   *blake3.Hasher
	buf []byte
	out [Size]byte
	e   [words]uint64
}

// expand computes the element of data into h.e.
func (h *Hasher) expand(data []byte) *[words]uint64 {
	if h.h == nil {
		h.h = blake3.New(32, expansionKey[:])
	}
	h.h.Reset()
	h.h.Write(data)
	xof := h.h.XOF()
	// Read in halves of 1 KiB: the library spreads a longer single read
	// over goroutines, which nothing here should start.
	xof.Read(h.out[:Size/2])
	xof.Read(h.out[Size/2:])
	for i := range h.e {
		h.e[i] = binary.LittleEndian.Uint64(h.out[8*i:])
	}
	// Whatever the caller runs next must not pay for BLAKE3's AVX-512
	// registers (upper_amd64.go).
	cleanUpperState()
	return &h.e
}

// StateData is the element data of a state entry: 01 ‖ bytes(key) ‖
// bytes(value), bytes being a uvarint length then the bytes.
func StateData(dst, key, value []byte) []byte {
	dst = append(dst, kindState)
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	dst = binary.AppendUvarint(dst, uint64(len(value)))
	return append(dst, value...)
}

// TxData is the element data of a committed transaction: 02 ‖ hash(32) ‖
// u64 height ‖ u32 position, big-endian.
func TxData(dst []byte, tx ledger.Hash, height uint64, pos uint32) []byte {
	dst = append(dst, kindTx)
	dst = append(dst, tx[:]...)
	dst = binary.BigEndian.AppendUint64(dst, height)
	return binary.BigEndian.AppendUint32(dst, pos)
}

// AddState adds the state entry (key, value) to s.
func (h *Hasher) AddState(s *Sum, key, value []byte) {
	h.buf = StateData(h.buf[:0], key, value)
	s.add(h.expand(h.buf))
}

// RemoveState removes the state entry (key, value) from s. The caller must
// know it is there: removing an absent element gives the Sum of no set.
func (h *Hasher) RemoveState(s *Sum, key, value []byte) {
	h.buf = StateData(h.buf[:0], key, value)
	s.sub(h.expand(h.buf))
}

// AddTx adds the committed transaction tx, at position pos of block height,
// to s.
func (h *Hasher) AddTx(s *Sum, tx ledger.Hash, height uint64, pos uint32) {
	h.buf = TxData(h.buf[:0], tx, height, pos)
	s.add(h.expand(h.buf))
}
