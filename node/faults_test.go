package node_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/nodekey"
	"github.com/qianchain/qianchain/node/nodetest"
)

func maxHeight(nw *nodetest.Network) uint64 {
	var h uint64
	for _, m := range nw.Members {
		if m.Node != nil {
			h = max(h, m.Node.Store.Height())
		}
	}
	return h
}

// With one of four validators stopped the chain goes on; with two stopped it
// halts without forking; when they return it resumes and the stopped nodes
// catch up.
func TestStoppedValidators(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network for several seconds")
	}
	nw := nodetest.New(t, nodetest.Options{Validators: 4})
	nw.StartAll()
	nw.WaitHeight(3, 20*time.Second)

	nw.Stop(3)
	h := maxHeight(nw)
	nw.WaitHeight(h+3, 20*time.Second)
	t.Logf("one validator down: chain went from %d to %d", h, maxHeight(nw))

	nw.Stop(2)
	time.Sleep(500 * time.Millisecond) // let an in-flight height finish
	stalled := maxHeight(nw)
	time.Sleep(3 * time.Second)
	if got := maxHeight(nw); got > stalled+1 {
		t.Fatalf("two of four validators down, yet the chain went from %d to %d", stalled, got)
	}
	nw.CheckSameChain()
	t.Logf("two validators down: halted at %d", maxHeight(nw))

	nw.Start(2)
	nw.Start(3)
	target := maxHeight(nw) + 3
	nw.WaitHeight(target, 40*time.Second)
	if top := nw.CheckSameChain(); top < target {
		t.Fatalf("after restart the common height is %d, want %d", top, target)
	}
}

// A node wiped and restarted from genesis syncs to the tip, verifying every
// commit and transaction on the way. Its signer state went with the data,
// so the double-sign guard refuses to let it sign (the synced commits hold
// its earlier precommits); moved past the tip with AdvanceSigner (qian
// validator signer-advance), it takes part in consensus.
func TestWipedNodeResyncs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network for several seconds")
	}
	nw := nodetest.New(t, nodetest.Options{Validators: 4})
	nw.StartAll()
	key, _ := ledger.GenerateKey()
	for i := 0; i < 300; i++ {
		tx := nodetest.KVTx(nw.Genesis.ChainID, key, uint64(i), fmt.Sprintf("k%d", i), "v")
		if _, _, err := nw.Members[i%3].Node.Submit(tx.Encode()); err != nil {
			t.Fatal(err)
		}
	}
	nw.WaitHeight(12, 30*time.Second)
	nw.Stop(3)
	nw.Wipe(3)
	nw.Start(3)
	select {
	case err := <-nw.Members[3].Node.Done():
		if !errors.Is(err, node.ErrSignerBehind) {
			t.Fatalf("the wiped validator stopped with %v, want the double-sign guard's refusal", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the wiped validator, its signer state gone, was not refused")
	}
	nw.Stop(3)
	m := nw.Members[3]
	if err := os.MkdirAll(m.Config.Paths().KeysDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := nodekey.WriteValidatorKey(m.Config.Paths().ValidatorKeyFile(), m.ValKey); err != nil {
		t.Fatal(err)
	}
	if _, err := node.AdvanceSigner(m.Config); err != nil {
		t.Fatal(err)
	}
	nw.Start(3)
	tip := maxHeight(nw)
	nw.WaitHeight(tip+2, 30*time.Second)
	top := nw.CheckSameChain()
	var txs int
	st := nw.Members[3].Node.Store
	for h := uint64(1); h <= top; h++ {
		b, err := st.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		txs += len(b.Txs)
	}
	if txs != 300 {
		t.Fatalf("resynced node holds %d transactions, want 300", txs)
	}
}

// Garbage from an admitted peer on the consensus and transaction protocols
// neither crashes nor stalls anyone; the sender is penalised.
func TestMalformedMessagesFromAdmittedPeer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network for several seconds")
	}
	nw := nodetest.New(t, nodetest.Options{Validators: 4})
	nw.StartAll()
	nw.WaitHeight(2, 20*time.Second)
	bad, victim := nw.Members[0].Node, nw.Members[1].Node
	garbage := [][]byte{{}, {0xff}, {0x01, 0x02, 0x03}, make([]byte, 5000), append([]byte{0x01}, make([]byte, 300)...)}
	for _, g := range garbage {
		bad.Net.Send(victim.Net.ID(), node.ConsensusProtocol, g)
		bad.Net.Send(victim.Net.ID(), node.TxProtocol, g)
	}
	h := maxHeight(nw)
	nw.WaitHeight(h+3, 20*time.Second)
	if victim.Net.Stats().Penalties == 0 {
		t.Fatal("the victim did not penalise the sender of garbage")
	}
	nw.CheckSameChain()
}

// Transactions an observer admits while it is cut off from the validators
// reach them once it reconnects.
func TestObserverRelaysWhatItHeldOnReconnect(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network for several seconds")
	}
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Observers: 1})
	nw.StartAll()
	nw.WaitHeight(2, 20*time.Second)
	obs := nw.Members[4]
	nw.Stop(4)
	// Restart the observer with no peers to dial: it is alone (validators
	// admit observers but do not dial them).
	obs.Config.P2P.Peers = nil
	nw.Start(4)
	key, _ := ledger.GenerateKey()
	var hashes []ledger.Hash
	for i := 0; i < 20; i++ {
		tx := nodetest.KVTx(nw.Genesis.ChainID, key, uint64(i), fmt.Sprintf("cut%d", i), "v")
		if _, h, err := obs.Node.Submit(tx.Encode()); err != nil {
			t.Fatal(err)
		} else {
			hashes = append(hashes, h)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if ok, _ := nw.Members[0].Node.Store.HasTx(hashes[0]); ok {
		t.Fatal("a transaction crossed while the observer was alone")
	}
	// Reconnect it to one validator.
	v := nw.Members[1]
	info, err := peer.AddrInfoFromString(v.P2PAddr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := obs.Node.Net.Host().Connect(ctx, *info); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, h := range hashes {
		for {
			if ok, _ := nw.Members[0].Node.Store.HasTx(h); ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("tx %s held by the observer never committed", h.Short())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
