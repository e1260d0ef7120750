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

// demoWorld is a chain after the whole demo story, one block per step.
func demoWorld(t testing.TB) (*contracttest.Chain, demo.Keys) {
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
