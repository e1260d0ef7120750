package demo_test

import (
	"testing"

	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
)

func demoKeys() demo.Keys {
	ks := demo.Keys{}
	for _, o := range demo.Founding {
		ks[o.Role] = contracttest.Key("demo admin " + string(o.Role))
	}
	return ks
}

func demoChain(t *testing.T) (*contracttest.Chain, *demo.Story) {
	t.Helper()
	ks := demoKeys()
	pubs := map[membership.Role]ledger.PublicKey{}
	for r, k := range ks {
		pubs[r] = k.PublicKey()
	}
	c, err := contracttest.New(demo.Orgs(pubs))
	if err != nil {
		t.Fatal(err)
	}
	st, err := demo.Scenario(contracttest.ChainID, ks)
	if err != nil {
		t.Fatal(err)
	}
	return c, st
}

func TestDemoStoryOneTxPerBlock(t *testing.T) {
	c, st := demoChain(t)
	for i, s := range st.Steps {
		res, err := c.Block(s.Tx)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Results[0]; got.Code != s.Expect {
			t.Fatalf("step %d (%s: %s): got %s %s, want %s", i, s.Org, s.Note, got.Code, got.Message, s.Expect)
		}
	}
	checkOutcome(t, c)
}

func checkOutcome(t *testing.T, c *contracttest.Chain) {
	t.Helper()
	o, err := trace.GetObject(c.Store, demo.RecalledLot)
	if err != nil || o == nil || !o.Recalled {
		t.Fatalf("recalled lot: %+v %v", o, err)
	}
	for _, id := range demo.RecallReaches {
		o, err := trace.GetObject(c.Store, id)
		if err != nil || o == nil || !o.Recalled || o.RecallBy != mustObj(t, c, demo.RecalledLot).RecallBy {
			t.Errorf("%s should be recalled by the same event: %+v %v", id, o, err)
		}
	}
	for _, id := range demo.NotRecalled {
		if o := mustObj(t, c, id); o.Recalled {
			t.Errorf("%s must not be recalled", id)
		}
	}
	lot := mustObj(t, c, demo.DemoLot)
	if lot.Custodian != "retailer" || lot.Parent != nil {
		t.Errorf("demo lot: custodian %s parent %v", lot.Custodian, lot.Parent)
	}
	h, err := trace.History(c.Store, demo.DemoLot)
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.VerifyChain(demo.DemoLot, h, lot.Head); err != nil {
		t.Fatal(err)
	}
	// transformation, inspection, pack, unpack, two sales
	if len(h) != 6 {
		t.Errorf("demo lot has %d events, want 6", len(h))
	}
	// The carrier's shipment to the wrong warehouse is declared erroneous
	// and corrected: it stays in the pallet's history, marked.
	wrong, ok, err := trace.FindEvent(c.Store, demo.WrongShipmentID)
	if err != nil || !ok {
		t.Fatalf("the wrong shipment is not recorded: %v", err)
	}
	if _, declared, _ := trace.DeclaredBy(c.Store, wrong); !declared {
		t.Error("the wrong shipment is not declared erroneous")
	}
	if _, ok, _ := trace.FindEvent(c.Store, demo.CorrectedShipmentID); !ok {
		t.Error("the corrected shipment is not recorded")
	}
	if f2, _ := membership.GetOrg(c.Store, demo.Farm2ID); f2 == nil || f2.Status != membership.Active {
		t.Errorf("farm2 should have joined: %+v", f2)
	}
}

func mustObj(t *testing.T, c *contracttest.Chain, id gs1.ObjectID) *trace.Object {
	t.Helper()
	o, err := trace.GetObject(c.Store, id)
	if err != nil || o == nil {
		t.Fatalf("%s: %v %v", id, o, err)
	}
	return o
}

// The story also works with every transaction in one block: transactions
// see the writes of those before them.
func TestDemoStoryInOneBlock(t *testing.T) {
	c, st := demoChain(t)
	var txs []*ledger.Tx
	for _, s := range st.Steps {
		txs = append(txs, s.Tx)
	}
	res, err := c.Block(txs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range st.Steps {
		if res.Results[i].Code != s.Expect {
			t.Fatalf("step %d (%s): %+v", i, s.Note, res.Results[i])
		}
	}
	checkOutcome(t, c)
}

func TestDemoOrgsAreValidGenesis(t *testing.T) {
	orgs := demo.Orgs(map[membership.Role]ledger.PublicKey{membership.Farm: contracttest.Key("a").PublicKey()})
	if len(orgs) != 1 || orgs[0].ID != "farm" {
		t.Fatalf("%+v", orgs)
	}
	if _, err := demo.Scenario(contracttest.ChainID, demo.Keys{}); err == nil {
		t.Fatal("a story without keys")
	}
}
