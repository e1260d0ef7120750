package store

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger/ledgertest"
)

// A store opened with a small memtable and a logger reports the flushes its
// commits cause, with their sizes.
func TestLogReportsFlushes(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := openWith(t, t.TempDir(), &Options{MemTableSize: 1 << 20, Log: log})
	// 40 blocks of 50 transactions are well over 1 MB of memtable.
	commitN(t, s, ledgertest.NewChain("qian-test", 4), 40, 50)
	if err := s.db.Flush(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, `msg="flushed a memtable"`) || !strings.Contains(out, "out_bytes=") {
		t.Fatalf("no flush reported; log:\n%s", out)
	}
	if strings.Contains(out, "level=WARN") {
		t.Fatalf("unexpected warning:\n%s", out)
	}
}

// MemTableSize replaces the default only when set.
func TestMemTableSizeOption(t *testing.T) {
	def := DefaultPebbleOptions()
	defer def.Cache.Unref()
	for _, tc := range []struct {
		opt  *Options
		want uint64
	}{
		{nil, def.MemTableSize},
		{&Options{}, def.MemTableSize},
		{&Options{MemTableSize: 40 << 20}, 40 << 20},
	} {
		po, own := pebbleOptions(tc.opt)
		if !own || po.MemTableSize != tc.want {
			t.Errorf("options %+v: memtable %d (own %v), want %d", tc.opt, po.MemTableSize, own, tc.want)
		}
		po.Cache.Unref()
	}
}

// A flush whose memtable holds nothing that outlives it (here a key set
// and single-deleted) writes no table; Pebble reports that as an error
// ("pebble: empty table"), but nothing failed, so the log says it at debug
// level, not as a warning an operator would chase.
func TestLogEmptyFlushIsNoWarning(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := Open(t.TempDir(), &Options{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.db.Set([]byte("k"), []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.db.SingleDelete([]byte("k"), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Flush(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "level=WARN") {
		t.Fatalf("a flush that wrote no table logged a warning:\n%s", out)
	}
	if !strings.Contains(out, `msg="flushed a memtable into no table"`) {
		t.Fatalf("the empty flush is not reported; log:\n%s", out)
	}
}
