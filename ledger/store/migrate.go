package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger"
)

// Format 4 stores kept each result whole, its transaction's hash first;
// format 5 keeps it without the hash (results.go). Open converts a format 4
// store opened for writing: every held height's results are rewritten in
// synced batches of about migrateBatchTxs results, each recording the last
// height it converted under keyMigrate, so that a conversion interrupted
// at any instant goes on where it stopped when the store is opened again;
// the last batch records format 5 and removes keyMigrate. Nothing else
// differs between the formats, and the app hashes and proofs do not change.

// formatWholeResults is the last format whose results hold their
// transaction's hash.
const formatWholeResults = 4

var keyMigrate = []byte{prefixMeta, 'm', 'i', 'g', 'r', 'a', 't', 'e', '5'}

// migrateBatchTxs is how many results one batch of the conversion rewrites
// (a few MB).
const migrateBatchTxs = 20_000

// migrateResults converts a format 4 store to format 5 (see above). The
// base must be loaded. It logs its progress to log.
func (s *Store) migrateResults(log *slog.Logger) error {
	tip := s.Height()
	from := s.base.Load() + 1
	switch v, err := s.get(keyMigrate); {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	case len(v) != 8:
		return corrupt(0, "format conversion", "value has %d bytes, want 8", len(v))
	default:
		from = binary.BigEndian.Uint64(v) + 1
	}
	log.Info("store: converting from format 4 to 5: results without their transaction's hash", "from_height", from, "to_height", tip)
	start, last := time.Now(), time.Now()
	var converted uint64
	b := s.db.NewBatch()
	defer func() { b.Close() }()
	n := 0
	for h := from; h <= tip; h++ {
		blk, err := s.Block(h)
		if err != nil {
			return fmt.Errorf("convert results of height %d: %w", h, err)
		}
		if err := s.convertResults(b, blk); err != nil {
			return err
		}
		n += len(blk.Txs)
		converted += uint64(len(blk.Txs))
		if n < migrateBatchTxs && h < tip {
			continue
		}
		_ = b.Set(keyMigrate, u64(h), nil)
		if err := b.Commit(pebble.Sync); err != nil {
			return fmt.Errorf("convert results up to height %d: %w", h, err)
		}
		b.Close()
		b, n = s.db.NewBatch(), 0
		if time.Since(last) >= time.Second {
			log.Info("store: converting", "height", h, "of", tip, "results", converted)
			last = time.Now()
		}
	}
	_ = b.Set(keyFormat, u64(Format), nil)
	_ = b.Delete(keyMigrate, nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("record format %d: %w", Format, err)
	}
	log.Info("store: converted to format 5", "results", converted, "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

// convertResults stages blk's results without their transactions' hashes,
// checking that each stored result begins with its transaction's hash.
func (s *Store) convertResults(b *pebble.Batch, blk *ledger.Block) error {
	h := blk.Header.Height
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: resultKey(h, 0), UpperBound: heightKey(prefixResult, h+1)})
	if err != nil {
		return err
	}
	defer it.Close()
	pos := 0
	for valid := it.First(); valid; valid = it.Next() {
		if pos >= len(blk.Txs) || !bytes.Equal(it.Key(), resultKey(h, uint32(pos))) {
			return corrupt(h, "tx result", "missing for position %d, or more results than transactions", pos)
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return err
		}
		txh := blk.Txs[pos].Hash()
		if !bytes.HasPrefix(v, txh[:]) {
			return corrupt(h, "tx result", "result %d does not begin with its transaction's hash %s", pos, txh.Short())
		}
		_ = b.Set(it.Key(), v[ledger.HashSize:], nil)
		pos++
	}
	if err := it.Error(); err != nil {
		return err
	}
	if pos != len(blk.Txs) {
		return corrupt(h, "tx result", "%d results for %d transactions", pos, len(blk.Txs))
	}
	return nil
}
