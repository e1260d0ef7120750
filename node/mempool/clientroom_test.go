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
