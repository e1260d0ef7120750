package node_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/nodetest"
)

// TestNoSnapshotsWhileCatchingUp: validators make a snapshot every 4
// heights; one is stopped while the others go on for many intervals, then
// started again. While it block-syncs towards their height T it makes no
// snapshot of a height h with h + 4 <= T (a later multiple comes before it
// catches up), logs the skipping once, and once caught up it makes
// snapshots again. The others did make snapshots of those heights.
func TestNoSnapshotsWhileCatchingUp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network")
	}
	const interval = 4
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Farm: nodetest.NewFarm(t)})
	for _, m := range nw.Members {
		m.Config.StateSync.SnapshotInterval, m.Config.StateSync.SnapshotKeep = interval, 1000
	}
	nw.StartAll()
	nw.WaitHeight(2, 30*time.Second)
	late := nw.Members[3]
	stopped := late.Node.Store.Height()
	nw.Stop(3)
	nw.WaitHeight(stopped+6*interval, 60*time.Second) // the three others
	target := nw.Members[0].Node.Store.Height()

	skips := &countMessages{msg: "periodic snapshots skipped while catching up: block sync stores a later multiple of the interval before its target"}
	nw.Log = slog.New(skips)
	nw.Start(3)
	nw.Log = nil
	nw.WaitHeight(target+1, 60*time.Second)

	made := 0
	for _, f := range nw.Members[0].Node.Snapshots() {
		if f.Height > stopped && f.Height+interval <= target {
			made++
		}
	}
	if made < 3 {
		t.Fatalf("validator 0 made %d snapshots between %d and %d; the test needs several: %+v", made, stopped, target, nw.Members[0].Node.Snapshots())
	}
	for _, h := range snapshotHeights(t, late) {
		if h > stopped && h+interval <= target {
			t.Fatalf("the node made a snapshot of %d while catching up from %d to at least %d", h, stopped, target)
		}
	}
	if n := skips.n.Load(); n != 1 {
		t.Fatalf("the skipping was logged %d times, want once", n)
	}
	// Caught up, it makes them again.
	deadline := time.Now().Add(60 * time.Second)
	for {
		l := late.Node.Snapshots()
		if len(l) > 0 && l[len(l)-1].Height > target {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot above %d once caught up: %+v (heights %s)", target, l, nw.Heights())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// snapshotHeights lists the heights of every snapshot file in m's
// snapshots directory: proven, unproven or being written.
func snapshotHeights(t *testing.T, m *nodetest.Member) []uint64 {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(m.Config.Paths().DataDir(), node.SnapshotsDirName))
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, e := range ents {
		num, _, _ := strings.Cut(e.Name(), ".")
		h, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			t.Fatalf("a file that is not a snapshot in the snapshots directory: %s", e.Name())
		}
		out = append(out, h)
	}
	return out
}

// countMessages is a log handler that counts the records whose message is
// msg, and keeps nothing else.
type countMessages struct {
	msg string
	n   atomic.Int64
}

func (h *countMessages) Enabled(context.Context, slog.Level) bool { return true }

func (h *countMessages) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.n.Add(1)
	}
	return nil
}

func (h *countMessages) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countMessages) WithGroup(string) slog.Handler      { return h }
