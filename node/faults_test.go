package node_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
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
// commit and transaction on the way, and then takes part in consensus.
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
