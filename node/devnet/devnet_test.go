package devnet

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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
			res, _ := n.Store.TxResult(h, uint32(i))
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
