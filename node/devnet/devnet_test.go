package devnet

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeBasePort(t *testing.T) int {
	// Four nodes need base..base+31; pick a base whose first port is free.
	for p := 31000 + int(time.Now().UnixNano()%2000)*10; ; p += 40 {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err == nil {
			ln.Close()
			return p
		}
	}
}

// The devnet starts four validators, loads the whole demo story, prints the
// URLs, and stops cleanly; a second run reuses the chain without loading the
// story again.
func TestDevnetRunsTheDemoStory(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-validator network")
	}
	dir := t.TempDir()
	base := freeBasePort(t)
	run := func() (*syncBuffer, uint64) {
		var out syncBuffer
		ctx, cancel := context.WithCancel(context.Background())
		var height uint64
		err := Run(ctx, Options{Dir: dir, HTTP: "127.0.0.1:0", BasePort: base, Out: &out,
			KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()},
			Ready: func(nw *Network) {
				n := nw.Nodes[0]
				height = n.Store.Height()
				checkStory(t, n)
				cancel()
			}})
		if err != nil {
			t.Fatalf("devnet: %v\n%s", err, out.String())
		}
		return &out, height
	}
	out, h1 := run()
	if !strings.Contains(out.String(), "/01/"+demo.DemoLot.Key+"/10/"+demo.DemoLot.Ext) {
		t.Fatalf("devnet did not print the demo lot's page:\n%s", out)
	}
	if !strings.Contains(out.String(), "Loading the demo story") {
		t.Fatal("first run did not load the story")
	}
	out2, h2 := run()
	if strings.Contains(out2.String(), "Loading the demo story") {
		t.Fatal("second run loaded the story again")
	}
	if h2 < h1 {
		t.Fatalf("second run started below the first run's height: %d < %d", h2, h1)
	}
}

func checkStory(t *testing.T, n *node.Node) {
	t.Helper()
	var txs, failed int
	for h := uint64(1); h <= n.Store.Height(); h++ {
		b, err := n.Store.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		for i := range b.Txs {
			res, _ := n.Store.TxResult(h, uint32(i), b.Txs[i].Hash())
			out, err := node.DecodeOutcome(res)
			if err != nil {
				t.Fatal(err)
			}
			txs++
			if out.Code != "OK" {
				failed++
			}
		}
	}
	if txs < 20 {
		t.Fatalf("only %d transactions on the chain", txs)
	}
	t.Logf("demo story: %d transactions at height %d, %d deliberately rejected", txs, n.Store.Height(), failed)
}

// A devnet directory left by the build before certificates signed the
// genesis hash (its stores of format 1) is not run into obscure failures:
// qian devnet says so, moves it aside and makes a new one.
func TestDevnetRenewsANetworkOfAnEarlierFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "devnet")
	o := Options{Dir: dir, HTTP: "127.0.0.1:0", Validators: 4, BasePort: freeBasePort(t), Passphrase: []byte(DefaultPassphrase),
		Log: slog.New(slog.DiscardHandler), KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()}}
	var out syncBuffer
	o.Out = &out
	nw, err := open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	old := nw.Genesis.Hash()
	nw.stop()
	// As the previous build left it: no "format" meta key.
	for i := 0; i < 4; i++ {
		db, err := pebble.Open(filepath.Join(dir, fmt.Sprintf("node%d", i), "data", "chain"), &pebble.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Delete([]byte("mformat"), pebble.Sync); err != nil { // ledger/store's meta key
			t.Fatal(err)
		}
		db.Close()
	}

	nw, err = openOrRenew(dir, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	defer nw.stop()
	if len(nw.Nodes) != 4 || nw.Genesis.Hash() == old {
		t.Fatalf("%d nodes, genesis %s (old %s)", len(nw.Nodes), nw.Genesis.Hash().Short(), old.Short())
	}
	if !strings.Contains(out.String(), "store format 1") || !strings.Contains(out.String(), "Moved it to "+dir+".old") {
		t.Fatalf("the renewal was not explained:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir+".old", "genesis.json")); err != nil {
		t.Fatalf("the old network was not kept aside: %v", err)
	}
}

// A devnet directory left by the build before validator-set changes: its
// genesis names no organisation per validator, which this build refuses;
// qian devnet says so, moves it aside and makes a new one.
func TestDevnetRenewsANetworkWhoseGenesisThisBuildRefuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "devnet")
	o := Options{Dir: dir, HTTP: "127.0.0.1:0", Validators: 1, BasePort: freeBasePort(t), Passphrase: []byte(DefaultPassphrase),
		Log: slog.New(slog.DiscardHandler), KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()}}
	var out syncBuffer
	o.Out = &out
	nw, err := open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	nw.stop()
	path := filepath.Join(dir, "genesis.json")
	raw, _ := os.ReadFile(path)
	old := strings.Replace(string(raw), `"org": "farm"`, `"org": ""`, 1)
	if old == string(raw) {
		t.Fatal("the genesis file names no organisation to remove")
	}
	os.WriteFile(path, []byte(old), 0o644)
	nw, err = openOrRenew(dir, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	defer nw.stop()
	if !strings.Contains(out.String(), "validators[0].org") || !strings.Contains(out.String(), "Moved it to "+dir+".old") {
		t.Fatalf("the renewal was not explained:\n%s", out.String())
	}
}
