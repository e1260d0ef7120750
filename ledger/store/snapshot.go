package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/statedigest"
)

// Snapshots (ledger/snapshot) read the state through a StateView and write
// a restored one with a Restore. The store knows nothing of the snapshot
// file or of how it is verified: it reads consistently and writes in one
// batch.

// StateView is the state after one height, read consistently while the
// node keeps committing: a Pebble snapshot taken between two batches, so
// at a height's batch boundary. Close it when done (it pins the files it
// reads).
type StateView struct {
	snap   *pebble.Snapshot
	Height uint64          // the height after which the state is read
	Sum    statedigest.Sum // the state digest's Sum after Height
}

// StateView opens a view of the state after the tip.
func (s *Store) StateView() (*StateView, error) {
	if !s.hasGenesis.Load() {
		return nil, errors.New("state view: store has no genesis")
	}
	snap := s.db.NewSnapshot()
	v := &StateView{snap: snap}
	tip, err := snapGet(snap, keyTip)
	if err == nil && len(tip) != 8 {
		err = corrupt(0, "tip", "value has %d bytes, want 8", len(tip))
	}
	if err != nil {
		snap.Close()
		return nil, fmt.Errorf("state view: %w", err)
	}
	v.Height = binary.BigEndian.Uint64(tip)
	sum, err := snapGet(snap, keyStateSum)
	if err == nil {
		v.Sum, err = statedigest.Decode(sum)
	}
	if err != nil {
		snap.Close()
		return nil, fmt.Errorf("state view at height %d: state digest: %w", v.Height, err)
	}
	return v, nil
}

func snapGet(snap *pebble.Snapshot, key []byte) ([]byte, error) {
	v, closer, err := snap.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	return append([]byte(nil), v...), nil
}

// Close releases the view.
func (v *StateView) Close() error { return v.snap.Close() }

// State calls fn for each state entry in ascending key order until fn
// returns an error, which State returns. key and value are valid only
// during the call.
func (v *StateView) State(fn func(key, value []byte) error) error {
	return v.scan([]byte{prefixState}, []byte{prefixState + 1}, func(k, val []byte) error { return fn(k[1:], val) })
}

// Txs calls fn for each committed transaction in ascending hash order (the
// transaction index: replay protection) until fn returns an error.
func (v *StateView) Txs(fn func(tx ledger.Hash, height uint64, pos uint32) error) error {
	return v.scan([]byte{prefixTx}, []byte{prefixTx + 1}, func(k, val []byte) error {
		if len(k) != 1+ledger.HashSize || len(val) != 12 {
			return corrupt(0, "tx index", "entry of %d/%d bytes", len(k), len(val))
		}
		return fn(ledger.Hash(k[1:]), binary.BigEndian.Uint64(val), binary.BigEndian.Uint32(val[8:]))
	})
}

func (v *StateView) scan(lower, upper []byte, fn func(k, val []byte) error) error {
	it, err := v.snap.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return err
	}
	defer it.Close()
	for valid := it.First(); valid; valid = it.Next() {
		val, err := it.ValueAndErr()
		if err != nil {
			return err
		}
		if err := fn(it.Key(), val); err != nil {
			return err
		}
	}
	return it.Error()
}

// Restore writes a verified snapshot into an empty store: state entries
// and transaction index entries accumulate in one Pebble batch, which
// Commit writes (synced) with the chain material the store needs to go on
// from the snapshot's height; nothing reaches the database before. The
// caller (ledger/snapshot) verifies everything first; the store checks
// only that the pieces fit together.
type Restore struct {
	s    *Store
	b    *pebble.Batch
	done bool // the batch is committed or discarded
}

// NewRestore starts restoring into s, which must hold no genesis.
func (s *Store) NewRestore() (*Restore, error) {
	if s.hasGenesis.Load() || s.Height() != 0 {
		return nil, errors.New("restore: the store already holds a chain; restore into an empty data directory")
	}
	return &Restore{s: s, b: s.db.NewBatch()}, nil
}

