package localnet

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/nodekey"
)

var testPass = []byte("demo passphrase")

// isolate clears QIAN_* variables so that config.Load reads only files.
func isolate(t *testing.T) {
	t.Helper()
	for _, k := range config.Keys() {
		t.Setenv(k.Env, "")
		os.Unsetenv(k.Env)
	}
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestTestnetLayout(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "net")
	tn, err := CreateTestnet(TestnetOptions{
		Dir: dir, Validators: 4, Observers: 1, ChainID: "qian-demo", BasePort: 30000,
		Passphrase: testPass, KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()},
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := genesis.Load(filepath.Join(dir, "genesis.json"))
	if err != nil {
		t.Fatalf("genesis does not validate: %v", err)
	}
	if doc.Hash() != tn.GenesisHash || doc.ChainID != "qian-demo" {
		t.Fatal("genesis hash or chain id differs from the report")
	}
	if len(doc.Validators) != 4 || len(doc.Organisations) != 8 {
		t.Fatalf("%d validators, %d organisations", len(doc.Validators), len(doc.Organisations))
	}

	// Node homes: names, files, modes, keys matching genesis.
	wantNames := []string{"node0", "node1", "node2", "node3", "observer"}
	if len(tn.Nodes) != len(wantNames) {
		t.Fatalf("%d nodes", len(tn.Nodes))
	}
	ports := map[int]string{}
	peerIDs := map[peer.ID]string{}
	var observerID peer.ID
	for i, n := range tn.Nodes {
		if n.Name != wantNames[i] || n.Home != filepath.Join(dir, n.Name) {
			t.Fatalf("node %d: %s at %s", i, n.Name, n.Home)
		}
		paths := config.Paths{Home: n.Home}
		if m := mode(t, n.Home); m != 0o700 {
			t.Errorf("%s mode %04o", n.Home, m)
		}
		if m := mode(t, paths.KeysDir()); m != 0o700 {
			t.Errorf("%s mode %04o", paths.KeysDir(), m)
		}
		if m := mode(t, paths.NodeKeyFile()); m != 0o600 {
			t.Errorf("%s mode %04o", paths.NodeKeyFile(), m)
		}
		_, id, err := nodekey.LoadNodeKey(paths.NodeKeyFile())
		if err != nil || id != n.PeerID {
			t.Fatalf("%s node key: %v (id %s, reported %s)", n.Name, err, id, n.PeerID)
		}
		peerIDs[id] = n.Name
		if hg, err := genesis.Load(paths.GenesisFile()); err != nil || hg.Hash() != tn.GenesisHash {
			t.Fatalf("%s genesis: %v", n.Name, err)
		}
		for _, p := range []int{n.P2PPort, n.HTTPPort} {
			if other, dup := ports[p]; dup {
				t.Fatalf("port %d used by %s and %s", p, other, n.Name)
			}
			ports[p] = n.Name
		}
		if n.P2PPort != 30000+10*i || n.HTTPPort != n.P2PPort+1 {
			t.Errorf("%s ports %d/%d", n.Name, n.P2PPort, n.HTTPPort)
		}
		if n.Role == config.RoleValidator {
			vk, err := nodekey.LoadValidatorKey(paths.ValidatorKeyFile())
			if err != nil {
				t.Fatal(err)
			}
			if m := mode(t, paths.ValidatorKeyFile()); m != 0o600 {
				t.Errorf("%s mode %04o", paths.ValidatorKeyFile(), m)
			}
			gv := doc.Validators[i]
			if gv.Name != n.Name || gv.PubKey != vk.PublicKey() || gv.PeerID != id {
				t.Errorf("genesis validator %d = %+v, home %s has key %s peer %s", i, gv, n.Name, vk.PublicKey(), id)
			}
			// Each validator names its organisation and where it is dialled.
			if gv.Org != doc.Organisations[i].ID || !reflect.DeepEqual(gv.Addresses, config.DefaultP2PListen(n.P2PPort)) {
				t.Errorf("genesis validator %d organisation %q addresses %v", i, gv.Org, gv.Addresses)
			}
		} else {
			observerID = id
			if _, err := os.Stat(paths.ValidatorKeyFile()); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("observer has a validator key: %v", err)
			}
		}
	}
	if len(peerIDs) != 5 {
		t.Fatal("peer ids are not distinct")
	}

	// Configs: role, listen addresses, peers consistent with the keys.
	for _, n := range tn.Nodes {
		c, err := config.Load(n.Home, nil)
		if err != nil {
			t.Fatalf("%s config: %v", n.Name, err)
		}
		if c.Role != n.Role || c.Moniker != n.Name {
			t.Errorf("%s: role %s moniker %s", n.Name, c.Role, c.Moniker)
		}
		if !reflect.DeepEqual(c.P2P.Listen, config.DefaultP2PListen(n.P2PPort)) || c.HTTP.Listen != n.HTTPListen() {
			t.Errorf("%s listens on %v and %s", n.Name, c.P2P.Listen, c.HTTP.Listen)
		}
		for _, a := range c.P2P.Listen {
			if !strings.HasPrefix(a, "/ip4/127.0.0.1/") {
				t.Errorf("%s listens beyond loopback: %s", n.Name, a)
			}
		}
		if c.Client.Keyring != tn.KeyringDir || c.Client.Node != n.HTTPURL() {
			t.Errorf("%s client settings %+v", n.Name, c.Client)
		}
		// Every peer entry names a real node, at its real port.
		dialled := map[string]bool{}
		for _, s := range c.P2P.Peers {
			ai, err := peer.AddrInfoFromString(s)
			if err != nil {
				t.Fatalf("%s peer %s: %v", n.Name, s, err)
			}
			name, ok := peerIDs[ai.ID]
			if !ok {
				t.Fatalf("%s dials unknown peer %s", n.Name, ai.ID)
			}
			if name == n.Name {
				t.Errorf("%s dials itself", n.Name)
			}
			other := tn.Nodes[indexOf(tn.Nodes, name)]
			port, _ := ai.Addrs[0].ValueForProtocol(ma.P_TCP)
			if port == "" {
				port, _ = ai.Addrs[0].ValueForProtocol(ma.P_UDP)
			}
			if port != strconv.Itoa(other.P2PPort) {
				t.Errorf("%s dials %s on port %s, it listens on %d", n.Name, name, port, other.P2PPort)
			}
			dialled[name] = true
		}
		var got []string
		for name := range dialled {
			got = append(got, name)
		}
		sort.Strings(got)
		want := []string{"node0", "node1", "node2", "node3"}
		if n.Role == config.RoleValidator {
			want = without(want, n.Name)
			if !reflect.DeepEqual(c.P2P.AllowedPeers, []string{observerID.String()}) {
				t.Errorf("%s allowed_peers %v, want the observer", n.Name, c.P2P.AllowedPeers)
			}
		} else if len(c.P2P.AllowedPeers) != 0 {
			t.Errorf("observer allowed_peers %v", c.P2P.AllowedPeers)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s dials %v, want %v", n.Name, got, want)
		}
		if len(c.P2P.Peers) != 2*len(want) {
			t.Errorf("%s has %d peer addresses, want TCP and QUIC for %d peers", n.Name, len(c.P2P.Peers), len(want))
		}
	}

	// Keyring: one account per demo role, unlocking with the passphrase,
	// each the admin of its organisation.
	kr, err := keyring.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	if m := mode(t, kr.Dir()); m != 0o700 {
		t.Errorf("keyring mode %04o", m)
	}
	for i, role := range DemoRoles() {
		k, err := kr.Unlock(string(role), testPass)
		if err != nil {
			t.Fatalf("unlock %s: %v", role, err)
		}
		o := doc.Organisations[i]
		if o.Roles[0] != role || o.Admins[0] != k.PublicKey() {
			t.Errorf("organisation %s (%s) admin %s, keyring %s has %s", o.ID, o.Roles[0], o.Admins[0], role, k.PublicKey())
		}
		if m := mode(t, filepath.Join(kr.Dir(), string(role)+".json")); m != 0o600 {
			t.Errorf("%s key mode %04o", role, m)
		}
	}
	if _, err := kr.Unlock("farm", []byte("wrong")); !errors.Is(err, keyring.ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
}

func indexOf(nodes []*Node, name string) int {
	for i, n := range nodes {
		if n.Name == name {
			return i
		}
	}
	return -1
}

func without(l []string, s string) []string {
	var out []string
	for _, x := range l {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func TestTestnetDefaultsAndObservers(t *testing.T) {
	isolate(t)
	dir := t.TempDir() // exists and is empty: accepted
	tn, err := CreateTestnet(TestnetOptions{Dir: dir, Validators: 1, Observers: 2, Passphrase: testPass,
		KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()}})
	if err != nil {
		t.Fatal(err)
	}
	if tn.ChainID != DefaultTestnetChainID || tn.Nodes[0].P2PPort != DefaultBasePort || tn.Nodes[0].HTTPURL() != config.DefaultNodeURL {
		t.Errorf("defaults: chain %s, port %d, url %s", tn.ChainID, tn.Nodes[0].P2PPort, tn.Nodes[0].HTTPURL())
	}
	if tn.Nodes[1].Name != "observer" || tn.Nodes[2].Name != "observer1" {
		t.Errorf("observer names %s, %s", tn.Nodes[1].Name, tn.Nodes[2].Name)
	}
	c, err := config.Load(tn.Nodes[0].Home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.P2P.Peers) != 0 || len(c.P2P.AllowedPeers) != 2 {
		t.Errorf("single validator: peers %v allowed %v", c.P2P.Peers, c.P2P.AllowedPeers)
	}
}

func TestTestnetRefusals(t *testing.T) {
	isolate(t)
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o600)
	fast := []keyring.Option{keyring.InsecureTestKDF()}
	cases := []struct {
		name string
		o    TestnetOptions
		says string
	}{
		{"non-empty directory", TestnetOptions{Dir: full, Validators: 1, Passphrase: testPass}, "not empty"},
		{"no passphrase", TestnetOptions{Dir: t.TempDir(), Validators: 1}, "passphrase"},
		{"no validators", TestnetOptions{Dir: t.TempDir(), Validators: 0, Passphrase: testPass}, "--validators"},
		{"too many validators", TestnetOptions{Dir: t.TempDir(), Validators: 101, Passphrase: testPass}, "--validators"},
		{"negative observers", TestnetOptions{Dir: t.TempDir(), Validators: 1, Observers: -1, Passphrase: testPass}, "--observers"},
		{"bad chain id", TestnetOptions{Dir: t.TempDir(), Validators: 1, ChainID: "Qian Net", Passphrase: testPass}, "--chain-id"},
		{"ports beyond 65535", TestnetOptions{Dir: t.TempDir(), Validators: 4, BasePort: 65530, Passphrase: testPass}, "--base-port"},
		{"privileged ports", TestnetOptions{Dir: t.TempDir(), Validators: 1, BasePort: 80, Passphrase: testPass}, "--base-port"},
		{"no directory", TestnetOptions{Validators: 1, Passphrase: testPass}, "--out"},
	}
	for _, c := range cases {
		c.o.KeyringOptions = fast
		_, err := CreateTestnet(c.o)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: err = %v, want mention of %q", c.name, err, c.says)
		}
	}
	if ents, _ := os.ReadDir(full); len(ents) != 1 {
		t.Error("a refused run wrote into the directory")
	}
}

