package node_test

import (
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/snapshot"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/nodetest"
)

// stateSyncNet is four validators making snapshots every interval heights
// in 512-byte chunks, and an observer with statesync.enable, not started;
// it has anchored a few notary records through validator 0.
func stateSyncNet(t *testing.T, interval uint64) (*nodetest.Network, func() *client.Outcome) {
	nw, anchor, _ := stateSyncNetObservers(t, interval, 1, 512)
	return nw, anchor
}

// anchorTx is a signed notary anchor by farm.
func anchorTx(nw *nodetest.Network, farm ledger.PrivateKey, nonce uint64) *ledger.Tx {
	tx := &ledger.Tx{ChainID: nw.Genesis.ChainID, Nonce: nonce, Contract: notary.Contract, Method: notary.MethodAnchor,
		Payload: (&notary.Anchor{Hash: ledger.Sum(binary.BigEndian.AppendUint64(nil, nonce)), Kind: notary.Evidence, Name: "x"}).Encode()}
	_ = tx.Sign(farm)
	return tx
}

// stateSyncNetObservers is stateSyncNet with observers observers, the
// first with statesync.enable, chunks of chunk bytes, and the farm's key.
func stateSyncNetObservers(t *testing.T, interval uint64, observers, chunk int) (*nodetest.Network, func() *client.Outcome, ledger.PrivateKey) {
	t.Helper()
	farm, _ := ledger.GenerateKey()
	spec := demo.Farm.Spec("farm", farm.PublicKey())
	org := genesis.Organisation{ID: spec.ID, Name: spec.Name, Roles: []genesis.Role{genesis.Role(membership.Farm)}, GS1Prefixes: spec.Prefixes, GLNs: spec.GLNs, Admins: spec.Admins}
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Observers: observers, Orgs: []genesis.Organisation{org},
		App:     func() node.Application { return node.NewContractsApp() },
		Handler: func(n *node.Node) http.Handler { return api.New(n) }})
	for _, m := range nw.Members {
		m.Config.StateSync.SnapshotInterval, m.Config.StateSync.SnapshotKeep, m.Config.StateSync.ChunkSize = interval, 1, chunk
	}
	for _, m := range nw.Members[4:] {
		m.Config.StateSync.SnapshotInterval = 0
	}
	nw.Members[4].Config.StateSync.Enable = true
	for i := 0; i < 4; i++ {
		nw.Start(i)
	}
	nw.WaitHeight(1, 30*time.Second)
	c := client.New(nw.Members[0].URL)
	nonce := uint64(0)
	anchor := func() *client.Outcome {
		t.Helper()
		nonce++
		o, err := c.SubmitAndWait(context.Background(), anchorTx(nw, farm, nonce))
		if err != nil || o.Code != "OK" {
			t.Fatalf("anchor %d: %v %+v", nonce, err, o)
		}
		return o
	}
	for i := 0; i < 4; i++ {
		anchor()
	}
	return nw, anchor, farm
}