// Add stages one state entry.
func (r *Restore) Add(key, value []byte) error {
	if len(key) == 0 || value == nil {
		return errors.New("restore: empty state key or nil value")
	}
	_, err := r.s.putState(r.b, nil, Write{Key: key, Value: value})
	return err
}

// AddTx stages one transaction index entry.
func (r *Restore) AddTx(tx ledger.Hash, height uint64, pos uint32) error {
	loc := binary.BigEndian.AppendUint64(make([]byte, 0, 12), height)
	r.s.putTx(r.b, nil, tx, binary.BigEndian.AppendUint32(loc, pos))
	return nil
}

// Abort discards what was staged. It is harmless after Commit.
func (r *Restore) Abort() {
	if !r.done {
		r.done = true
		r.b.Close()
	}
}

// Base is the chain material a restored store keeps beside the state: the
// snapshot's height H and the block header and certificate there (the next
// block names them), the writes root's inputs and app hash of H, the
// validator-set history up to H+2 and, for each change, the header before
// it and that header's certificate, so that the node can prove the set
// changes as a node that holds every block does.
type Base struct {
	GenesisHash ledger.Hash
	Header      *ledger.Header // header of H
	Commit      *ledger.Commit // a certificate of header H
	AppHash     ledger.Hash    // AppHash(H), which header H+1 carries
	WritesTree  ledger.Hash
	Sum         statedigest.Sum // the state digest's Sum after H
	Sets        []SetSpan       // the validator-set history, From 1 first, up to H+2
	// Transitions are the header before each set change and its
	// certificate (ledger.Transition without the set, which Sets holds).
	Transitions []HeaderCert
}

// HeaderCert is a header and a certificate of it.
type HeaderCert struct {
	Header *ledger.Header
	Commit *ledger.Commit
}

// Commit writes the staged entries and base in one synced batch and marks
// the store as starting at base.Header.Height: no block at or below it
// (BlockBase).
func (r *Restore) Commit(base *Base) error {
	defer r.Abort()
	if base.Header == nil || base.Commit == nil || len(base.Sets) == 0 || base.Sets[0].From != 1 {
		return errors.New("restore: a header, its certificate and the validator-set history from height 1 are required")
	}
	h := base.Header.Height
	hash := base.Header.Hash()
	if base.Commit.Height != h || base.Commit.BlockHash != hash {
		return fmt.Errorf("restore: the certificate is not for header %d", h)
	}
	b := r.b
	putHeader := func(hd *ledger.Header, c *ledger.Commit) {
		hh := hd.Hash()
		enc := hd.Encode()
		_ = b.Set(heightKey(prefixHeader, hd.Height), append(append(make([]byte, 0, ledger.HashSize+len(enc)), hh[:]...), enc...), nil)
		_ = b.Set(hashKey(prefixHash, hh), u64(hd.Height), nil)
		_ = b.Set(heightKey(prefixCommit, hd.Height), c.Encode(), nil)
	}
	for _, t := range base.Transitions {
		if t.Header.Height < h {
			putHeader(t.Header, t.Commit)
		}
	}
	putHeader(base.Header, base.Commit)
	for _, sp := range base.Sets {
		_ = b.Set(validatorsKey(sp.From), sp.Set.Encode(), nil)
	}
	digest := base.Sum.Digest()
	_ = b.Set(writesRootKey(h), append(base.WritesTree[:], digest[:]...), nil)
	_ = b.Set(heightKey(prefixAppHash, h), base.AppHash[:], nil)
	_ = b.Set(keyStateSum, base.Sum.Encode(), nil)
	_ = b.Set(keyBase, u64(h), nil)
	_ = b.Set(keyGenesis, base.GenesisHash[:], nil)
	_ = b.Set(keyFormat, u64(Format), nil)
	_ = b.Set(keyTip, u64(h), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("restore at height %d: %w", h, err)
	}
	r.s.base.Store(h)
	r.s.tip.Store(h)
	r.s.hasGenesis.Store(true)
	return nil
}
