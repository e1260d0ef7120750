package genesis

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

const ceremonyChain = "qian-consortium"

// testNodeKey is the deterministic node key whose peer id is
// testPeer(label).
func testNodeKey(t testing.TB, label string) crypto.PrivKey {
	t.Helper()
	seed := sha256.Sum256([]byte("node " + label))
	sk, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

// requestKeys are the private keys behind a test request.
type requestKeys struct {
	admin, validator ledger.PrivateKey
	node             crypto.PrivKey
}

// testRequest is the signed join request of testOrgs[i] for chain, its node
// "node-<id>" a validator of power 10+i unless observer, listening on
// 127.0.0.1 port 27000+10i. Keys derive from labels, so the request is the
// same on every run.
func testRequest(t testing.TB, chain string, i int, observer bool) (*JoinRequest, requestKeys) {
	t.Helper()
	o := testOrgs[i]
	k := requestKeys{admin: testKey(t, "admin "+o.id), node: testNodeKey(t, o.id)}
	r := &JoinRequest{ChainID: chain, Source: o.id + ".request.json", Organisation: Organisation{
		ID: o.id, Name: o.name, NameEN: o.nameEN, Roles: []Role{o.role},
		GS1Prefixes: []string{o.prefix}, GLNs: append([]string(nil), o.glns...),
		Admins: []ledger.PublicKey{k.admin.PublicKey()},
	}}
	id, _ := peer.IDFromPrivateKey(k.node)
	addrs := []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 27000+10*i)}
	if observer {
		r.Observer = &Observer{Name: "node-" + o.id, Org: o.id, PeerID: id, Addresses: addrs}
	} else {
		k.validator = testKey(t, "validator "+o.id)
		r.Validator = &Validator{Name: "node-" + o.id, Org: o.id, PubKey: k.validator.PublicKey(), PeerID: id, Power: uint64(10 + i), Addresses: addrs}
	}
	if err := r.Sign(k.admin, k.validator, k.node); err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(); err != nil {
		t.Fatalf("test request %d: %v", i, err)
	}
	return r, k
}

// testConsortium is four requests for ceremonyChain: three validators
// (testOrgs 0, 1, 2) and an observer (testOrgs 3).
func testConsortium(t testing.TB) []*JoinRequest {
	var reqs []*JoinRequest
	for i := 0; i < 4; i++ {
		r, _ := testRequest(t, ceremonyChain, i, i == 3)
		reqs = append(reqs, r)
	}
	return reqs
}

func testAssembleOptions() AssembleOptions {
	return AssembleOptions{ChainID: ceremonyChain, GenesisTime: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Consensus: DefaultConsensusParams()}
}

// testCeremonyDoc is testConsortium assembled.
func testCeremonyDoc(t testing.TB) *Doc {
	t.Helper()
	d, err := Assemble(testConsortium(t), testAssembleOptions())
	if err != nil {
		t.Fatal(err)
	}
	return d
}
