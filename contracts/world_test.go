package contracts_test

import (
	"testing"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/memstate"
	"github.com/qianchain/qianchain/ledger"
)

func demoKeys() demo.Keys {
	ks := demo.Keys{}
	for _, o := range demo.Founding {
		ks[o.Role] = contracttest.Key("demo admin " + string(o.Role))
	}
	return ks
}

func demoOrgs(ks demo.Keys) []membership.OrgSpec {
	pubs := map[membership.Role]ledger.PublicKey{}
	for r, k := range ks {
		pubs[r] = k.PublicKey()
	}
	return demo.Orgs(pubs)
}

// demoGenesis is the state after the genesis of the demo organisations
// (demoKeys their admins) and four validators.
func demoGenesis(t testing.TB) (demo.Keys, *contracts.GenesisResult, *memstate.Store) {
	t.Helper()
	ks := demoKeys()
	g, err := contracts.Genesis(contracttest.ChainID, demoOrgs(ks), contracttest.Validators(demoOrgs(ks), 4))
	if err != nil {
		t.Fatal(err)
	}
	return ks, g, newStore(g)
}

// demoStory is a chain at the genesis of the demo organisations (ks their
// admins) and the demo story signed by them, not yet executed.
func demoStory(t testing.TB) (*contracttest.Chain, demo.Keys, *demo.Story) {
	t.Helper()
	ks := demoKeys()
	c, err := contracttest.New(demoOrgs(ks))
	if err != nil {
		t.Fatal(err)
	}
	st, err := demo.Scenario(contracttest.ChainID, ks)
	if err != nil {
		t.Fatal(err)
	}
	return c, ks, st
}

// demoWorld is a chain after the whole demo story, one block per step.
func demoWorld(t testing.TB) (*contracttest.Chain, demo.Keys) {
	t.Helper()
	c, ks, st := demoStory(t)
	for _, s := range st.Steps {
		res, err := c.Block(s.Tx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Results[0].Code != s.Expect {
			t.Fatalf("%s: %+v", s.Note, res.Results[0])
		}
	}
	return c, ks
}

func newStore(g *contracts.GenesisResult) *memstate.Store {
	st := memstate.New()
	st.Apply(g.Writes)
	return st
}
