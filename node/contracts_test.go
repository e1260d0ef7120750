package node

import (
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
)

// TestValidatorSetChangeEmptiesAdmissionCache: a block approving a
// validator-set change schedules the set and counts as a change of what
// admission depends on, so the senders admission remembered are
// authenticated again against the state after it.
func TestValidatorSetChangeEmptiesAdmissionCache(t *testing.T) {
	admin, _ := ledger.GenerateKey()
	spec := demo.Farm.Spec("farm", admin.PublicKey())
	doc := &genesis.Doc{ChainID: "qian-test", GenesisTime: time.Unix(1764000000, 0).UTC(), Consensus: genesis.DefaultConsensusParams(),
		Organisations: []genesis.Organisation{{ID: spec.ID, Name: spec.Name, Roles: []genesis.Role{genesis.Role(membership.Farm)},
			GS1Prefixes: spec.Prefixes, GLNs: spec.GLNs, Admins: spec.Admins}}}
	for i := range 4 {
		doc.Validators = append(doc.Validators, genesis.Validator{Name: fmt.Sprint("v", i), PubKey: contracttest.ValidatorKey(i).PublicKey(),
			PeerID: peer.ID(contracttest.PeerID(fmt.Sprint("v", i))), Power: 10, Org: spec.ID})
	}
	vals, err := doc.ValidatorSet()
	if err != nil {
		t.Fatal(err)
	}
	a := NewContractsApp()
	writes, app, err := a.Genesis(doc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.InitGenesis(doc.Hash(), vals, writes, app); err != nil {
		t.Fatal(err)
	}
	add := &membership.ValidatorChange{Kind: membership.AddValidator, Org: spec.ID, Name: "v4",
		Key: contracttest.ValidatorKey(4).PublicKey(), Power: 10, PeerID: contracttest.PeerID("v4")}
	tx := &ledger.Tx{ChainID: doc.ChainID, Nonce: 1, Contract: membership.Contract, Method: membership.MethodPropose,
		Payload: (&membership.Propose{Kind: add.Kind, Validator: add, Reason: "test"}).Encode()}
	if err := tx.Sign(admin); err != nil {
		t.Fatal(err)
	}
	if err := a.CheckTx(st, tx); err != nil {
		t.Fatal(err)
	}
	if len(a.members) != 1 {
		t.Fatalf("admission remembers %d senders, want the admin", len(a.members))
	}
	ex, err := a.Execute(st, app, &ledger.Header{ChainID: doc.ChainID, Height: 1, Time: doc.GenesisTime.UnixNano() + 1}, []*ledger.Tx{tx})
	if err != nil {
		t.Fatal(err)
	}
	if ex.NextValidators == nil || ex.NextValidators.Size() != 5 {
		t.Fatalf("the sole elector's proposal scheduled %v, want a set of five", ex.NextValidators)
	}
	if !ex.AdmissionChanged {
		t.Fatal("a block scheduling a validator set does not count as changing admission")
	}
	a.Committed(ex)
	if len(a.members) != 0 {
		t.Fatalf("after the change admission still remembers %d senders", len(a.members))
	}
}
