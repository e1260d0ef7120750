package contracts_test

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/internal/cputime"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// BlockSize is the number of transactions per block in the benchmarks:
// about one second of the 3,000 tx/s target.
const benchBlockSize = 3000

type benchTx struct {
	signer  func(demo.Keys) ledger.PrivateKey
	payload func(i int) (contract, method string, payload []byte)
	// prepare runs once before timing on the demo world.
	prepare func(b *testing.B, c *contracttest.Chain, ks demo.Keys, n int)
}

func u64(i int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(i)) }

var benchLots []gs1.ObjectID

func benchLot(i int) gs1.ObjectID {
	return gs1.ObjectID{Kind: gs1.Lot, Key: demo.GTINFreshLeaves, Ext: fmt.Sprintf("B%d", i)}
}

func event(i int, step string, action epcis.Action, o gs1.ObjectID) *epcis.Event {
	return &epcis.Event{Type: epcis.ObjectEvent, EventTime: later + int64(i)*1e6, TimeZoneOffset: cst, Action: action, BizStep: step,
		ReadPoint: gs1.Location{GLN: demo.Farm.SiteGLN}.URI(), QuantityList: []epcis.Quantity{{Class: o, HasQuantity: true, Quantity: epcis.Decimal{Mant: 1205, Scale: 1}, UOM: "KGM"}}}
}

// commissionLots gives the farm n lots to act on.
func commissionLots(b *testing.B, c *contracttest.Chain, ks demo.Keys, n int) {
	var txs []*ledger.Tx
	for i := 0; i < n; i++ {
		txs = append(txs, c.Tx(ks[membership.Farm], trace.Contract, trace.MethodCapture, event(i, "commissioning", epcis.Add, benchLot(i)).Encode()))
		if len(txs) == benchBlockSize || i == n-1 {
			res, err := c.Block(txs...)
			if err != nil || !res.Results[0].OK() {
				b.Fatal(err, res.Results[0])
			}
			txs = nil
		}
	}
}

const poolLots = 3000 // lots the observing benchmarks cycle through

