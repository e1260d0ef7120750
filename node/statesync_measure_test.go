package node_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/client"
)

// TestMeasureStateSync (QIAN_STATESYNC_MEASURE=N): four validators commit N
// notary anchors and make a snapshot every 50 heights (1 MiB chunks); then a
// fresh observer joins by state sync and another by block sync from
// genesis, one after the other, and the test prints how long each took to
// reach the validators' height and their stores' disk use against an
// archive validator's. A measurement, not a check (docs/benchmarks.md).
func TestMeasureStateSync(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("QIAN_STATESYNC_MEASURE"))
	if n <= 0 {
		t.Skip("set QIAN_STATESYNC_MEASURE to the number of transactions")
	}
	nw, _, farm := stateSyncNetObservers(t, 50, 2, 1<<20)
	c := client.New(nw.Members[0].URL)
	ctx := context.Background()
	start := time.Now()
	nonce := uint64(1 << 20)
	for sent := 0; sent < n; {
		batch := make([]*ledger.Tx, 0, 500)
		for len(batch) < cap(batch) && sent+len(batch) < n {
			nonce++
			batch = append(batch, anchorTx(nw, farm, nonce))
		}
		res, err := c.SubmitBatch(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		ok := 0
		for _, r := range res {
			if r.Code == "OK" {
				ok++
			}
		}
		sent += ok
		if ok < len(batch) {
			time.Sleep(100 * time.Millisecond) // the mempool is full: let blocks drain it
		}
	}
	deadline := time.Now().Add(10 * time.Minute)
	for pending := 1; pending > 0 && time.Now().Before(deadline); {
		s, _ := nw.Members[0].Node.Pool.Size()
		pending = s
		time.Sleep(200 * time.Millisecond)
	}
	tip := nw.Members[0].Node.Store.Height()
	t.Logf("loaded %d transactions in %s; tip %d", n, time.Since(start).Round(time.Millisecond), tip)
	waitSnapshots(t, nw, tip-tip%50)
	snaps := nw.Members[0].Node.Snapshots()
	fi, _ := os.Stat(snaps[len(snaps)-1].Path)
	t.Logf("snapshot of height %d: %d bytes", snaps[len(snaps)-1].Height, fi.Size())
	join := func(i int, how string) {
		t0 := time.Now()
		nw.Start(i)
		target := nw.Members[0].Node.Store.Height()
		for nw.Members[i].Node.Store.Height() < target {
			if time.Since(t0) > 10*time.Minute {
				t.Fatalf("%s: not at %d after 10 minutes", how, target)
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("%s: at height %d after %s; store %d bytes on disk, WAL included (validator 0, an archive: %d)", how, target,
			time.Since(t0).Round(time.Millisecond), dirSize(nw.Members[i].Config.Paths().DataDir()+"/chain"), dirSize(nw.Members[0].Config.Paths().DataDir()+"/chain"))
	}
	join(4, "state sync")
	join(5, "block sync from genesis")
}

// dirSize is the bytes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