// waitSnapshots waits until every validator holds a proven snapshot of
// height at least h and returns validator 0's newest.
func waitSnapshots(t *testing.T, nw *nodetest.Network, h uint64) node.SnapshotFile {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ok := true
		for i := 0; i < 4; i++ {
			l := nw.Members[i].Node.Snapshots()
			if len(l) == 0 || l[len(l)-1].Height < h {
				ok = false
			}
		}
		if ok {
			l := nw.Members[0].Node.Snapshots()
			return l[len(l)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot of height %d or more on every validator; heights %s", h, nw.Heights())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkJoined: the observer joined from a snapshot of height h (its store
// starts there), follows the chain to the validators' app hashes and
// answers for a transaction after the snapshot.
func checkJoined(t *testing.T, nw *nodetest.Network, h uint64, after *client.Outcome) {
	t.Helper()
	obs := nw.Members[4].Node
	rep := obs.StateSyncReport()
	if rep == nil || rep.Manifest.Height != h || obs.Store.BlockBase() != h {
		t.Fatalf("the observer did not join from the snapshot of %d: report %+v, base %d", h, rep, obs.Store.BlockBase())
	}
	target := after.Height + 2
	nw.WaitHeight(target, 60*time.Second)
	st0 := nw.Members[0].Node.Store
	for x := h + 1; x <= target; x++ {
		a, _ := st0.AppHash(x)
		b, err := obs.Store.AppHash(x)
		if err != nil || a != b {
			t.Fatalf("height %d: joined node app %s (%v); validator 0 %s", x, b.Short(), err, a.Short())
		}
	}
	o, err := client.New(nw.Members[4].URL).Outcome(context.Background(), after.Hash)
	if err != nil || o.Height != after.Height || o.Code != "OK" {
		t.Fatalf("the joined node on a transaction after the snapshot: %+v, %v", o, err)
	}
}

// TestStateSyncJoin: four validators make snapshots while they commit; a
// fifth node with statesync.enable and an empty store asks them, picks the
// snapshot they all offer, verifies its manifest from genesis, fetches its
// chunks from several of them at once, restores, block-syncs the rest and
// follows the chain.
func TestStateSyncJoin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 5-node network")
	}
	nw, anchor := stateSyncNet(t, 5)
	tip := nw.Members[0].Node.Store.Height()
	snap := waitSnapshots(t, nw, tip)
	nw.Start(4)
	after := anchor()
	rep := nw.Members[4].Node.StateSyncReport()
	if rep == nil {
		t.Fatal("the observer did not join by state sync")
	}
	if rep.Manifest.Height < snap.Height || len(rep.Manifest.Chunks) < 4 {
		t.Fatalf("joined from height %d with %d chunks; validators hold a snapshot of %d", rep.Manifest.Height, len(rep.Manifest.Chunks), snap.Height)
	}
	if len(rep.ChunksBy) < 2 || len(rep.Penalised) != 0 || rep.Peers < 2 {
		t.Fatalf("chunks by peer %v, offered by %d, penalised %v: want chunks from several peers and no penalty", rep.ChunksBy, rep.Peers, rep.Penalised)
	}
	checkJoined(t, nw, rep.Manifest.Height, after)
}

// TestStateSyncCorruptPeer: one validator's snapshot file has every chunk
// corrupted on disk, so it serves chunks that do not match the manifest;
// the joining node penalises it, fetches those chunks from the others and
// joins.
func TestStateSyncCorruptPeer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 5-node network")
	}
	nw, anchor := stateSyncNet(t, 25)
	snap := waitSnapshots(t, nw, 25)
	if snap.Height != 25 {
		t.Skipf("the chain passed height 50 before the test could corrupt the snapshot of 25 (heights %s)", nw.Heights())
	}
	bad := nw.Members[3]
	l := bad.Node.Snapshots()
	f, err := snapshot.OpenFile(l[len(l)-1].Path)
	if err != nil {
		t.Fatal(err)
	}
	chunks := f.Manifest.Chunks
	f.Close()
	w, err := os.OpenFile(l[len(l)-1].Path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	off := int64(12) // the file's header
	for _, c := range chunks {
		if _, err := w.WriteAt([]byte{0xff, 0xff}, off+int64(c.Size)/2); err != nil {
			t.Fatal(err)
		}
		off += int64(c.Size)
	}
	w.Close()
	nw.Start(4)
	after := anchor()
	rep := nw.Members[4].Node.StateSyncReport()
	if rep == nil || rep.Manifest.Height != 25 {
		t.Fatalf("the observer did not join from the snapshot of 25: %+v", rep)
	}
	if !rep.Penalised[bad.PeerID()] || rep.ChunksBy[bad.PeerID()] != 0 {
		t.Fatalf("the corrupting peer: penalised %v, chunks restored from it %d", rep.Penalised[bad.PeerID()], rep.ChunksBy[bad.PeerID()])
	}
	if len(rep.Penalised) != 1 {
		t.Fatalf("honest peers penalised: %v", rep.Penalised)
	}
	checkJoined(t, nw, 25, after)
}

