package node

import (
	"testing"

	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/mempool"
	"github.com/qianchain/qianchain/node/sigcache"
)

// The payload the contracts' pre-check decodes at admission travels with
// the transaction in the mempool to execution (decoded once per node), and
// a block executed from it — here a copy decoded from the block's bytes, as
// a peer's proposal arrives — has the same outcome as one executed by
// decoding every payload again.
func TestAdmissionDecodedPayloadReachesExecution(t *testing.T) {
	fc := newFarmChain(t)
	admin, doc, a, app, st := fc.admin, fc.doc, fc.app, fc.hash, fc.st
	var ca checkedApp = a
	pool := mempool.New(mempool.Config{ChainID: doc.ChainID, MaxTxs: 100, MaxBytes: 1 << 20, MaxPerSender: 100, MaxTxBytes: 1 << 16},
		st, sigcache.New(100), func(tx *ledger.Tx) (any, error) { return ca.CheckTxDecoded(st, tx) })

	var raws [][]byte
	for i := range 3 {
		tx := &ledger.Tx{ChainID: doc.ChainID, Nonce: uint64(i), Contract: notary.Contract, Method: notary.MethodAnchor,
			Payload: (&notary.Anchor{Hash: ledger.Sum([]byte{byte(i)}), Kind: notary.Evidence, Name: "photo.jpg"}).Encode()}
		if i == 2 { // a repeat of the first anchor: refused at execution
			tx.Payload = (&notary.Anchor{Hash: ledger.Sum([]byte{0}), Kind: notary.Evidence, Name: "again.jpg"}).Encode()
		}
		if err := tx.Sign(admin); err != nil {
			t.Fatal(err)
		}
		raws = append(raws, tx.Encode())
	}
	for i, r := range pool.AddBatch(raws) {
		if r.Err != nil {
			t.Fatalf("tx %d: %v", i, r.Err)
		}
		if p, ok := pool.Checked(r.Hash).(*notary.Anchor); !ok || p.Name == "" {
			t.Fatalf("tx %d: the mempool holds %#v, want its decoded anchor", i, pool.Checked(r.Hash))
		}
	}
	// The block as a peer's proposal arrives: decoded from its bytes.
	var txs []*ledger.Tx
	for _, raw := range raws {
		tx, err := ledger.DecodeTx(raw)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	hdr := &ledger.Header{ChainID: doc.ChainID, Height: 1, Time: doc.GenesisTime.UnixNano() + 1}
	fromPool, err := ca.ExecuteChecked(st, app, hdr, txs, pool.Checked)
	if err != nil {
		t.Fatal(err)
	}
	again, err := a.Execute(st, app, hdr, txs)
	if err != nil {
		t.Fatal(err)
	}
	if fromPool.AppHash != again.AppHash || len(fromPool.Writes) != len(again.Writes) {
		t.Fatalf("app hash %s with the mempool's payloads, %s decoding again", fromPool.AppHash.Short(), again.AppHash.Short())
	}
	for i := range again.Results {
		if string(fromPool.Results[i]) != string(again.Results[i]) {
			t.Fatalf("tx %d: results differ", i)
		}
	}
	if len(again.Events) != 2 || len(fromPool.Events) != 2 {
		t.Fatalf("%d and %d events, want 2: the repeated anchor refused", len(again.Events), len(fromPool.Events))
	}
}
