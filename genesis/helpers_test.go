package genesis

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

// testKey is a deterministic account or consensus key.
func testKey(t testing.TB, label string) ledger.PrivateKey {
	t.Helper()
	seed := sha256.Sum256([]byte("account " + label))
	k, err := ledger.PrivateKeyFromBytes(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testPeer is a deterministic libp2p peer id.
func testPeer(t testing.TB, label string) peer.ID {
	t.Helper()
	seed := sha256.Sum256([]byte("node " + label))
	sk, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(sk)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// testDoc is a valid document: three validators and the demo
// organisations with deterministic admin keys.
func testDoc(t testing.TB) *Doc {
	t.Helper()
	d := &Doc{
		ChainID:     "qian-test",
		GenesisTime: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
		Consensus:   DefaultConsensusParams(),
	}
	for i, n := range []string{"node0", "node1", "node2"} {
		d.Validators = append(d.Validators, Validator{
			Name: n, PubKey: testKey(t, "validator "+n).PublicKey(), PeerID: testPeer(t, n), Power: uint64(10 + i),
		})
	}
	admins := map[Role]ledger.PublicKey{}
	for _, r := range DemoRoles() {
		admins[r] = testKey(t, "admin "+string(r)).PublicKey()
	}
	orgs, err := DemoOrganisations(admins)
	if err != nil {
		t.Fatal(err)
	}
	d.Organisations = orgs
	if err := d.Validate(); err != nil {
		t.Fatalf("test document is invalid: %v", err)
	}
	return d
}

// testJSON is testDoc as a generic JSON tree, for tests that edit fields.
func testJSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(testDoc(t).JSON(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}
