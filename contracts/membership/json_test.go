package membership_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
)

// TestValidatorChangeJSONRoundTrip: what the API serves of a change (GET
// /v1/validators: the kind by name, the peer id in base58) decodes back
// into the same change, so that a Go client can read a set once it has
// changed (the chaos run's orchestrator could not).
func TestValidatorChangeJSONRoundTrip(t *testing.T) {
	peer := append([]byte{0x00, 0x24, 0x08, 0x01, 0x12, 0x20}, make([]byte, 32)...)
	peer[len(peer)-1] = 7
	key := func() ledger.PublicKey {
		k, err := ledger.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		return k.PublicKey()
	}
	for _, want := range []membership.ValidatorChange{
		{Proposal: ledger.Sum([]byte("p")), Kind: membership.AddValidator, Key: key(), Power: 10, Org: "retailer", Name: "retailer-node", PeerID: peer},
		{Kind: membership.RemoveValidator, Key: key()},
		{Kind: membership.SetValidatorPower, Key: key(), Power: 20},
		{Kind: membership.RotateValidator, Key: key(), NewKey: key()},
	} {
		b, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var got membership.ValidatorChange
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s decodes to %+v, want %+v", b, got, want)
		}
	}
	var v membership.Validator
	if err := json.Unmarshal([]byte(`{"peer_id":""}`), &v); err != nil || v.PeerID != nil {
		t.Fatalf("an empty peer id: %v, %v", v.PeerID, err)
	}
	var k membership.ProposalKind
	if err := json.Unmarshal([]byte(`"promote_everyone"`), &k); err == nil || !strings.Contains(err.Error(), "unknown proposal kind") {
		t.Fatalf("an unknown kind: err = %v", err)
	}
	var c membership.ValidatorChange
	if err := json.Unmarshal([]byte(`{"peer_id":"12D3KooWnotapeer"}`), &c); err == nil {
		t.Fatal("a peer id that is not an Ed25519 one decoded")
	}
}
