package contracts_test

import (
	"bytes"
	"testing"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/memstate"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
)

// missLog is a Store that notes the keys read and found absent.
type missLog struct {
	*memstate.Store
	misses [][]byte
}

func (m *missLog) Get(k []byte) ([]byte, error) {
	v, err := m.Store.Get(k)
	if v == nil && err == nil {
		m.misses = append(m.misses, append([]byte(nil), k...))
	}
	return v, err
}

// The busy transactions (trace captures of existing lots, commissioning of
// new ones, notary anchors) read no absent key outside AbsentLookups — in
// execution or in the state digest's look at each written key's value
// before the block — so that a node's store answers every such miss from
// its in-memory filter, without a Pebble read.
func TestBusyPathMissesAreAbsentLookups(t *testing.T) {
	c, ks := demoWorld(t)
	c.Sign = false
	commission := func(from, n int) {
		var txs []*ledger.Tx
		for i := from; i < from+n; i++ {
			txs = append(txs, c.Tx(ks[membership.Farm], trace.Contract, trace.MethodCapture, event(i, "commissioning", epcis.Add, benchLot(i)).Encode()))
		}
		if _, err := c.Block(txs...); err != nil {
			t.Fatal(err)
		}
	}
	commission(0, 10)
	log := &missLog{Store: c.Store}
	var txs []*ledger.Tx
	for i := range 10 {
		txs = append(txs,
			c.Tx(ks[membership.Farm], trace.Contract, trace.MethodCapture, event(100+i, "storing", epcis.Observe, benchLot(i)).Encode()),
			c.Tx(ks[membership.Farm], trace.Contract, trace.MethodCapture, event(200+i, "commissioning", epcis.Add, benchLot(1000+i)).Encode()),
			c.Tx(ks[membership.Farm], notary.Contract, notary.MethodAnchor, (&notary.Anchor{Hash: ledger.Sum(u64(i)), Kind: notary.Evidence, Name: "photo.jpg"}).Encode()))
	}
	c.Height++
	res, err := c.Exec.ExecuteBlock(log, contracts.Prior{AppHash: c.AppHash, State: c.State}, contracts.BlockContext{ChainID: "qian-test", Height: c.Height, Time: c.Time + 5e9}, txs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Results {
		if !r.OK() {
			t.Fatalf("tx %d: %v", i, r)
		}
	}
	covered := contracts.AbsentLookups()
	uncovered := map[string]int{}
	for _, k := range log.misses {
		in := false
		for _, p := range covered {
			in = in || bytes.HasPrefix(k, p)
		}
		if !in {
			uncovered[string(k[:min(4, len(k))])]++
		}
	}
	// The upgrade plan and protocol version: read once per block, not per
	// transaction.
	delete(uncovered, "u/pl")
	delete(uncovered, "u/ve")
	if len(uncovered) > 0 {
		t.Fatalf("absent keys read outside AbsentLookups, by prefix: %v", uncovered)
	}
}
