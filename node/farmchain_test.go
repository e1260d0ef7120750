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

// farmChain is a store at the genesis of a chain of one farm organisation
// and four validators of that farm (contracttest's keys of v0 to v3, power
// 10 each), with the contracts app that executed the genesis. The store is
// closed when the test ends.
type farmChain struct {
	admin ledger.PrivateKey // the farm's admin
	org   string            // the farm's organisation id
	doc   *genesis.Doc
	app   *ContractsApp
	hash  ledger.Hash // the app hash of the genesis
	st    *store.Store
}

func newFarmChain(t *testing.T) *farmChain {
	t.Helper()
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
	t.Cleanup(func() { st.Close() })
	if err := st.InitGenesis(doc.Hash(), vals, writes, app); err != nil {
		t.Fatal(err)
	}
	return &farmChain{admin: admin, org: spec.ID, doc: doc, app: a, hash: app, st: st}
}