var benchMethods = map[string]benchTx{
	"notary.anchor": {signer: role(membership.Farm), payload: func(i int) (string, string, []byte) {
		return notary.Contract, notary.MethodAnchor, (&notary.Anchor{Hash: ledger.Sum(u64(i)), Kind: notary.Evidence, Name: "photo.jpg", MediaType: "image/jpeg", Size: 123456}).Encode()
	}},
	"notary.record_trade": {signer: role(membership.DataExchange), payload: func(i int) (string, string, []byte) {
		return notary.Contract, notary.MethodRecordTrade, (&notary.TradePayload{ProductHash: ledger.Sum(u64(i)), Seller: demo.Processor.Name,
			Buyer: "黔货出山电商平台", ProductID: "GBDEX-DP-2025-0391", TermsHash: ledger.Sum([]byte("t")), Reference: fmt.Sprint(i), Time: later}).Encode()
	}},
	"notary.anchor_batch": {signer: role(membership.DataExchange), payload: func(i int) (string, string, []byte) {
		return notary.Contract, notary.MethodAnchorBatch, (&notary.BatchPayload{Root: ledger.Sum(u64(i)), Size: 1_000_000, Name: "batch"}).Encode()
	}},
	"trace.register_product": {signer: role(membership.Processor), payload: func(i int) (string, string, []byte) {
		// The prefix holds 100,000 item references; the indicator digit
		// (packaging level, 0-8) makes 900,000 GTINs, more than b.N
		// reaches in a second (it wrapped at 50,000 and failed on a
		// duplicate once b.N passed that).
		g := contracttest.WithCheck(fmt.Sprintf("%d6923103%05d", i/100000%9, i%100000))
		return trace.Contract, trace.MethodRegisterProduct, (&trace.RegisterProduct{GTIN: g, Name: "都匀毛尖 特级"}).Encode()
	}},
	"trace.capture/commissioning": {signer: farmOp, payload: func(i int) (string, string, []byte) {
		return trace.Contract, trace.MethodCapture, event(i, "commissioning", epcis.Add, benchLot(i)).Encode()
	}},
	"trace.capture/storing": {signer: role(membership.Farm), prepare: func(b *testing.B, c *contracttest.Chain, ks demo.Keys, n int) {
		commissionLots(b, c, ks, min(n, poolLots))
	}, payload: func(i int) (string, string, []byte) {
		return trace.Contract, trace.MethodCapture, event(i, "storing", epcis.Observe, benchLot(i%poolLots)).Encode()
	}},
	"trace.capture/shipping": {signer: role(membership.Farm), prepare: func(b *testing.B, c *contracttest.Chain, ks demo.Keys, n int) {
		commissionLots(b, c, ks, min(n, poolLots))
	}, payload: func(i int) (string, string, []byte) {
		e := event(i, "shipping", epcis.Observe, benchLot(i%poolLots))
		e.Destinations = []epcis.Party{{Type: "possessing_party", ID: gs1.PartyURI(demo.Cooperative.PartyGLN)}}
		return trace.Contract, trace.MethodCapture, e.Encode()
	}},
	"trace.capture/inspecting": {signer: role(membership.Inspector), prepare: func(b *testing.B, c *contracttest.Chain, ks demo.Keys, n int) {
		commissionLots(b, c, ks, min(n, poolLots))
	}, payload: func(i int) (string, string, []byte) {
		e := event(i, "inspecting", epcis.Observe, benchLot(i%poolLots))
		e.Disposition, e.CertificationInfo = "conformant", []string{"ni:///sha-256;d04529c0613b416901e69c38391430c0cc3e00ea719d8b00c3596134bd2e284e"}
		return trace.Contract, trace.MethodCapture, e.Encode()
	}},
	"trace.capture/transformation": {signer: role(membership.Farm), prepare: func(b *testing.B, c *contracttest.Chain, ks demo.Keys, n int) {
		commissionLots(b, c, ks, min(n, poolLots))
	}, payload: func(i int) (string, string, []byte) {
		e := &epcis.Event{Type: epcis.TransformationEvent, EventTime: later, TimeZoneOffset: cst, BizStep: "commissioning",
			InputQuantityList:  []epcis.Quantity{{Class: benchLot(i % poolLots)}},
			OutputQuantityList: []epcis.Quantity{{Class: gs1.ObjectID{Kind: gs1.Lot, Key: demo.GTINFreshLeaves, Ext: fmt.Sprintf("T%d", i)}}}}
		return trace.Contract, trace.MethodCapture, e.Encode()
	}},
	"membership.add_account": {signer: role(membership.Farm), payload: func(i int) (string, string, []byte) {
		return membership.Contract, membership.MethodAddAccount, (&membership.AddAccount{Key: benchKey(i), Role: membership.Operator, Label: "scanner"}).Encode()
	}},
	"membership.propose": {signer: role(membership.Regulator), payload: func(i int) (string, string, []byte) {
		return membership.Contract, membership.MethodPropose, (&membership.Propose{Kind: membership.SuspendOrg, OrgID: "farm2", Reason: fmt.Sprint(i)}).Encode()
	}},
}

// benchKey returns distinct valid public keys cheaply: x coordinates of
// multiples of the generator are too slow to make by the thousand, so it
// reuses a pool of real keys with the index folded in by key generation
// once.
var keyPool []ledger.PublicKey

func benchKey(i int) ledger.PublicKey {
	for len(keyPool) <= i {
		keyPool = append(keyPool, contracttest.Key(fmt.Sprint("bench ", len(keyPool))).PublicKey())
	}
	return keyPool[i]
}

// BenchmarkExecute measures transactions executed per second, per method,
// in blocks of 3,000 over the in-memory store (no signature checks:
// execution never verifies signatures). The demo story's state is loaded
// first.
func BenchmarkExecute(b *testing.B) { benchmarkExecute(b, false) }

// BenchmarkExecuteDecoded is BenchmarkExecute with every payload decoded
// before the timer, as a node's admission does (ExecuteBlockDecoded with
// the mempool's payloads): what execution costs once it does not decode.
func BenchmarkExecuteDecoded(b *testing.B) { benchmarkExecute(b, true) }

