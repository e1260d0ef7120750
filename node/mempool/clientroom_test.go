package mempool

import (
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// TestClientRoomTellsWhenRoomFrees: ClientRoom counts the clients' share
// left (MaxTxs less the relay reserve, less what waits), and its channel
// closes at a commit or a removal, not at an admission.
func TestClientRoomTellsWhenRoomFrees(t *testing.T) {
	f := newFixture(t, Config{MaxTxs: 4, RelayReserve: 1})
	closed := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	check := func(step string, wantRoom int) <-chan struct{} {
		t.Helper()
		room, capacity, freed := f.mp.ClientRoom()
		if room != wantRoom || capacity != 3 {
			t.Fatalf("%s: room %d of %d; want %d of 3", step, room, capacity, wantRoom)
		}
		return freed
	}
	freed := check("empty", 3)
	var txs [3]*ledger.Tx
	for i := range txs {
		txs[i] = f.chain.Tx(uint64(i+1), 0, nil)
		if _, _, err := f.mp.Add(txs[i].Encode()); err != nil {
			t.Fatal(err)
		}
	}
	if closed(freed) {
		t.Fatal("admissions closed the channel: nothing was freed")
	}
	check("full for clients", 0)
	// A relay fills the reserve: the clients' room stays 0, not below.
	if res := f.mp.AddRelayed([][]byte{f.chain.Tx(4, 0, nil).Encode()}); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	check("reserve filled", 0)
	f.mp.Remove([]ledger.Hash{txs[0].Hash()})
	if !closed(freed) {
		t.Fatal("a removal did not close the channel")
	}
	freed = check("one removed", 0) // 3 wait, the clients' share is 3
	blk := f.commitToLedger(t, []*ledger.Tx{txs[1]})
	f.mp.Update(blk.Txs, false)
	if !closed(freed) {
		t.Fatal("a commit did not close the channel")
	}
	check("one committed", 1)
}

// TestClientRoomFreedByALoneProposalAndTheReserve: a lone validator's
// proposal sets its transactions aside (room for the next block), and
// losing the relay peers lifts the reserve: both close the channel.
func TestClientRoomFreedByALoneProposalAndTheReserve(t *testing.T) {
	f := newFixture(t, Config{MaxTxs: 4, RelayReserve: 1})
	for i := uint64(1); i <= 3; i++ {
		if _, _, err := f.mp.Add(f.chain.Tx(i, 0, nil).Encode()); err != nil {
			t.Fatal(err)
		}
	}
	_, _, freed := f.mp.ClientRoom()
	f.mp.SetRelayPeers(false)
	select {
	case <-freed:
	default:
		t.Fatal("lifting the reserve did not close the channel")
	}
	if room, capacity, _ := f.mp.ClientRoom(); room != 1 || capacity != 4 {
		t.Fatalf("without relay peers: room %d of %d; want 1 of 4", room, capacity)
	}
	_, _, freed = f.mp.ClientRoom()
	if block := f.mp.Propose(10, 1<<20); len(block) != 3 {
		t.Fatalf("proposed %d transactions; want 3", len(block))
	}
	select {
	case <-freed:
	default:
		t.Fatal("a lone validator's proposal did not close the channel")
	}
	if room, _, _ := f.mp.ClientRoom(); room != 4 {
		t.Fatalf("with the proposal set aside: room %d; want 4", room)
	}
}
