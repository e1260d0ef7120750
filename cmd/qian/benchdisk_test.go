package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/config"
)

// TestBenchDiskStateByPrefix: qian bench disk reports the state table by
// contract key prefix — every prefix with its exact key and value bytes,
// and an estimate on disk for each that holds data.
func TestBenchDiskStateByPrefix(t *testing.T) {
	isolate(t)
	home := t.TempDir()
	st, err := store.Open(filepath.Join(config.Paths{Home: home}.DataDir(), "chain"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := ledgertest.NewChain("qian-test", 4)
	if err := st.InitGenesis(c.Identity.GenesisHash(), c.Validators, nil, ledger.Hash{}); err != nil {
		t.Fatal(err)
	}
	for h := uint64(1); h <= 10; h++ {
		var writes []store.Write
		for j := 0; j < 20; j++ {
			id := ledger.Sum([]byte(fmt.Sprint(h, j)))
			writes = append(writes,
				store.Write{Key: append([]byte("t/e/"), id[:]...), Value: make([]byte, 100)},
				store.Write{Key: append([]byte("t/o/"), id[:8]...), Value: make([]byte, 10)})
		}
		writes = append(writes, store.Write{Key: []byte("u/done/" + fmt.Sprint(h)), Value: []byte{1}})
		tx := c.Tx(1, h, []byte("p"))
		blk, cmt := c.Next([]*ledger.Tx{tx})
		th := tx.Hash()
		leaf := append(th[:], 0) // a result begins with its transaction's hash
		app := ledger.Sum([]byte(fmt.Sprint("app", h)))
		if err := st.CommitBlock(&store.Committed{Block: blk, Commit: cmt, Results: [][]byte{leaf}, Writes: writes, AppHash: app}); err != nil {
			t.Fatal(err)
		}
		c.SetAppHash(app)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "disk.json")
	runQian(t, "", nil, "bench", "disk", "--home", home, "--compact", "--json", out).
		want(t, 0, "state by key prefix", "t/e/", "t/o/", "u/done/")
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var u DiskUsage
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatal(err)
	}
	want := map[string]StatePrefixUsage{
		"t/e/":    {Keys: 200, KeyBytes: 200 * 36, ValueBytes: 200 * 100},
		"t/o/":    {Keys: 200, KeyBytes: 200 * 12, ValueBytes: 200 * 10},
		"u/done/": {Keys: 10, KeyBytes: 9*8 + 9, ValueBytes: 10},
	}
	for _, p := range u.State {
		w, ok := want[p.Prefix]
		if !ok {
			continue // the store's own state, if any
		}
		delete(want, p.Prefix)
		if p.Keys != w.Keys || p.KeyBytes != w.KeyBytes || p.ValueBytes != w.ValueBytes {
			t.Errorf("%s: %d keys, %d key and %d value bytes; want %d, %d, %d", p.Prefix, p.Keys, p.KeyBytes, p.ValueBytes, w.Keys, w.KeyBytes, w.ValueBytes)
		}
		if p.DiskBytes == 0 {
			t.Errorf("%s: nothing on disk", p.Prefix)
		}
	}
	if len(want) > 0 {
		t.Errorf("prefixes missing from the report: %v (got %+v)", want, u.State)
	}
}

// TestKeyPrefix: a key's contract prefix is up to its second '/' within 8
// bytes, else its first byte.
func TestKeyPrefix(t *testing.T) {
	for k, want := range map[string]string{
		"t/e/abc": "t/e/", "u/done/x": "u/done/", "m/vk/1": "m/vk/", "abcdefghij/k/": "a", "x": "x", "": "",
	} {
		if got := string(keyPrefix([]byte(k))); got != want {
			t.Errorf("keyPrefix(%q) = %q, want %q", k, got, want)
		}
	}
}
