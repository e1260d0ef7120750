package node_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger/snapshot"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/nodetest"
)

// TestPeriodicSnapshots: validators with statesync.snapshot_interval = 3
// and snapshot_keep = 2 write snapshots of every third height while they
// commit, attach each one's proof once the next header is stored, keep the
// two newest and leave no unproven or partial file behind them; a snapshot
// so made restores into a fresh store against genesis alone.
func TestPeriodicSnapshots(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network")
	}
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Farm: nodetest.NewFarm(t),
		Handler: func(n *node.Node) http.Handler { return api.New(n) }})
	for _, m := range nw.Members {
		m.Config.StateSync.SnapshotInterval, m.Config.StateSync.SnapshotKeep = 3, 2
	}
	nw.StartAll()
	nw.WaitHeight(14, 60*time.Second)
	n0 := nw.Members[0].Node
	var list []node.SnapshotFile
	deadline := time.Now().Add(30 * time.Second)
	for {
		list = n0.Snapshots()
		if len(list) == 2 && list[0].Height >= 9 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(list) != 2 || list[0].Height%3 != 0 || list[1].Height != list[0].Height+3 {
		t.Fatalf("snapshots kept: %+v, want the two newest multiples of 3 below the tip", list)
	}
	dir := filepath.Dir(list[0].Path)
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("a partial snapshot file is left: %s", e.Name())
		}
		if h := strings.TrimSuffix(e.Name(), ".qsnap.unproven"); h != e.Name() && h < filepath.Base(list[1].Path)[:20] {
			t.Fatalf("an unproven snapshot older than the newest proven one is left: %s", e.Name())
		}
	}
	for _, s := range list {
		f, err := snapshot.OpenFile(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		if f.Manifest.Height != s.Height || f.Proof == nil {
			t.Fatalf("%s: manifest of height %d, proof attached %v", s.Path, f.Manifest.Height, f.Proof != nil)
		}
		f.Close()
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "chain"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vals, _ := nw.Genesis.ValidatorSet()
	m, err := snapshot.RestoreFile(list[1].Path, st, snapshot.Anchor{Chain: nw.Genesis.Identity(), Validators: vals}, nil)
	if err != nil {
		t.Fatalf("restore the newest periodic snapshot: %v", err)
	}
	if want, _ := n0.Store.AppHash(m.Height); m.AppHash != want || st.BlockBase() != m.Height {
		t.Fatalf("restored height %d app %s base %d; the chain's app hash %s", m.Height, m.AppHash.Short(), st.BlockBase(), want.Short())
	}
}

// TestSnapshotThroughControlSocket: qian snapshot create's path against a
// running node: the node writes the snapshot of its tip while it commits,
// waits for the next header and attaches the proof; the file restores
// against genesis alone.
func TestSnapshotThroughControlSocket(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network")
	}
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Farm: nodetest.NewFarm(t)})
	nw.StartAll()
	nw.WaitHeight(3, 60*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := node.RequestSnapshot(ctx, nw.Members[1].Config.Paths().DataDir())
	if err != nil {
		t.Fatal(err)
	}
	if !r.Proven || r.Height < 3 {
		t.Fatalf("control snapshot: %+v", r)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "chain"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vals, _ := nw.Genesis.ValidatorSet()
	if m, err := snapshot.RestoreFile(r.Path, st, snapshot.Anchor{Chain: nw.Genesis.Identity(), Validators: vals}, nil); err != nil || m.Height != r.Height {
		t.Fatalf("restore the control socket's snapshot: %v", err)
	}
}
