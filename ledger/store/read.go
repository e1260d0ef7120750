package store

import (
	"encoding/binary"
	"errors"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger"
)

// Block returns the block at height, checked against the hash stored
// beside it.
func (s *Store) Block(height uint64) (*ledger.Block, error) {
	blk, _, err := s.blockAt(height)
	return blk, err
}

// BlockHash returns the hash of the block at height (from the stored block,
// whose header is checked against it).
func (s *Store) BlockHash(height uint64) (ledger.Hash, error) {
	_, h, err := s.blockAt(height)
	return h, err
}

func (s *Store) blockAt(height uint64) (*ledger.Block, ledger.Hash, error) {
	v, err := s.get(heightKey(prefixBlock, height))
	if err != nil {
		return nil, ledger.Hash{}, s.pruned(height, err)
	}
	if len(v) < ledger.HashSize {
		return nil, ledger.Hash{}, corrupt(height, "block", "entry of %d bytes is too short", len(v))
	}
	want := ledger.Hash(v[:ledger.HashSize])
	blk, err := ledger.DecodeBlock(v[ledger.HashSize:])
	if err != nil {
		return nil, ledger.Hash{}, corrupt(height, "block", "%v", err)
	}
	if got := blk.Hash(); got != want {
		return nil, ledger.Hash{}, corrupt(height, "block", "header hashes to %s, stored under %s", got.Short(), want.Short())
	}
	if blk.Header.Height != height {
		return nil, ledger.Hash{}, corrupt(height, "block", "block claims height %d", blk.Header.Height)
	}
	if err := blk.ValidateContents(); err != nil {
		return nil, ledger.Hash{}, corrupt(height, "block", "%v", err)
	}
	return blk, want, nil
}

// Header returns the header of the block at height, checked against the
// hash stored beside it, without reading the transactions: status pages and
// light readers poll the tip with it.
func (s *Store) Header(height uint64) (*ledger.Header, error) {
	v, err := s.get(heightKey(prefixHeader, height))
	if err != nil {
		return nil, s.pruned(height, err)
	}
	if len(v) < ledger.HashSize {
		return nil, corrupt(height, "header", "entry of %d bytes is too short", len(v))
	}
	h, err := ledger.DecodeHeader(v[ledger.HashSize:])
	if err != nil {
		return nil, corrupt(height, "header", "%v", err)
	}
	if got := h.Hash(); got != ledger.Hash(v[:ledger.HashSize]) {
		return nil, corrupt(height, "header", "hashes to %s, stored under %s", got.Short(), ledger.Hash(v[:ledger.HashSize]).Short())
	}
	if h.Height != height {
		return nil, corrupt(height, "header", "header claims height %d", h.Height)
	}
	return h, nil
}

// BlockByHash returns the block with hash h.
func (s *Store) BlockByHash(h ledger.Hash) (*ledger.Block, error) {
	v, err := s.get(hashKey(prefixHash, h))
	if err != nil {
		return nil, err
	}
	if len(v) != 8 {
		return nil, corrupt(0, "block hash index", "entry for %s has %d bytes", h.Short(), len(v))
	}
	height := binary.BigEndian.Uint64(v)
	blk, got, err := s.blockAt(height)
	if err != nil {
		return nil, err
	}
	if got != h {
		return nil, corrupt(height, "block hash index", "points at block %s, want %s", got.Short(), h.Short())
	}
	return blk, nil
}

// Commit returns this node's commit certificate for height, checked to be
// for the block stored at that height. (Signatures are the caller's to
// verify; see ledger.Commit.Verify.)
func (s *Store) Commit(height uint64) (*ledger.Commit, error) {
	v, err := s.get(heightKey(prefixCommit, height))
	if err != nil {
		return nil, s.pruned(height, err)
	}
	c, err := ledger.DecodeCommit(v)
	if err != nil {
		return nil, corrupt(height, "commit", "%v", err)
	}
	hdr, err := s.Header(height)
	if err != nil {
		return nil, err
	}
	hash := hdr.Hash()
	if c.Height != height || c.BlockHash != hash {
		return nil, corrupt(height, "commit", "certifies height %d block %s, stored block is %s", c.Height, c.BlockHash.Short(), hash.Short())
	}
	return c, nil
}

// AppHash returns the state commitment after executing height (0: genesis).
func (s *Store) AppHash(height uint64) (ledger.Hash, error) {
	v, err := s.get(heightKey(prefixAppHash, height))
	if err != nil {
		return ledger.Hash{}, s.pruned(height, err)
	}
	if len(v) != ledger.HashSize {
		return ledger.Hash{}, corrupt(height, "app hash", "value has %d bytes", len(v))
	}
	return ledger.Hash(v), nil
}

// TxLocation returns where the transaction with hash h was committed.
func (s *Store) TxLocation(h ledger.Hash) (height uint64, pos uint32, err error) {
	v, err := s.get(hashKey(prefixTx, h))
	if err != nil {
		return 0, 0, err
	}
	if len(v) != 12 {
		return 0, 0, corrupt(0, "tx index", "entry for %s has %d bytes", h.Short(), len(v))
	}
	return binary.BigEndian.Uint64(v), binary.BigEndian.Uint32(v[8:]), nil
}

// HasTx reports whether a transaction with hash h is committed. It is the
// ledger side of replay protection, cheap enough for mempool admission.
func (s *Store) HasTx(h ledger.Hash) (bool, error) {
	_, err := s.get(hashKey(prefixTx, h))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// TxAt is a committed transaction with its place and result.
type TxAt struct {
	Tx     *ledger.Tx
	Block  *ledger.Block
	Height uint64
	Pos    uint32
	Result []byte
}

// Tx returns the committed transaction with hash h, its block and result,
// checking that the index points at a transaction with that hash.
func (s *Store) Tx(h ledger.Hash) (*TxAt, error) {
	height, pos, err := s.TxLocation(h)
	if err != nil {
		return nil, err
	}
	blk, err := s.Block(height)
	if err != nil {
		return nil, err
	}
	if int(pos) >= len(blk.Txs) || blk.Txs[pos].Hash() != h {
		return nil, corrupt(height, "tx index", "entry for %s does not point at it", h.Short())
	}
	res, err := s.TxResult(height, pos, h)
	if err != nil {
		return nil, err
	}
	return &TxAt{Tx: blk.Txs[pos], Block: blk, Height: height, Pos: pos, Result: res}, nil
}

// Get returns a copy of the state value at key, or (nil, nil) when absent.
// With Iterate it makes *Store the committed-state reader the contracts
// execute against.
func (s *Store) Get(key []byte) ([]byte, error) {
	v, err := s.get(stateKey(key))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// Iterate calls fn for each state key in [lower, upper) in ascending byte
// order until fn returns false. A nil upper means no upper bound. key and
// value are valid only during the call.
func (s *Store) Iterate(lower, upper []byte, fn func(key, value []byte) bool) error {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: stateKey(lower), UpperBound: stateUpper(upper)})
	if err != nil {
		return err
	}
	defer it.Close()
	for valid := it.First(); valid; valid = it.Next() {
		k := it.Key()
		v, err := it.ValueAndErr()
		if err != nil {
			return err
		}
		if !fn(k[1:], v) {
			break
		}
	}
	return it.Error()
}
