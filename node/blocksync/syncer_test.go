package blocksync_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/blocksync"
	"github.com/qianchain/qianchain/node/p2p"
)

// A server's chain grows in a Pebble store while a client syncs from it
// over libp2p on loopback. Run stops asking once no peer is more than its
// slack ahead; a batch it does fetch takes all the peer has.
//
//	server at 10, client at 0:  Run(slack 3) applies 1..10
//	server at 12, client at 10: Run(slack 3) applies nothing (2 behind)
//	                            Run(slack 0) applies 11..12, level
//	server at 13, client at 12: Run(slack 1) applies nothing (1 behind)
//	                            Run(slack 0) applies 13
func TestRunStopsWithinSlackOfTheHighestPeer(t *testing.T) {
	lc := ledgertest.NewChain("qian-test", 4)
	st, err := store.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	genesis := lc.Identity.GenesisHash()
	if err := st.InitGenesis(genesis, lc.Validators, nil, ledger.Hash{}); err != nil {
		t.Fatal(err)
	}
	grow := func(to uint64) {
		for st.Height() < to {
			blk, cmt := lc.Next(nil)
			if err := st.CommitBlock(&store.Committed{Block: blk, Commit: cmt, AppHash: ledger.Hash{}}); err != nil {
				t.Fatal(err)
			}
		}
	}

	server, client := connectedPair(t)
	blocksync.Serve(server, st, genesis)

	var height uint64
	s := &blocksync.Syncer{
		Net: client, Genesis: genesis, Height: func() uint64 { return height }, MaxFrame: 1 << 20,
		Apply: func(blk *ledger.Block, c *ledger.Commit) error {
			if blk.Header.Height != height+1 || c.Height != blk.Header.Height {
				return fmt.Errorf("applied height %d (commit %d) after %d", blk.Header.Height, c.Height, height)
			}
			height++
			return nil
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, step := range []struct {
		server, slack uint64
		applied, at   uint64
	}{{10, 3, 10, 10}, {12, 3, 0, 10}, {12, 0, 2, 12}, {13, 1, 0, 12}, {13, 0, 1, 13}} {
		grow(step.server)
		n, err := s.Run(ctx, step.slack)
		if err != nil {
			t.Fatalf("server at %d, slack %d: %v", step.server, step.slack, err)
		}
		if n != step.applied || height != step.at {
			t.Fatalf("server at %d, slack %d: applied %d, now at %d; want %d applied, at %d",
				step.server, step.slack, n, height, step.applied, step.at)
		}
	}
}

// connectedPair starts two admitted libp2p networks on loopback, the second
// dialling the first, and waits until they are connected.
func connectedPair(t *testing.T) (a, b *p2p.Network) {
	t.Helper()
	ka, ida := newKey(t)
	kb, idb := newKey(t)
	a, err := p2p.New(p2p.Config{Key: ka, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Admitted: []peer.ID{idb}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b, err = p2p.New(p2p.Config{Key: kb, Listen: []string{"/ip4/127.0.0.1/tcp/0"},
		Peers: []peer.AddrInfo{{ID: ida, Addrs: a.ListenAddrs()}}, Admitted: []peer.ID{ida}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	a.Start()
	b.Start()
	for deadline := time.Now().Add(10 * time.Second); len(a.Peers()) == 0 || len(b.Peers()) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the two networks did not connect within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return a, b
}

func newKey(t *testing.T) (crypto.PrivKey, peer.ID) {
	k, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return k, id
}
