package nodetest

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/client"
)

// Farm is the founding organisation most network tests need: the demo
// farm (its GS1 prefixes and GLNs), whose admin key signs transactions
// through the contracts. Options.Farm puts it in genesis and runs the
// contracts; Anchor writes to the chain with it.
type Farm struct {
	Key ledger.PrivateKey
	Org genesis.Organisation
	// nonce is the last nonce Anchor used; a test that signs the farm's
	// transactions itself keeps its own nonces above it.
	nonce uint64
}

// NewFarm generates the farm's admin key.
func NewFarm(t testing.TB) *Farm {
	t.Helper()
	k, err := ledger.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	spec := demo.Farm.Spec("farm", k.PublicKey())
	return &Farm{Key: k, Org: genesis.Organisation{ID: spec.ID, Name: spec.Name, Roles: []genesis.Role{genesis.Role(membership.Farm)},
		GS1Prefixes: spec.Prefixes, GLNs: spec.GLNs, Admins: spec.Admins}}
}

// AnchorTx is the farm's notary anchor with nonce on nw's chain, signed: a
// distinct hash per nonce.
func (f *Farm) AnchorTx(nw *Network, nonce uint64) *ledger.Tx {
	tx := &ledger.Tx{ChainID: nw.Genesis.ChainID, Nonce: nonce, Contract: notary.Contract, Method: notary.MethodAnchor,
		Payload: (&notary.Anchor{Hash: AnchoredHash(nonce), Kind: notary.Evidence, Name: "x"}).Encode()}
	_ = tx.Sign(f.Key)
	return tx
}

// AnchoredHash is the data hash the farm's anchor with nonce anchors.
func AnchoredHash(nonce uint64) ledger.Hash {
	return ledger.Sum(binary.BigEndian.AppendUint64(nil, nonce))
}

// Nonce is the last nonce the farm used (Anchor, Capture, Harvest).
func (f *Farm) Nonce() uint64 { return f.nonce }

// Anchor submits the farm's next anchor to the node at url and waits for
// it to be committed; anything but an OK outcome fails t. Called from the
// test's goroutine.
func (f *Farm) Anchor(t testing.TB, nw *Network, url string) *client.Outcome {
	t.Helper()
	f.nonce++
	o, err := client.New(url).SubmitAndWait(context.Background(), f.AnchorTx(nw, f.nonce))
	if err != nil || o.Code != "OK" {
		t.Fatalf("the farm's anchor %d: %v %+v", f.nonce, err, o)
	}
	return o
}

// Harvest commissions lot (an ObjectEvent ADD of 10 kg of the demo farm's
// fresh leaves, demo.GTINFreshLeaves, at its site) through the trace
// contract on the node at url and waits for it to be committed: a lot,
// for the tests of the consumer page and the lot API on a network.
// Called from the test's goroutine.
func (f *Farm) Harvest(t testing.TB, nw *Network, url, lot string) *client.Outcome {
	t.Helper()
	return f.Capture(t, nw, url, lot, epcis.Add, "commissioning")
}

// Capture records one ObjectEvent of the farm at its site about 10 kg of
// lot (demo.GTINFreshLeaves) with action and bizStep, through the trace
// contract on the node at url, and waits for it to be committed; anything
// but an OK outcome fails t. Called from the test's goroutine.
func (f *Farm) Capture(t testing.TB, nw *Network, url, lot string, action epcis.Action, bizStep string) *client.Outcome {
	t.Helper()
	qty, err := epcis.ParseDecimal("10")
	if err != nil {
		t.Fatal(err)
	}
	f.nonce++
	site := gs1.Location{GLN: demo.Farm.SiteGLN}.URI()
	// Event times in the past, in the order of capture (a minute per nonce).
	when := time.Date(2025, 3, 24, 1, 30, 0, 0, time.UTC).Add(time.Duration(f.nonce) * time.Minute)
	ev := &epcis.Event{Type: epcis.ObjectEvent, EventTime: when.UnixNano(), TimeZoneOffset: 8 * 60,
		Action: action, BizStep: bizStep, Disposition: "active", ReadPoint: site, BizLocation: site,
		QuantityList: []epcis.Quantity{{Class: gs1.ObjectID{Kind: gs1.Lot, Key: demo.GTINFreshLeaves, Ext: lot}, HasQuantity: true, Quantity: qty, UOM: "KGM"}}}
	if err := ev.Validate(); err != nil {
		t.Fatal(err)
	}
	tx := &ledger.Tx{ChainID: nw.Genesis.ChainID, Nonce: f.nonce, Contract: trace.Contract, Method: trace.MethodCapture, Payload: ev.Encode()}
	_ = tx.Sign(f.Key)
	o, err := client.New(url).SubmitAndWait(context.Background(), tx)
	if err != nil || o.Code != "OK" {
		t.Fatalf("the farm's %s event on lot %s: %v %+v", bizStep, lot, err, o)
	}
	return o
}
