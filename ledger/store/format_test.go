package store

import (
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// A store records its format at genesis and Open refuses another: one
// written before formats were recorded (format 1, whose certificates do not
// sign the genesis hash) or by a later build. The refused store is left as
// it was.
func TestOpenRefusesAnotherFormat(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(b *pebble.Batch)
		found uint64
	}{
		{"format 1, which recorded none", func(b *pebble.Batch) { _ = b.Delete(keyFormat, nil) }, 1},
		{"a later format", func(b *pebble.Batch) { _ = b.Set(keyFormat, u64(Format+1), nil) }, Format + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, dir := openTemp(t)
			b := s.db.NewBatch()
			tc.edit(b)
			if err := b.Commit(pebble.Sync); err != nil {
				t.Fatal(err)
			}
			s.Close()
			_, err := Open(dir, nil)
			var fe *FormatError
			if !errors.Is(err, ErrFormat) || !errors.As(err, &fe) || fe.Found != tc.found || fe.Want != Format {
				t.Fatalf("Open: %v", err)
			}
			// Refused, not converted: it is refused again.
			if _, err := Open(dir, nil); !errors.Is(err, ErrFormat) {
				t.Fatalf("second Open: %v", err)
			}
		})
	}

	// A new store records the format; an empty one (no genesis yet) opens.
	s, dir := openTemp(t)
	s.Close()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("reopen a store of this format: %v", err)
	}
	s.Close()
	if s, err := Open(t.TempDir(), nil); err != nil {
		t.Fatalf("open an empty store: %v", err)
	} else {
		s.Close()
	}
}
