package node_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger"
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

// A home whose store a qian of format 4 wrote (each result kept with its
// transaction's hash first) is converted when the node opens it, with the
// conversion logged, and every result reads as it did.
func TestNewConvertsAStoreOfFormat4(t *testing.T) {
	nw := nodetest.New(t, nodetest.Options{Validators: 1})
	nw.Start(0)
	key, _ := ledger.GenerateKey()
	var hashes []ledger.Hash
	for i := range 20 {
		_, h, err := nw.Members[0].Node.Submit(nodetest.KVTx(nw.Genesis.ChainID, key, uint64(i), fmt.Sprintf("k%d", i), "v").Encode())
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	deadline := time.Now().Add(30 * time.Second) // a guard against a hang, not a timing check
	for _, h := range hashes {
		for ok := false; !ok; ok, _ = nw.Members[0].Node.Store.HasTx(h) {
			if time.Now().After(deadline) {
				t.Fatalf("tx %s not committed", h.Short())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	want := map[ledger.Hash]*store.TxAt{}
	for _, h := range hashes {
		at, err := nw.Members[0].Node.Store.Tx(h)
		if err != nil {
			t.Fatal(err)
		}
		want[h] = at
	}
	nw.Stop(0)

	// The store as a format 4 qian wrote it: whole results, format 4.
	m := nw.Members[0]
	db, err := pebble.Open(filepath.Join(m.Config.Paths().DataDir(), "chain"), &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	for _, at := range want {
		k := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64([]byte{'r'}, at.Height), at.Pos) // ledger/store's result key
		_ = b.Set(k, at.Result, nil)
	}
	_ = b.Set([]byte("mformat"), binary.BigEndian.AppendUint64(nil, 4), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var log lockedBuffer
	n, err := node.New(node.Options{Config: m.Config, Genesis: nw.Genesis, App: nw.App(), NodeKey: m.NodeKey, ValidatorKey: m.ValKey,
		Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatalf("New on a format 4 store: %v", err)
	}
	defer n.Stop()
	if !strings.Contains(log.String(), "converted to format 5") {
		t.Errorf("the conversion was not logged:\n%s", log.String())
	}
	for h, w := range want {
		at, err := n.Store.Tx(h)
		if err != nil || !bytes.Equal(at.Result, w.Result) {
			t.Fatalf("tx %s after the conversion: result %x (%v), want %x", h.Short(), at.Result, err, w.Result)
		}
	}
}

// lockedBuffer is a log destination the node's goroutines may write to
// while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