func TestInit(t *testing.T) {
	isolate(t)
	home := filepath.Join(t.TempDir(), "home")
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fast := []keyring.Option{keyring.InsecureTestKDF()}
	m, doc, err := Init(InitOptions{Home: home, ChainID: "qian-x", Moniker: "tea-node", GenesisTime: at, Passphrase: passphrase(testPass), KeyringOptions: fast})
	if err != nil {
		t.Fatal(err)
	}
	g, err := genesis.Load(filepath.Join(home, "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Hash() != doc.Hash() || g.ChainID != "qian-x" || !g.GenesisTime.Equal(at) || len(g.Validators) != 1 || len(g.Organisations) != 1 {
		t.Fatalf("genesis %+v", g)
	}
	vk, err := nodekey.LoadValidatorKey(filepath.Join(home, "keys", "validator.key"))
	if err != nil {
		t.Fatal(err)
	}
	_, id, err := nodekey.LoadNodeKey(filepath.Join(home, "keys", "node.key"))
	if err != nil {
		t.Fatal(err)
	}
	v := g.Validators[0]
	if v.PubKey != vk.PublicKey() || v.PeerID != id || v.Name != "tea-node" || m.PeerID() != id || v.Org != DefaultInitOrgID {
		t.Fatalf("genesis validator %+v does not match the home's keys", v)
	}
	if !reflect.DeepEqual(v.Addresses, config.DefaultP2PListen(config.DefaultP2PPort)) {
		t.Errorf("validator addresses %v", v.Addresses)
	}
	// The one founding organisation, administered by the home's keyring
	// account of its name, founded by a signed request that checks.
	o := g.Organisations[0]
	kr, _ := keyring.Open(filepath.Join(home, "keyring"))
	admin, err := kr.Unlock(DefaultInitOrgID, testPass)
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != DefaultInitOrgID || o.Name != DefaultInitOrgName || len(o.Roles) != len(genesis.Roles()) || o.Admins[0] != admin.PublicKey() || o.Join == nil {
		t.Fatalf("organisation %+v", o)
	}
	if err := genesis.Check(g, []*genesis.JoinRequest{m.Request}); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Moniker != "tea-node" || c.Role != config.RoleValidator || c.HTTP.Listen != config.DefaultHTTPListen || len(c.P2P.Peers) != 0 ||
		c.Client.Key != DefaultInitOrgID || c.Client.Node != config.DefaultNodeURL {
		t.Fatalf("config %+v", c)
	}
	if m := mode(t, home); m != 0o700 {
		t.Errorf("home mode %04o", m)
	}
	// A second init must not touch the keys.
	if _, _, err := Init(InitOptions{Home: home, Passphrase: passphrase(testPass), KeyringOptions: fast}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second init: %v", err)
	}
	vk2, _ := nodekey.LoadValidatorKey(filepath.Join(home, "keys", "validator.key"))
	if vk2.PublicKey() != vk.PublicKey() {
		t.Fatal("second init replaced the validator key")
	}
	// Refusals write nothing.
	for _, c := range []struct {
		o    InitOptions
		says string
	}{
		{InitOptions{ChainID: "BAD"}, "--chain-id"},
		{InitOptions{Moniker: "a b"}, "moniker"},
		{InitOptions{Org: genesis.Organisation{ID: "Tea"}}, "--org"},
		{InitOptions{Org: genesis.Organisation{GLNs: []string{"6901230000010"}}}, "not under"},
		{InitOptions{}, "passphrase"},
	} {
		c.o.Home = filepath.Join(t.TempDir(), "h")
		if c.says != "passphrase" {
			c.o.Passphrase = passphrase(testPass)
		}
		c.o.KeyringOptions = fast
		if _, _, err := Init(c.o); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("init %+v: %v, want mention of %q", c.o, err, c.says)
		}
		if _, err := os.Stat(c.o.Home); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused init (%s) wrote %s", c.says, c.o.Home)
		}
	}
}

