package localnet

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/nodekey"
)

func farmOptions(home string) MemberOptions {
	return MemberOptions{
		Home: home, ChainID: "qian-tea",
		Org: genesis.Organisation{ID: "meitan-farm", Name: "湄潭云雾茶园", NameEN: "Meitan Cloud-Mist Tea Garden",
			Roles: []genesis.Role{genesis.RoleFarm}, GS1Prefixes: []string{"6901230"}, GLNs: []string{"6901230000010"}},
		Power: 20, Addresses: []string{"/ip4/127.0.0.1/tcp/27100"}, HTTPListen: "0.0.0.0:27101",
		Passphrase: passphrase(testPass), KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()},
	}
}

// A new home gets its keys, admin account and config; the request names
// them and is signed by them. Run again, the home's keys are reused.
func TestCreateMember(t *testing.T) {
	isolate(t)
	home := filepath.Join(t.TempDir(), "farm")
	m, err := CreateMember(farmOptions(home))
	if err != nil {
		t.Fatal(err)
	}
	paths := config.Paths{Home: home}
	_, id, err := nodekey.LoadNodeKey(paths.NodeKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	vk, err := nodekey.LoadValidatorKey(paths.ValidatorKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	kr, _ := keyring.Open(paths.KeyringDir())
	admin, err := kr.Unlock("meitan-farm", testPass)
	if err != nil {
		t.Fatal(err)
	}
	r := m.Request
	if r.Validator.PeerID != id || r.Validator.PubKey != vk.PublicKey() || r.Organisation.Admins[0] != admin.PublicKey() ||
		r.Validator.Power != 20 || r.Validator.Name != "meitan-farm" || r.Validator.Org != "meitan-farm" {
		t.Fatalf("request %+v does not name the home's keys", r.Validator)
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(m.Created) != 4 {
		t.Errorf("created %v", m.Created)
	}
	c, err := config.Load(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Role != config.RoleValidator || c.Moniker != "meitan-farm" || c.P2P.Listen[0] != "/ip4/127.0.0.1/tcp/27100" ||
		len(c.P2P.Peers) != 0 || c.Client.Key != "meitan-farm" || c.Client.Node != "http://127.0.0.1:27101" || c.HTTP.Listen != "0.0.0.0:27101" {
		t.Fatalf("config %+v", c)
	}
	for _, p := range []string{home, paths.KeysDir(), paths.KeyringDir()} {
		if m := mode(t, p); m != 0o700 {
			t.Errorf("%s mode %04o", p, m)
		}
	}

	// Again, with the English name corrected: same keys, a new request.
	o := farmOptions(home)
	o.Org.NameEN = "Meitan Cloud Mist Tea Garden"
	again, err := CreateMember(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Created) != 0 || again.Request.Validator.PeerID != id || again.Request.Validator.PubKey != vk.PublicKey() ||
		again.Request.Organisation.Admins[0] != admin.PublicKey() || bytes.Equal(again.Request.JSON(), r.JSON()) {
		t.Fatalf("second request: created %v, request %s", again.Created, again.Request.JSON())
	}

	// An observer's home has no validator key, and its request brings an
	// observer.
	obsHome := filepath.Join(t.TempDir(), "lab")
	ob := farmOptions(obsHome)
	ob.Org.ID, ob.Org.GS1Prefixes, ob.Org.GLNs, ob.Observer, ob.Addresses = "qian-lab", nil, nil, true, nil
	om, err := CreateMember(ob)
	if err != nil {
		t.Fatal(err)
	}
	if om.Request.Observer == nil || om.Request.Validator != nil || om.Request.Organisation.Join.Validator != nil {
		t.Fatalf("observer request %s", om.Request.JSON())
	}
	if _, err := os.Stat(filepath.Join(obsHome, "keys", "validator.key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an observer home got a validator key")
	}
	if c, _ := config.Load(obsHome, nil); c.Role != config.RoleObserver {
		t.Fatalf("observer config role %s", c.Role)
	}
}

// What CreateMember refuses, and that a refusal writes nothing.
func TestCreateMemberRefusals(t *testing.T) {
	isolate(t)
	made := filepath.Join(t.TempDir(), "made")
	if _, err := CreateMember(farmOptions(made)); err != nil {
		t.Fatal(err)
	}
	chained := filepath.Join(t.TempDir(), "chained")
	os.MkdirAll(chained, 0o700)
	os.WriteFile(filepath.Join(chained, "genesis.json"), []byte("{}"), 0o644)
	cases := []struct {
		name string
		edit func(o *MemberOptions)
		says string
	}{
		{"no passphrase", func(o *MemberOptions) { o.Passphrase = nil }, "passphrase"},
		{"bad organisation id", func(o *MemberOptions) { o.Org.ID = "Meitan" }, "--org"},
		{"GLN outside the prefixes", func(o *MemberOptions) { o.Org.GLNs = []string{"6909999000014"} }, "organisation.glns[0]"},
		{"no role", func(o *MemberOptions) { o.Org.Roles = nil }, "organisation.roles"},
		{"validator without an address", func(o *MemberOptions) { o.Addresses = nil }, "--address"},
		{"address with a peer id", func(o *MemberOptions) {
			o.Addresses = []string{"/ip4/127.0.0.1/tcp/1/p2p/12D3KooWLK63ePvvoHSrmEJs2eCm5LQk8CSRhknHjFFYSTgasi4J"}
		}, "--address"},
		{"bad chain id", func(o *MemberOptions) { o.ChainID = "Tea" }, "chain_id"},
		{"bad moniker", func(o *MemberOptions) { o.Moniker = "a b" }, "moniker"},
	}
	for _, c := range cases {
		o := farmOptions(filepath.Join(t.TempDir(), "h"))
		asked := false
		o.Passphrase = func(bool) ([]byte, error) { asked = true; return testPass, nil }
		c.edit(&o)
		if _, err := CreateMember(o); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want mention of %q", c.name, err, c.says)
		}
		if asked {
			t.Errorf("%s: the passphrase was asked for before the refusal", c.name)
		}
		if _, err := os.Stat(o.Home); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: a refused request wrote %s", c.name, o.Home)
		}
	}
	// Homes that cannot make this request.
	homes := []struct {
		name string
		edit func(o *MemberOptions)
		says string
	}{
		{"a home of a chain", func(o *MemberOptions) { o.Home = chained }, "belongs to a chain"},
		{"the wrong passphrase for the home's admin account", func(o *MemberOptions) { o.Home, o.Passphrase = made, passphrase([]byte("wrong")) }, "wrong passphrase"},
		{"an observer from a validator's home", func(o *MemberOptions) { o.Home, o.Observer = made, true }, "role"},
		{"another moniker than the home's", func(o *MemberOptions) { o.Home, o.Moniker = made, "other" }, "moniker"},
	}
	for _, c := range homes {
		o := farmOptions("")
		c.edit(&o)
		if _, err := CreateMember(o); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want mention of %q", c.name, err, c.says)
		}
	}
}

// passphrase is a passphrase source that always answers p.
func passphrase(p []byte) func(bool) ([]byte, error) {
	return func(bool) ([]byte, error) { return p, nil }
}
