package node

import (
	"testing"

	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
)

// TestValidatorSetChangeEmptiesAdmissionCache: a block approving a
// validator-set change schedules the set and counts as a change of what
// admission depends on, so the senders admission remembered are
// authenticated again against the state after it.
func TestValidatorSetChangeEmptiesAdmissionCache(t *testing.T) {
	fc := newFarmChain(t)
	admin, doc, a, app, st := fc.admin, fc.doc, fc.app, fc.hash, fc.st
	add := &membership.ValidatorChange{Kind: membership.AddValidator, Org: fc.org, Name: "v4",
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
