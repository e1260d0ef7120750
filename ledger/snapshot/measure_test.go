package snapshot

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger/store"
)

// TestMeasure builds a chain of QIAN_SNAPSHOT_MEASURE transactions (1,000
// a block, each leaving one state entry of ~200 bytes as a notary anchor
// does) in a real Pebble store and reports the snapshot's size, the time
// to create and to restore it, and the disk use of the archive store and
// of the restored one (docs/benchmarks.md). Skipped unless the variable is
// set: it is a measurement, not a check.
func TestMeasure(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("QIAN_SNAPSHOT_MEASURE"))
	if n == 0 {
		t.Skip("set QIAN_SNAPSHOT_MEASURE=1000000 to measure")
	}
	ch := newChain(t)
	ch.wide = true
	start := time.Now()
	for done := 0; done < n; done += 1000 {
		ch.block(1000, false)
	}
	t.Logf("built %d transactions in %d blocks in %s", n, ch.c.Height(), time.Since(start).Round(time.Second))
	path := filepath.Join(t.TempDir(), "m.qsnap")
	f, _ := os.Create(path)
	start = time.Now()
	m, err := Create(ch.st, f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.Sync()
	f.Close()
	created := time.Since(start)
	ch.blocks(1)
	p, _ := BuildProof(ch.st, m.Height)
	if err := AttachProof(path, p); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	dir := t.TempDir()
	st, err := store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if _, err := RestoreFile(path, st, ch.anchor, nil); err != nil {
		t.Fatal(err)
	}
	restored := time.Since(start)
	st.Close()
	t.Logf("snapshot of height %d: %d state entries, %d transactions, %d chunks, %.1f MiB; created in %s, verified and restored in %s",
		m.Height, m.StateEntries, m.TxEntries, len(m.Chunks), float64(fi.Size())/(1<<20), created.Round(time.Millisecond), restored.Round(time.Millisecond))
	t.Logf("disk: archive store %.1f MiB, restored store %.1f MiB", float64(dirSize(ch.dir))/(1<<20), float64(dirSize(dir))/(1<<20))
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