// TestStateSyncNoSnapshotFallsBackToGenesis: a node with statesync.enable
// whose peers make no snapshots asks for statesync.discovery_timeout, then
// initialises from genesis, block-syncs everything and follows the chain.
func TestStateSyncNoSnapshotFallsBackToGenesis(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 5-node network")
	}
	nw, anchor := stateSyncNet(t, 0)
	obs := nw.Members[4]
	obs.Config.StateSync.DiscoveryTimeout = 2 * time.Second
	nw.Start(4)
	after := anchor()
	nw.WaitHeight(after.Height+2, 60*time.Second)
	if rep := obs.Node.StateSyncReport(); rep != nil || obs.Node.Store.BlockBase() != 0 {
		t.Fatalf("joined by state sync with no snapshot offered: %+v, base %d", rep, obs.Node.Store.BlockBase())
	}
	a, _ := nw.Members[0].Node.Store.AppHash(after.Height)
	if b, err := obs.Node.Store.AppHash(after.Height); err != nil || a != b {
		t.Fatalf("height %d: app %s (%v), validator 0 %s", after.Height, b.Short(), err, a.Short())
	}
}

// TestStateSyncJoinInterrupted: a joining node stopped (node.Options.Context,
// as qian start's SIGTERM) while it discovers snapshots, once a snapshot is
// offered and before its manifest is fetched, and after its first chunk is
// restored, returns from New at once with ErrJoinInterrupted and leaves a
// store without a chain; started again, it joins. Its discovery timeout is
// far above the test's patience, so a join that ignored the stop would be
// seen waiting or joining.
func TestStateSyncJoinInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 5-node network")
	}
	nw, anchor := stateSyncNet(t, 5)
	waitSnapshots(t, nw, nw.Members[0].Node.Store.Height())
	joiner := nw.Members[4]
	joiner.Config.StateSync.DiscoveryTimeout = time.Hour
	for _, step := range []string{"state sync: asking peers for snapshots", "state sync: snapshot offered", "state sync: chunks restored"} {
		ctx, cancel := context.WithCancel(context.Background())
		nw.Log = slog.New(&cancelOn{msg: step, cancel: cancel})
		errc := make(chan error, 1)
		go func() { errc <- nw.StartContext(ctx, 4) }()
		var err error
		select {
		case err = <-errc:
		case <-time.After(2 * time.Minute):
			t.Fatalf("stopped at %q: the join did not return", step)
		}
		cancel()
		if !errors.Is(err, node.ErrJoinInterrupted) || joiner.Node != nil {
			t.Fatalf("stopped at %q: %v", step, err)
		}
		st, err := store.Open(filepath.Join(joiner.Config.Paths().DataDir(), "chain"), nil)
		if err != nil {
			t.Fatalf("stopped at %q: the store does not reopen: %v", step, err)
		}
		_, err = st.GenesisHash()
		h := st.Height()
		st.Close()
		if !errors.Is(err, store.ErrNotFound) || h != 0 {
			t.Fatalf("stopped at %q: the store holds a chain (height %d, genesis %v)", step, h, err)
		}
	}
	nw.Log = nil
	nw.Start(4)
	after := anchor()
	rep := joiner.Node.StateSyncReport()
	if rep == nil {
		t.Fatal("started again, the node did not join by state sync")
	}
	checkJoined(t, nw, rep.Manifest.Height, after)
}

// cancelOn is a log handler that calls cancel when a record's message is
// msg: the test stops a joining node at a step of its join, known by the
// log line docs/operations.md lists for it. It keeps nothing.
type cancelOn struct {
	msg    string
	cancel context.CancelFunc
}

func (h *cancelOn) Enabled(context.Context, slog.Level) bool { return true }

func (h *cancelOn) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.cancel()
	}
	return nil
}

func (h *cancelOn) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *cancelOn) WithGroup(string) slog.Handler      { return h }
