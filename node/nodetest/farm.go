package nodetest

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
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
		Payload: (&notary.Anchor{Hash: ledger.Sum(binary.BigEndian.AppendUint64(nil, nonce)), Kind: notary.Evidence, Name: "x"}).Encode()}
	_ = tx.Sign(f.Key)
	return tx
}

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
