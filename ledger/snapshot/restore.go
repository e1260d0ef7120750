package snapshot

import (
	"bytes"
	"encoding/binary"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/statedigest"
	"github.com/qianchain/qianchain/ledger/store"
)

// Restorer rebuilds a verified snapshot's state into an empty store, chunk
// by chunk in manifest order: each chunk is checked against the manifest,
// its entries decoded, checked to be in order and added to the state
// digest's Sum and to the store's staged batch. Finish checks the Sum
// against the digest the proven app hash commits to and only then writes.
type Restorer struct {
	v       *Verified
	r       *store.Restore
	h       statedigest.Hasher
	sum     statedigest.Sum
	next    int
	lastKey []byte // the last state key added
	lastTx  *ledger.Hash
	states  uint64
	txs     uint64
}

// Restore starts restoring v into st, which must be empty.
func (v *Verified) Restore(st *store.Store) (*Restorer, error) {
	r, err := st.NewRestore()
	if err != nil {
		return nil, err
	}
	return &Restorer{v: v, r: r}, nil
}

// Next is the index of the chunk Add expects.
func (r *Restorer) Next() int { return r.next }

// Add checks and stages the next chunk.
func (r *Restorer) Add(data []byte) error {
	i := r.next
	if err := r.v.CheckChunk(i, data); err != nil {
		return err
	}
	for p := 0; p < len(data); {
		n, err := r.entry(data[p:])
		if err != nil {
			return fail(ErrChunk, "chunk %d, offset %d: %v", i, p, err)
		}
		p += n
	}
	r.next++
	return nil
}

type entryError string

func (e entryError) Error() string { return string(e) }

// entry decodes and stages the entry at the start of b and returns its
// length.
func (r *Restorer) entry(b []byte) (int, error) {
	switch b[0] {
	case 0x01:
		key, n1, ok := field(b[1:])
		if !ok || len(key) == 0 {
			return 0, entryError("a state entry's key does not decode")
		}
		val, n2, ok := field(b[1+n1:])
		if !ok {
			return 0, entryError("a state entry's value does not decode")
		}
		if r.lastTx != nil || r.lastKey != nil && bytes.Compare(key, r.lastKey) <= 0 {
			return 0, entryError("state entries out of key order")
		}
		r.lastKey = append(r.lastKey[:0], key...)
		if val == nil {
			val = []byte{}
		}
		r.h.AddState(&r.sum, key, val)
		r.states++
		return 1 + n1 + n2, r.r.Add(key, val)
	case 0x02:
		if len(b) < 1+ledger.HashSize+12 {
			return 0, entryError("a transaction entry is cut short")
		}
		tx := ledger.Hash(b[1 : 1+ledger.HashSize])
		height := binary.BigEndian.Uint64(b[1+ledger.HashSize:])
		pos := binary.BigEndian.Uint32(b[1+ledger.HashSize+8:])
		if r.lastTx != nil && bytes.Compare(tx[:], r.lastTx[:]) <= 0 {
			return 0, entryError("transaction entries out of hash order")
		}
		if height == 0 || height > r.v.Manifest.Height {
			return 0, entryError("a transaction entry at a height the snapshot does not cover")
		}
		r.lastTx = &tx
		r.h.AddTx(&r.sum, tx, height, pos)
		r.txs++
		return 1 + ledger.HashSize + 12, r.r.AddTx(tx, height, pos)
	default:
		return 0, entryError("an entry of unknown kind")
	}
}

// field reads a uvarint length and that many bytes.
func field(b []byte) ([]byte, int, bool) {
	l, n := binary.Uvarint(b)
	if n <= 0 || l > uint64(len(b)-n) {
		return nil, 0, false
	}
	return b[n : n+int(l)], n + int(l), true
}

// Finish checks that every chunk was added and that the state they hold
// is the one the proven app hash commits to, then writes it and the chain
// material in one batch. After an error nothing is written; call Abort.
func (r *Restorer) Finish() error {
	m := r.v.Manifest
	if r.next != len(m.Chunks) {
		return fail(ErrChunk, "%d of %d chunks restored", r.next, len(m.Chunks))
	}
	if r.states != m.StateEntries || r.txs != m.TxEntries {
		return fail(ErrState, "the chunks hold %d state and %d transaction entries, the manifest says %d and %d", r.states, r.txs, m.StateEntries, m.TxEntries)
	}
	if got := r.sum.Digest(); got != m.StateDigest {
		return fail(ErrState, "the chunks' state digest is %s; the proven app hash commits to %s", got, m.StateDigest)
	}
	base := r.v.base
	base.Sum = r.sum
	return r.r.Commit(&base)
}

// Abort discards what was staged.
func (r *Restorer) Abort() { r.r.Abort() }

// RestoreFile verifies the snapshot file at path against a and restores it
// into st (empty), reporting progress after each chunk when progress is
// set. On any error nothing is written to st.
func RestoreFile(path string, st *store.Store, a Anchor, progress func(Progress)) (*Manifest, error) {
	f, err := OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	v, err := Verify(f.Manifest, f.Proof, a)
	if err != nil {
		return nil, err
	}
	r, err := v.Restore(st)
	if err != nil {
		return nil, err
	}
	defer r.Abort()
	var done int64
	for i := range f.Manifest.Chunks {
		data, err := f.Chunk(i)
		if err != nil {
			return nil, err
		}
		if err := r.Add(data); err != nil {
			return nil, err
		}
		done += int64(len(data))
		if progress != nil {
			progress(Progress{Chunks: i + 1, TotalChunks: len(f.Manifest.Chunks), Bytes: done})
		}
	}
	if err := r.Finish(); err != nil {
		return nil, err
	}
	return f.Manifest, nil
}
