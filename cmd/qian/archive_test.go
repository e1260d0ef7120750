package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/qianchain/qianchain/node/audit"
	"github.com/qianchain/qianchain/node/nodetest"
)

// TestAuditAndProofsAgainstArchiveAndPrunedNodes: an organisation's
// archive node (every block), a node that prunes below P and names the
// archive node in storage.archive_urls, and a node joined from a snapshot
// (qian snapshot create on the running archive node, qian snapshot
// restore) that names none. qian audit --node against the archive node
// re-verifies every block from genesis; against the pruned node it stops
// at once with ERR_PRUNED naming the archive node (exit 1, no hang), and
// against the joined node with ERR_PRUNED saying it names none. qian proof
// for a transaction below P fails the same way on the pruned node and gives
// a bundle that verifies on the archive node; for a transaction above P
// both nodes give one.
func TestAuditAndProofsAgainstArchiveAndPrunedNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network")
	}
	isolate(t)
	farm := nodetest.NewFarm(t)
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Observers: 1, Farm: farm, Handler: webHandler})
	archive, pruned, joined := nw.Members[0], nw.Members[3], nw.Members[4]
	for i := 0; i < 4; i++ {
		nw.Start(i)
	}
	nw.WaitHeight(1, 30*time.Second)
	early := farm.Anchor(t, nw, archive.URL)
	p := early.Height + 2
	nw.Stop(3)
	pruned.Config.Storage.PruneBelow = p
	pruned.Config.Storage.ArchiveURLs = []string{archive.URL}
	nw.Start(3)
	nw.WaitHeight(p+1, 30*time.Second)
	late := farm.Anchor(t, nw, archive.URL)
	nw.WaitHeight(late.Height+1, 30*time.Second)
	gen := filepath.Join(t.TempDir(), "genesis.json")
	if err := nw.Genesis.Save(gen); err != nil {
		t.Fatal(err)
	}

	// The archive node: every block from genesis, re-verified.
	r := runQian(t, "", nil, "audit", "--node", archive.URL, "--genesis", gen, "--json", "--quiet")
	r.want(t, 0)
	var sum audit.Summary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if !sum.OK || sum.Blocks != sum.Tip || sum.Height != sum.Tip || sum.Tip <= late.Height || sum.Txs < 2 {
		t.Fatalf("audit of the archive node: %+v", sum)
	}

	// The pruned node: a clear, coded refusal naming the archive node.
	auditOf := func(url string) result {
		done := make(chan result, 1)
		go func() { done <- runQian(t, "", nil, "audit", "--node", url, "--genesis", gen, "--quiet") }()
		select {
		case r := <-done:
			return r
		case <-time.After(2 * time.Minute):
			t.Fatalf("qian audit --node %s did not return", url)
			return result{}
		}
	}
	auditOf(pruned.URL).wantErr(t, 1, "ERR_PRUNED", fmt.Sprintf("no blocks below height %d", p), "qian audit --node "+archive.URL)

	// A node joined from the archive node's snapshot, naming no archive.
	snap := filepath.Join(t.TempDir(), "archive.qsnap")
	runQian(t, "", nil, "snapshot", "create", "--home", archive.Config.Home, "-o", snap).want(t, 0, "made by the running node")
	runQian(t, "", nil, "snapshot", "restore", snap, "--home", joined.Config.Home, "--genesis", gen).want(t, 0, "verified from genesis")
	nw.Start(4)
	base := joined.Node.Store.BlockBase()
	auditOf(joined.URL).wantErr(t, 1, "ERR_PRUNED", fmt.Sprintf("no blocks below height %d", base+1), "it names no archive node")
	// Its home, audited directly once stopped: not damage, the same code.
	nw.Stop(4)
	runQian(t, "", nil, "audit", "--home", joined.Config.Home, "--genesis", gen, "--quiet").
		wantErr(t, 1, "ERR_PRUNED", fmt.Sprintf("no blocks below height %d", base+1), "qian audit --node")

	// Proof bundles: below P from the archive node only; above P from both.
	dir := t.TempDir()
	runQian(t, "", nil, "proof", early.Hash.String(), "--node", pruned.URL, "-o", filepath.Join(dir, "x.json")).
		wantErr(t, 1, "ERR_PRUNED", archive.URL)
	for _, c := range []struct {
		name, url, tx string
	}{{"early-archive", archive.URL, early.Hash.String()}, {"late-archive", archive.URL, late.Hash.String()}, {"late-pruned", pruned.URL, late.Hash.String()}} {
		bundle := filepath.Join(dir, c.name+".json")
		runQian(t, "", nil, "proof", c.tx, "--node", c.url, "-o", bundle).want(t, 0)
		runQian(t, "", nil, "verify", bundle, "--genesis", gen).want(t, 0, "VERIFIED", "Transaction "+c.tx)
	}
}