// The testnet's founding organisations are the demo's (contracts/demo), and
// the contracts accept the genesis they are written into.
func TestTestnetOrganisationsAreTheDemos(t *testing.T) {
	isolate(t)
	tn, err := CreateTestnet(TestnetOptions{Dir: t.TempDir(), Validators: 1, Observers: 0, Passphrase: testPass,
		KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := genesis.Load(tn.GenesisFile)
	if err != nil {
		t.Fatal(err)
	}
	pubs := map[membership.Role]ledger.PublicKey{}
	for _, a := range tn.Accounts {
		pubs[membership.Role(a.Name)] = a.PublicKey
	}
	var got []membership.OrgSpec
	for _, o := range doc.Organisations {
		var roles []membership.Role
		for _, r := range o.Roles {
			roles = append(roles, membership.Role(r))
		}
		got = append(got, membership.OrgSpec{ID: o.ID, Name: o.Name, Roles: roles, Prefixes: o.GS1Prefixes, GLNs: o.GLNs, Admins: o.Admins})
	}
	if want := demo.Orgs(pubs); !reflect.DeepEqual(got, want) {
		t.Fatalf("genesis organisations differ from demo.Orgs:\n got %+v\nwant %+v", got, want)
	}
	if _, err := contracts.Genesis(doc.ChainID, got, contracttest.Validators(got, len(doc.Validators))); err != nil {
		t.Fatalf("the contracts refuse the testnet genesis: %v", err)
	}
}
