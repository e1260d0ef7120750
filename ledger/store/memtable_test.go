package store

import (
	"bytes"
	"log/slog"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
)

// The meter's estimate of the mutable memtable tracks what Pebble flushes:
// it grows with each committed block, starts again at a flush the node
// asks for (StartFlush), and, once a flush has measured the ratio of
// memtable bytes to batch bytes, comes within a tenth of the bytes the next
// flush takes from the memtable.
func TestMemTableMeter(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := Open(t.TempDir(), &Options{MemTableSize: 64 << 20, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.InitGenesis(ledger.Hash{1}, testSet(), nil, ledger.Hash{2}); err != nil {
		t.Fatal(err)
	}
	c := ledgertest.NewChain("qian-test", 4)
	flush := func() {
		t.Helper()
		if err := s.StartFlush(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for s.MemTable().Flushing {
			if time.Now().After(deadline) {
				t.Fatal("the flush did not end")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	m0 := s.MemTable()
	commitN(t, s, c, 40, 50)
	m1 := s.MemTable()
	if m1.Capacity != 64<<20 || m1.Used <= m0.Used || m1.Flushing {
		t.Fatalf("after 40 blocks: %+v (before %+v)", m1, m0)
	}
	flush()
	if m := s.MemTable(); m.Used != 0 {
		t.Fatalf("after the flush the estimate is %d bytes, want 0", m.Used)
	}
	// The flush measured the ratio (40 blocks are over 256 KiB of batches);
	// the estimate now uses it.
	buf.Reset()
	commitN(t, s, c, 60, 50)
	est := s.MemTable().Used
	flush()
	in := flushedBytes(t, buf.String())
	if est < in*9/10 || est > in*11/10 {
		t.Fatalf("estimated %d bytes in the memtable, the flush took %d", est, in)
	}
	t.Logf("estimated %d bytes, flushed %d", est, in)
}

// flushedBytes sums the in_bytes of the flushes in a debug log.
func flushedBytes(t *testing.T, log string) uint64 {
	t.Helper()
	var sum uint64
	for _, m := range regexp.MustCompile(`msg="flushed a memtable" .*in_bytes=(\d+)`).FindAllStringSubmatch(log, -1) {
		n, _ := strconv.ParseUint(m[1], 10, 64)
		sum += n
	}
	if sum == 0 {
		t.Fatalf("no flush in the log:\n%s", log)
	}
	return sum
}
