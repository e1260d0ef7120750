package node_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/nodetest"
)

// TestPrunedNode: a validator with storage.prune_below = P deletes the
// blocks below P once it has committed P and keeps validating; its API
// answers 410 ERR_PRUNED for a transaction below P, and serves a proof
// bundle, which verifies against genesis, for one above.
func TestPrunedNode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network")
	}
	farm, _ := ledger.GenerateKey()
	spec := demo.Farm.Spec("farm", farm.PublicKey())
	org := genesis.Organisation{ID: spec.ID, Name: spec.Name, Roles: []genesis.Role{genesis.Role(membership.Farm)}, GS1Prefixes: spec.Prefixes, GLNs: spec.GLNs, Admins: spec.Admins}
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Orgs: []genesis.Organisation{org},
		App:     func() node.Application { return node.NewContractsApp() },
		Handler: func(n *node.Node) http.Handler { return api.New(n) }})
	pruned := nw.Members[3]
	c := client.New(pruned.URL)
	ctx := context.Background()
	nonce := uint64(0)
	anchor := func() *client.Outcome {
		t.Helper()
		nonce++
		tx := &ledger.Tx{ChainID: nw.Genesis.ChainID, Nonce: nonce, Contract: notary.Contract, Method: notary.MethodAnchor,
			Payload: (&notary.Anchor{Hash: ledger.Sum([]byte{byte(nonce)}), Kind: notary.Evidence, Name: "x"}).Encode()}
		_ = tx.Sign(farm)
		o, err := c.SubmitAndWait(ctx, tx)
		if err != nil || o.Code != "OK" {
			t.Fatalf("anchor %d: %v %+v", nonce, err, o)
		}
		return o
	}
	nw.StartAll()
	nw.WaitHeight(1, 30*time.Second)
	early := anchor()
	p := early.Height + 2
	nw.Stop(3)
	pruned.Config.Storage.PruneBelow = p
	nw.Start(3)
	nw.WaitHeight(p+1, 30*time.Second)
	late := anchor()
	nw.WaitHeight(late.Height+1, 30*time.Second)
	st := pruned.Node.Store
	if st.BlockBase() != p-1 {
		t.Fatalf("base %d after pruning below %d", st.BlockBase(), p)
	}
	if _, err := st.Block(early.Height); !errorsIsPruned(err) {
		t.Fatalf("block %d: %v", early.Height, err)
	}
	resp, err := http.Get(pruned.URL + "/v1/txs/" + early.Hash.String() + "/proof")
	if err != nil {
		t.Fatal(err)
	}
	var e struct{ Code, Message string }
	_ = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone || e.Code != "ERR_PRUNED" {
		t.Fatalf("proof of a transaction below the pruning height: %d %+v", resp.StatusCode, e)
	}
	resp, err = http.Get(pruned.URL + "/v1/txs/" + late.Hash.String() + "/proof")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("proof of a later transaction on the pruned node: %d %s", resp.StatusCode, raw)
	}
	vals, _ := nw.Genesis.ValidatorSet()
	if _, err := proof.VerifyJSON(raw, proof.Anchor{Chain: nw.Genesis.Identity(), Validators: vals}); err != nil {
		t.Fatalf("the pruned node's bundle: %v", err)
	}
}

func errorsIsPruned(err error) bool {
	var pe *store.PrunedError
	return errors.As(err, &pe)
}
