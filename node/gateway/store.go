package gateway

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/cockroachdb/pebble/v2"
)

// The gateway's own Pebble store, in HOME/data. The query index (package
// index) keeps its tables under lower-case prefixes; the gateway's are
// upper case:
//
//	'C'                    → the last height indexed (u64)
//	'J' captureID          → job (JSON)
//	'K' idempotency key    → captureID of the job that captured it
//	'Q' query name         → named query (JSON)
//	'S' query name 0 subID → subscription (JSON)
//
// Everything that must survive a crash is written with pebble.Sync, and
// what one block changes (index entries, jobs, cursor) in one batch. The
// transactions awaiting their block are not a table: they are the running
// jobs' sent chunks, found again when the jobs are loaded.
const (
	tCursor = 'C'
	tJob    = 'J'
	tIdem   = 'K'
	tQuery  = 'Q'
	tSub    = 'S'
)

func openStore(home string, log *slog.Logger) (*pebble.DB, error) {
	db, err := pebble.Open(filepath.Join(home, "data"), &pebble.Options{Logger: pebbleLog{log}})
	if err != nil {
		return nil, fmt.Errorf("open the gateway store in %s: %w", home, err)
	}
	return db, nil
}

// pebbleLog sends Pebble's errors to the gateway's log and drops its
// routine messages (WAL replay, compactions).
type pebbleLog struct{ l *slog.Logger }

func (p pebbleLog) Infof(string, ...any)              {}
func (p pebbleLog) Errorf(format string, args ...any) { p.l.Error(fmt.Sprintf(format, args...)) }
func (p pebbleLog) Fatalf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...))
	panic(fmt.Sprintf(format, args...)) // Pebble's contract: Fatalf does not return
}

func key(t byte, parts ...string) []byte {
	k := []byte{t}
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

// getJSON reads key k into v; found is false when it is absent.
func getJSON(db *pebble.DB, k []byte, v any) (found bool, err error) {
	b, closer, err := db.Get(k)
	if err == pebble.ErrNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer closer.Close()
	return true, json.Unmarshal(b, v)
}

func setJSON(b *pebble.Batch, k []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Set(k, raw, nil)
}

// scanJSON calls fn for each value under prefix p, in key order, until fn
// returns false.
func scanJSON[T any](db *pebble.DB, p []byte, fn func(k []byte, v *T) bool) error {
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: p, UpperBound: upperBound(p)})
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		var v T
		if err := json.Unmarshal(it.Value(), &v); err != nil {
			return fmt.Errorf("stored %q: %w", it.Key(), err)
		}
		if !fn(append([]byte(nil), it.Key()...), &v) {
			break
		}
	}
	return it.Error()
}

func upperBound(p []byte) []byte {
	u := append([]byte(nil), p...)
	for i := len(u) - 1; i >= 0; i-- {
		if u[i] < 0xff {
			u[i]++
			return u[:i+1]
		}
	}
	return nil
}

func readCursor(db *pebble.DB) (uint64, error) {
	b, closer, err := db.Get([]byte{tCursor})
	if err == pebble.ErrNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	return binary.BigEndian.Uint64(b), nil
}
