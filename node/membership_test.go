package node_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/nodetest"
)

// A key revoked on the chain is refused at admission right away, although
// admission remembers the senders it has authenticated.
func TestRevokedKeyIsRefusedAtAdmission(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network")
	}
	f := nodetest.NewFarm(t)
	farm := f.Key
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Farm: f,
		Handler: func(n *node.Node) http.Handler { return api.New(n) }})
	nw.StartAll()
	nw.WaitHeight(1, 20*time.Second)
	c := client.New(nw.Members[0].URL)
	ctx := context.Background()
	nonce := uint64(0)
	var last *client.Outcome
	send := func(k ledger.PrivateKey, contract, method string, payload []byte) string {
		t.Helper()
		nonce++
		tx := &ledger.Tx{ChainID: nw.Genesis.ChainID, Nonce: nonce, Contract: contract, Method: method, Payload: payload}
		_ = tx.Sign(k)
		o, err := c.SubmitAndWait(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		last = o
		return o.Code
	}
	anchor := func(i byte) []byte {
		return (&notary.Anchor{Hash: ledger.Sum([]byte{i}), Kind: notary.Evidence, Name: "x"}).Encode()
	}
	op, _ := ledger.GenerateKey()
	if code := send(farm, membership.Contract, membership.MethodAddAccount, (&membership.AddAccount{Key: op.PublicKey(), Role: membership.Operator, Label: "clerk"}).Encode()); code != "OK" {
		t.Fatalf("add account: %s", code)
	}
	if code := send(op, notary.Contract, notary.MethodAnchor, anchor(1)); code != "OK" {
		t.Fatalf("operator's first anchor: %s", code)
	}
	if code := send(farm, membership.Contract, membership.MethodRevokeKey, (&membership.RevokeKey{Key: op.PublicKey()}).Encode()); code != "OK" {
		t.Fatalf("revoke: %s", code)
	}
	if code := send(op, notary.Contract, notary.MethodAnchor, anchor(2)); code != "ERR_KEY_REVOKED" || last.Height != 0 {
		t.Fatalf("revoked operator's anchor: %s at height %d, want ERR_KEY_REVOKED at admission", code, last.Height)
	}
}
