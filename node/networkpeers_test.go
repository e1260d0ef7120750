package node

import (
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/node/config"
)

// A node dials the other genesis validators at their genesis addresses with
// nothing in p2p.peers (a home made by the founding ceremony), admits the
// founding observers besides the validators (peerPlan adds the validators
// as the chain's state names them), and dials a peer named in p2p.peers
// only at the configured addresses.
func TestNetworkPeersFromGenesis(t *testing.T) {
	ids := make([]peer.ID, 4)
	for i := range ids {
		sk, _, err := crypto.GenerateEd25519Key(nil)
		if err != nil {
			t.Fatal(err)
		}
		ids[i], _ = peer.IDFromPrivateKey(sk)
	}
	doc := &genesis.Doc{
		Validators: []genesis.Validator{
			{Name: "a", PeerID: ids[0], Addresses: []string{"/ip4/127.0.0.1/tcp/1000"}},
			{Name: "b", PeerID: ids[1], Addresses: []string{"/ip4/127.0.0.1/tcp/1010", "/ip4/127.0.0.1/udp/1010/quic-v1"}},
			{Name: "c", PeerID: ids[2], Addresses: []string{"/ip4/127.0.0.1/tcp/1020"}},
		},
		Observers: []genesis.Observer{{Name: "o", PeerID: ids[3], Org: "x"}},
	}
	cfg := config.Default(t.TempDir())
	validators, allowed, dial, err := networkPeers(cfg, doc, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(validators) != 3 || len(allowed) != 1 || allowed[0] != ids[3] {
		t.Fatalf("validators %v, allowed %v: want the three validators, and the observer allowed", validators, allowed)
	}
	if len(dial) != 2 || dial[0].ID != ids[1] || len(dial[0].Addrs) != 2 || dial[1].ID != ids[2] {
		t.Fatalf("dials %v, want b (two addresses) and c, not itself", dial)
	}

	// p2p.peers names c through another route: c is dialled there only.
	cfg.P2P.Peers = []string{"/ip4/127.0.0.1/tcp/5555/p2p/" + ids[2].String()}
	_, _, dial, err = networkPeers(cfg, doc, ids[3])
	if err != nil {
		t.Fatal(err)
	}
	if len(dial) != 3 {
		t.Fatalf("the observer dials %v, want c by config, a and b by genesis", dial)
	}
	for _, d := range dial {
		if d.ID == ids[2] && (len(d.Addrs) != 1 || d.Addrs[0].String() != "/ip4/127.0.0.1/tcp/5555") {
			t.Errorf("c dialled at %v, want only the configured address", d.Addrs)
		}
	}
}
