package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/audit/audittest"
)

// relaunch is chain B of issue 10, point 2: another genesis with the same
// chain id, validator keys and organisations as the story chain A (only the
// validators' node ids, random in audittest, differ, as a relaunch's
// genesis time or peers would). What A's validators signed must not count
// on B, whatever a bundle or a source claims.
func relaunch(t *testing.T, a *storyChain) *audittest.Chain {
	t.Helper()
	b := audittest.New(t, 4)
	b.Close()
	if b.Doc.ChainID != a.Doc.ChainID || b.Doc.Hash() == a.Doc.Hash() {
		t.Fatal("the relaunch must share the chain id and differ in genesis")
	}
	va, _ := a.Doc.ValidatorSet()
	vb, _ := b.Doc.ValidatorSet()
	if va.Hash() != vb.Hash() {
		t.Fatal("the relaunch must share the validator keys")
	}
	return b
}

// A bundle of chain A, its genesis_hash rewritten to B's (the field is only
// a claim), does not verify against B's genesis: its certificates signed
// A's genesis hash.
func TestVerifyRefusesABundleOfAnotherGenesisWithTheSameKeys(t *testing.T) {
	isolate(t)
	a := newStoryChain(t)
	b := relaunch(t, a)
	path := a.bundle(t, a.harvest)
	raw, _ := os.ReadFile(path)
	claimed := strings.Replace(string(raw), a.Doc.Hash().String(), b.Doc.Hash().String(), 1)
	if claimed == string(raw) {
		t.Fatal("the bundle names no genesis hash")
	}
	forged := filepath.Join(t.TempDir(), "claims-b.json")
	if err := os.WriteFile(forged, []byte(claimed), 0o644); err != nil {
		t.Fatal(err)
	}
	runQian(t, "", nil, "verify", path, "--genesis", a.GenesisFile()).want(t, 0, "VERIFIED")
	runQian(t, "", nil, "verify", forged, "--genesis", b.GenesisFile()).
		wantErr(t, 1, proof.ErrCommit, "is not a valid signature on chain "+b.Doc.ChainID, "another chain")
	r := runQian(t, "", nil, "verify", forged, "--genesis", b.GenesisFile(), "--json")
	if r.code != 1 || !strings.Contains(r.stdout, `"verified": false`) || !strings.Contains(r.stdout, proof.ErrCommit) {
		t.Fatalf("--json: exit %d\n%s", r.code, r.stdout)
	}
	// Unchanged, it names the other genesis at once.
	runQian(t, "", nil, "verify", path, "--genesis", b.GenesisFile()).wantErr(t, 1, proof.ErrChain, "genesis")
}

// A node home holding chain A but claiming B (its stored genesis hash and
// genesis.json replaced) fails `qian audit --home` at the first
// certificate; so does a node serving A's blocks while its status claims
// B, through `qian audit --node`.
func TestAuditRefusesAChainOfAnotherGenesisWithTheSameKeys(t *testing.T) {
	isolate(t)
	a := newStoryChain(t)
	b := relaunch(t, a)
	runQian(t, "", nil, "audit", "--home", a.Home, "--quiet").want(t, 0, "OK: every block")

	// --node: a node that serves A's blocks and says it is on B.
	liar, closeStore := liarNode(t, a.ChainDir(), b.Doc.Hash())
	srv := httptest.NewServer(liar)
	defer srv.Close()
	runQian(t, "", nil, "audit", "--node", srv.URL, "--genesis", a.GenesisFile(), "--quiet").wantErr(t, 1, "ERR_AUDIT_GENESIS")
	r := runQian(t, "", nil, "audit", "--node", srv.URL, "--genesis", b.GenesisFile(), "--quiet")
	r.wantErr(t, 1, "ERR_AUDIT_COMMIT", "height 1:", "on chain "+b.Doc.ChainID+" (genesis "+b.Doc.Hash().Short()+")")
	if !strings.Contains(r.stdout, "FAILED at height 1") {
		t.Fatalf("summary:\n%s", r.stdout)
	}
	srv.Close()
	closeStore()

	// --home: the home rewritten to claim B.
	db, err := pebble.Open(a.ChainDir(), &pebble.Options{Logger: quietPebble{}})
	if err != nil {
		t.Fatal(err)
	}
	gh := b.Doc.Hash()
	if err := db.Set([]byte("mgenesis"), gh[:], pebble.Sync); err != nil { // ledger/store's meta key
		t.Fatal(err)
	}
	db.Close()
	genesisB, _ := os.ReadFile(b.GenesisFile())
	if err := os.WriteFile(a.GenesisFile(), genesisB, 0o644); err != nil {
		t.Fatal(err)
	}
	r = runQian(t, "", nil, "audit", "--home", a.Home, "--quiet")
	r.wantErr(t, 1, "ERR_AUDIT_COMMIT", "height 1:", "stored certificate", "on chain "+b.Doc.ChainID+" (genesis "+gh.Short()+")")
	if !strings.Contains(r.stdout, "FAILED at height 1") {
		t.Fatalf("summary:\n%s", r.stdout)
	}
}

