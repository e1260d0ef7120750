package node_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/nodetest"
)

// A home whose store was written by the build before certificates signed
// the genesis hash (store format 1, which records no format) is refused at
// New with what to do, not run into obscure signature failures later.
func TestNewRefusesAStoreOfAnEarlierFormat(t *testing.T) {
	nw := nodetest.New(t, nodetest.Options{Validators: 1})
	nw.Start(0) // initialises the store from genesis
	nw.Stop(0)
	m := nw.Members[0]
	data := m.Config.Paths().DataDir()
	db, err := pebble.Open(filepath.Join(data, "chain"), &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Delete([]byte("mformat"), pebble.Sync); err != nil { // ledger/store's meta key
		t.Fatal(err)
	}
	db.Close()
	n, err := node.New(node.Options{Config: m.Config, Genesis: nw.Genesis, App: nw.App(), NodeKey: m.NodeKey, ValidatorKey: m.ValKey})
	if err == nil {
		n.Stop()
		t.Fatal("a node started on a store of format 1")
	}
	if !errors.Is(err, store.ErrFormat) {
		t.Fatalf("New: %v, want store.ErrFormat", err)
	}
	for _, s := range []string{"store format 1", "earlier qian", "do not sign the genesis hash", "remove each node's data directory (here " + data, "qian testnet"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("the error does not say %q:\n%v", s, err)
		}
	}
}