func benchmarkExecute(b *testing.B, decoded bool) {
	for _, name := range []string{"notary.anchor", "notary.record_trade", "notary.anchor_batch", "trace.register_product",
		"trace.capture/commissioning", "trace.capture/storing", "trace.capture/shipping", "trace.capture/inspecting",
		"trace.capture/transformation", "membership.add_account", "membership.propose"} {
		m := benchMethods[name]
		b.Run(name, func(b *testing.B) {
			c, ks := demoWorld(b)
			c.Sign = false
			if m.prepare != nil {
				m.prepare(b, c, ks, b.N)
			}
			if name == "membership.add_account" {
				benchKey(b.N)
			}
			var blocks [][]*ledger.Tx
			var cur []*ledger.Tx
			for i := 0; i < b.N; i++ {
				contract, method, p := m.payload(i)
				cur = append(cur, c.Tx(m.signer(ks), contract, method, p))
				if len(cur) == benchBlockSize {
					blocks = append(blocks, cur)
					cur = nil
				}
			}
			if len(cur) > 0 {
				blocks = append(blocks, cur)
			}
			if decoded {
				byHash := map[ledger.Hash]any{}
				for _, blk := range blocks {
					for _, tx := range blk {
						v, err := c.Exec.DecodePayload(tx.Contract, tx.Method, tx.Payload)
						if err != nil {
							b.Fatal(err)
						}
						byHash[tx.Hash()] = v
					}
				}
				c.Decoded = func(h ledger.Hash) any { return byHash[h] }
			}
			b.ResetTimer()
			start, cpu := time.Now(), cputime.Process()
			writes := 0
			for _, blk := range blocks {
				res, err := c.Block(blk...)
				if err != nil {
					b.Fatal(err)
				}
				writes += len(res.Writes)
				if r := res.Results[len(res.Results)-1]; r.Code != call.OK {
					b.Fatalf("%s: %s %s", name, r.Code, r.Message)
				}
			}
			el := time.Since(start)
			b.ReportMetric(float64(b.N)/el.Seconds(), "tx/s")
			// CPU time per transaction: on a shared machine the figure
			// to compare (wall time stretches with the neighbours' load).
			b.ReportMetric(float64((cputime.Process()-cpu).Microseconds())/float64(b.N), "cpu-µs/tx")
			// Keys a block writes per transaction (net: a key written twice
			// in a block counts once), what contracts.writesPerTx sizes for.
			b.ReportMetric(float64(writes)/float64(b.N), "writes/tx")
		})
	}
}

// BenchmarkNotaryBatch1M builds a 1,000,000-item batch, anchors its root in
// one transaction, and verifies one item's certificate offline. Run with
// -benchtime=1x; each phase is reported.
func BenchmarkNotaryBatch1M(b *testing.B) {
	items := make([]ledger.Hash, notary.MaxBatchItems)
	for i := range items {
		items[i] = ledger.Sum(u64(i))
	}
	c, ks := demoWorld(b)
	dx := ks[membership.DataExchange]
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		items[0] = ledger.Sum([]byte(fmt.Sprint("batch ", n))) // a new root each round
		t0 := time.Now()
		batch, err := notary.NewBatch(items)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		tx := c.Tx(dx, notary.Contract, notary.MethodAnchorBatch, batch.Payload(fmt.Sprint("1M batch ", n), nil))
		res, err := c.Block(tx)
		if err != nil || !res.Results[0].OK() {
			b.Fatal(err, res.Results)
		}
		t2 := time.Now()
		if err := merkle.Verify(merkle.LeafHash(items[777_777][:]), batch.Proof(777_777), batch.Root()); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		b.ReportMetric(float64(t1.Sub(t0).Milliseconds()), "build-ms")
		b.ReportMetric(float64(t2.Sub(t1).Microseconds()), "anchor-us")
		b.ReportMetric(float64(t3.Sub(t2).Microseconds()), "item-path-us")
	}
}