// liarNode serves the two endpoints the auditor reads, GET /v1/status and
// GET /v1/blocks/{h}/raw, from the closed chain in dir, but reports the
// genesis hash claim. Call closeStore when done with it.
func liarNode(t *testing.T, dir string, claim ledger.Hash) (h http.Handler, closeStore func()) {
	t.Helper()
	st, err := store.Open(dir, &store.Options{Pebble: &pebble.Options{ReadOnly: true, Logger: quietPebble{}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(api.StatusResponse{ChainID: audittest.ChainID, Genesis: claim, Height: st.Height()})
	})
	mux.HandleFunc("GET /v1/blocks/{height}/raw", func(w http.ResponseWriter, r *http.Request) {
		h, _ := strconv.ParseUint(r.PathValue("height"), 10, 64)
		raw, err := rawBlock(st, h)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(raw)
	})
	return mux, func() { st.Close() }
}

func rawBlock(st *store.Store, h uint64) (*api.RawBlock, error) {
	b, err := st.Block(h)
	if err != nil {
		return nil, err
	}
	c, err := st.Commit(h)
	if err != nil {
		return nil, err
	}
	app, err := st.AppHash(h)
	if err != nil {
		return nil, err
	}
	raw := &api.RawBlock{Height: h, Hash: b.Hash(), Block: b.Encode(), Commit: c.Encode(), AppHash: app, Results: []proof.Hex{}}
	if wr, err := st.WritesRoot(h); err == nil {
		raw.WritesRoot = &wr
	}
	for i := range b.Txs {
		res, err := st.TxResult(h, uint32(i), b.Txs[i].Hash())
		if err != nil {
			return nil, fmt.Errorf("result %d: %w", i, err)
		}
		raw.Results = append(raw.Results, res)
	}
	return raw, nil
}

// A home whose chain was written by the build before certificates signed
// the genesis hash (store format 1) is refused with a stable code and what
// to do, by `qian start` before it opens a port, and by `qian audit`.
func TestAnOlderStoreIsRefusedWithWhatToDo(t *testing.T) {
	isolate(t)
	home := filepath.Join(t.TempDir(), "home")
	t.Setenv(keyring.EnvPassphrase, "test")
	runQian(t, "", nil, "init", "--home", home).want(t, 0)
	doc, err := genesis.Load(filepath.Join(home, "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	chain := filepath.Join(home, "data", "chain")
	st, err := store.Open(chain, nil)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := doc.ValidatorSet()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InitGenesis(doc.Hash(), vals, nil, ledger.Hash{1}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := pebble.Open(chain, &pebble.Options{Logger: quietPebble{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Delete([]byte("mformat"), pebble.Sync); err != nil { // as the previous build left it
		t.Fatal(err)
	}
	db.Close()

	done := make(chan result, 1)
	go func() {
		done <- runQian(t, "", nil, "start", "--home", home, "--http.listen", "127.0.0.1:0", "--p2p.listen", "/ip4/127.0.0.1/tcp/0")
	}()
	select {
	case r := <-done:
		r.wantErr(t, 1, "store_format", "store format 1", "earlier qian", "do not sign the genesis hash",
			"remove each node's data directory (here "+filepath.Join(home, "data"), "qian testnet")
	case <-time.After(2 * time.Minute): // a guard against a hang, not a timing check
		t.Fatal("qian start ran on a store of format 1")
	}
	runQian(t, "", nil, "audit", "--home", home).wantErr(t, 1, "store_format", "store format 1")
}
