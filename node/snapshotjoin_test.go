package node_test

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/nodetest"
	"github.com/qianchain/qianchain/node/web"
)

// TestNodeJoinsFromSnapshot: a snapshot made from a running validator's
// store while the network commits, proven by the next header, restores
// into a fifth node's empty home; the node starts there, block-syncs the
// rest (executing the blocks after the snapshot with the contracts, to the
// chain's app hashes), follows the chain, answers for the heights it holds
// and answers ERR_PRUNED (410) for those below, saying that it names no
// archive node (no storage.archive_urls); a lot recorded below the
// snapshot keeps its story there, its verification ERR_PRUNED, and its
// consumer page says that the node names no archive node
// (checkPrunedLot).
func TestNodeJoinsFromSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 5-node network")
	}
	farm := nodetest.NewFarm(t)
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Observers: 1, Farm: farm,
		Handler: func(n *node.Node) http.Handler { return web.Handler(n, api.Options{}) }})
	for i := 0; i < 4; i++ {
		nw.Start(i)
	}
	nw.WaitHeight(1, 30*time.Second)
	ctx := context.Background()
	anchor := func() *client.Outcome { t.Helper(); return farm.Anchor(t, nw, nw.Members[0].URL) }
	first := anchor()
	farm.Harvest(t, nw, nw.Members[0].URL, "SNAPSHOT-1")
	anchor()

	// The snapshot, made from validator 0's store while it runs.
	st0 := nw.Members[0].Node.Store
	file := filepath.Join(t.TempDir(), "join.qsnap")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	m, err := snapshot.Create(st0, f, snapshot.Options{ChunkSize: 4 << 10})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	nw.WaitHeight(m.Height+1, 30*time.Second)
	p, err := snapshot.BuildProof(st0, m.Height)
	if err != nil {
		t.Fatal(err)
	}
	if err := snapshot.AttachProof(file, p); err != nil {
		t.Fatal(err)
	}
	obs := nw.Members[4]
	st, err := store.Open(filepath.Join(obs.Config.Paths().DataDir(), "chain"), nil)
	if err != nil {
		t.Fatal(err)
	}
	vals, _ := nw.Genesis.ValidatorSet()
	if _, err := snapshot.RestoreFile(file, st, snapshot.Anchor{Chain: nw.Genesis.Identity(), Validators: vals}, nil); err != nil {
		t.Fatal(err)
	}
	st.Close()

	// Transactions after the snapshot: the joined node executes them.
	after := anchor()
	nw.Start(4)
	target := after.Height + 3
	nw.WaitHeight(target, 60*time.Second)
	on := obs.Node.Store
	if on.BlockBase() != m.Height {
		t.Fatalf("joined node starts at %d, snapshot of %d", on.BlockBase(), m.Height)
	}
	for h := m.Height + 1; h <= target; h++ {
		a, _ := st0.AppHash(h)
		b, err := on.AppHash(h)
		ha, _ := st0.BlockHash(h)
		hb, _ := on.BlockHash(h)
		if err != nil || a != b || ha != hb {
			t.Fatalf("height %d: joined node app %s block %s (%v); validator 0 app %s block %s", h, b.Short(), hb.Short(), err, a.Short(), ha.Short())
		}
	}
	// Its API: heights it holds, and a clear code for those it does not.
	oc := client.New(obs.URL)
	if o, err := oc.Outcome(ctx, after.Hash); err != nil || o.Height != after.Height || o.Code != "OK" {
		t.Fatalf("the joined node on a transaction after the snapshot: %+v, %v", o, err)
	}
	resp, err := http.Get(obs.URL + "/v1/blocks/1")
	if err != nil {
		t.Fatal(err)
	}
	var e api.Error
	_ = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	// No storage.archive_urls on this node: the answer says so plainly,
	// with an empty archive list rather than none.
	if resp.StatusCode != http.StatusGone || e.Code != "ERR_PRUNED" || e.FirstHeight != m.Height+1 || e.Archive == nil || len(*e.Archive) != 0 ||
		!strings.Contains(e.Message, "names no archive node") {
		t.Fatalf("block 1 on the joined node: %d %+v", resp.StatusCode, e)
	}
	resp, err = http.Get(obs.URL + "/v1/txs/" + first.Hash.String())
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone || e.Code != "ERR_PRUNED" {
		t.Fatalf("a transaction below the snapshot on the joined node: %d %+v", resp.StatusCode, e)
	}
	var page struct {
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := oc.Get(ctx, "/v1/blocks?limit=100", &page); err != nil {
		t.Fatalf("the joined node's block list: %v", err)
	}
	if want := int(on.Height() - m.Height); len(page.Blocks) < want-3 || len(page.Blocks) > want+3 {
		t.Fatalf("the joined node lists %d blocks, holds about %d", len(page.Blocks), want)
	}
	var pe *store.PrunedError
	if _, err := on.Block(1); !errors.As(err, &pe) {
		t.Fatal(err)
	}
	checkPrunedLot(t, obs.URL, "SNAPSHOT-1", m.Height+1, []string{})
}
