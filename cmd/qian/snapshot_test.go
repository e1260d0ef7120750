package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/audit/audittest"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/nodetest"
)

// TestSnapshotCreateProveRestore: qian snapshot create on a stopped home
// of a real contracts chain (the demo story), prove once the home holds
// the next header, restore into a fresh home against the genesis file. The
// restored store holds the same state, and executing the chain's next block
// with the contracts on it gives the chain's app hash. A snapshot without
// its proof, and one with a flipped byte, are refused with their codes and
// leave the new home empty.
func TestSnapshotCreateProveRestore(t *testing.T) {
	isolate(t)
	c := audittest.New(t, 4)
	c.Story(6)
	c.Block(c.Anchors(3), nil)
	h := c.Height()
	c.Close()
	file := filepath.Join(t.TempDir(), "chain.qsnap")
	runQian(t, "", nil, "snapshot", "create", "--home", c.Home, "-o", file, "--chunk-mib", "1").want(t, 0,
		"snapshot of height", "no proof yet")
	fresh := func() string {
		home := t.TempDir()
		return home
	}
	empty := fresh()
	runQian(t, "", nil, "snapshot", "restore", file, "--home", empty, "--genesis", c.GenesisFile()).wantErr(t, 1, "ERR_SNAPSHOT_PROOF", "carries no header")
	assertEmptyHome(t, empty)

	c.Reopen()
	c.Block(c.Anchors(2), nil) // block h+1: its header proves the snapshot
	c.Close()
	runQian(t, "", nil, "snapshot", "prove", file, "--home", c.Home).want(t, 0, "attached header")
	runQian(t, "", nil, "snapshot", "show", file).want(t, 0, "proof attached: true")

	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), raw...)
	bad[100] ^= 1 // inside the first chunk
	badFile := filepath.Join(t.TempDir(), "bad.qsnap")
	if err := os.WriteFile(badFile, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	empty = fresh()
	runQian(t, "", nil, "snapshot", "restore", badFile, "--home", empty, "--genesis", c.GenesisFile()).wantErr(t, 1, "ERR_SNAPSHOT_CHUNK", "chunk 0")
	assertEmptyHome(t, empty)

	home := fresh()
	runQian(t, "", nil, "snapshot", "restore", file, "--home", home, "--genesis", c.GenesisFile()).want(t, 0, "restored height", "verified from genesis")
	orig, err := store.Open(c.ChainDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	st, err := store.Open(filepath.Join(config.Paths{Home: home}.DataDir(), "chain"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Height() != h || st.BlockBase() != h {
		t.Fatalf("restored at %d (base %d), want %d", st.Height(), st.BlockBase(), h)
	}
	// Block h+1 executed by the contracts on the restored state gives the
	// app hash the chain's header h+2 will carry.
	next, err := orig.Block(h + 1)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := st.AppHash(h)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := node.NewContractsApp().Execute(st, prev, &next.Header, next.Txs)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := orig.AppHash(h + 1)
	if ex.AppHash != want {
		t.Fatalf("block %d on the restored state: app hash %s, the chain's %s", h+1, ex.AppHash, want)
	}
	for i, r := range ex.Results {
		got, _ := orig.TxResult(h+1, uint32(i), next.Txs[i].Hash())
		if string(got) != string(r) {
			t.Fatalf("result %d differs", i)
		}
	}
}

// assertEmptyHome: a refused restore wrote no chain.
func assertEmptyHome(t *testing.T, home string) {
	t.Helper()
	st, err := store.Open(filepath.Join(config.Paths{Home: home}.DataDir(), "chain"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.GenesisHash(); err == nil || st.Height() != 0 {
		t.Fatal("a refused restore left a chain in the home")
	}
}

// TestSnapshotCreateFromRunningNode: qian snapshot create against a home
// whose node is running asks the node through its control socket; the
// file it leaves at -o carries its proof and restores into a fresh home
// against the genesis file.
func TestSnapshotCreateFromRunningNode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network")
	}
	isolate(t)
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Farm: nodetest.NewFarm(t)})
	nw.StartAll()
	nw.WaitHeight(3, 30*time.Second)
	file := filepath.Join(t.TempDir(), "live.qsnap")
	runQian(t, "", nil, "snapshot", "create", "--home", nw.Members[2].Config.Home, "-o", file).want(t, 0,
		"snapshot of height", "made by the running node")
	runQian(t, "", nil, "snapshot", "show", file).want(t, 0, "proof attached: true")
	genesisFile := filepath.Join(t.TempDir(), "genesis.json")
	if err := nw.Genesis.Save(genesisFile); err != nil {
		t.Fatal(err)
	}
	runQian(t, "", nil, "snapshot", "restore", file, "--home", t.TempDir(), "--genesis", genesisFile).want(t, 0, "restored height", "verified from genesis")
}
