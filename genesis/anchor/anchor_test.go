package anchor_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"reflect"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/genesis/anchor"
	"github.com/qianchain/qianchain/ledger"
)

func key(t testing.TB, label string) ledger.PublicKey {
	t.Helper()
	seed := sha256.Sum256([]byte(label))
	k, err := ledger.PrivateKeyFromBytes(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return k.PublicKey()
}

func peerID(t testing.TB, label string) peer.ID {
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

// docs are genesis documents of each shape the encoding has: without the
// ceremony's extension (no organisations), with organisations and
// validator orgs, and with addresses, observers and join signatures. They
// need not pass genesis.Validate (join signatures are not real ones):
// Decode reads the encoding, whatever made it.
func docs(t testing.TB) map[string]*genesis.Doc {
	base := func(id string) *genesis.Doc {
		return &genesis.Doc{ChainID: id, GenesisTime: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Consensus: genesis.DefaultConsensusParams()}
	}
	plain := base("qian-plain")
	plain.Validators = []genesis.Validator{{Name: "v0", PubKey: key(t, "v0"), PeerID: peerID(t, "v0"), Power: 7}}

	orgs := base("qian-orgs")
	orgs.Organisations = []genesis.Organisation{
		{ID: "meitan-tea-garden", Name: "湄潭云雾茶园", NameEN: "Meitan Cloud-Mist Tea Garden", Roles: []genesis.Role{genesis.RoleFarm},
			GS1Prefixes: []string{"6901230"}, GLNs: []string{"6901230000010", "6901230000027"}, Admins: []ledger.PublicKey{key(t, "admin farm"), key(t, "admin farm 2")}},
		{ID: "qiannan-inspect", Name: "黔南检测", Roles: []genesis.Role{genesis.RoleFarm}, GS1Prefixes: []string{}, GLNs: []string{}, Admins: []ledger.PublicKey{key(t, "admin inspect")}},
	}
	for i, o := range []string{"meitan-tea-garden", "qiannan-inspect", "meitan-tea-garden"} {
		l := string(rune('a' + i))
		orgs.Validators = append(orgs.Validators, genesis.Validator{Name: "node-" + l, PubKey: key(t, "val "+l), PeerID: peerID(t, l), Power: uint64(10 + i), Org: o})
	}

	ceremony := base("qian-ceremony")
	ceremony.Organisations = append([]genesis.Organisation(nil), orgs.Organisations...)
	ceremony.Validators = append([]genesis.Validator(nil), orgs.Validators...)
	ceremony.Validators[0].Addresses = []string{"/ip4/127.0.0.1/tcp/26656", "/dns4/node-a.example/tcp/26656"}
	ceremony.Observers = []genesis.Observer{{Name: "obs", Org: "qiannan-inspect", PeerID: peerID(t, "obs"), Addresses: []string{"/ip4/10.0.0.9/tcp/26656"}}}
	ceremony.Organisations[0].Join = &genesis.JoinSignatures{Validator: &ledger.Signature{1}}
	ceremony.Organisations[0].Join.Admin[0], ceremony.Organisations[0].Join.Node[63] = 2, 3
	return map[string]*genesis.Doc{"plain": plain, "organisations": orgs, "ceremony": ceremony}
}

// Decode gives what package genesis gives for the same document: the
// genesis hash, the chain identity, the validator set and names, the
// validators' organisations and the organisations' names, GLNs and admins.
func TestDecodeAgreesWithGenesis(t *testing.T) {
	if anchor.HashTag != genesis.HashTag {
		t.Fatalf("tag %q, genesis hashes with %q", anchor.HashTag, genesis.HashTag)
	}
	for name, doc := range docs(t) {
		t.Run(name, func(t *testing.T) {
			g, err := anchor.Decode(doc.Encode())
			if err != nil {
				t.Fatal(err)
			}
			if g.Hash != doc.Hash() || g.Identity() != doc.Identity() || g.ChainID != doc.ChainID || g.GenesisTime != doc.GenesisTime.UnixNano() {
				t.Fatalf("identity: %s %s, genesis says %s %s", g.ChainID, g.Hash, doc.ChainID, doc.Hash())
			}
			set, err := doc.ValidatorSet()
			if err != nil {
				t.Fatal(err)
			}
			if g.ValidatorSet().Hash() != set.Hash() {
				t.Fatal("another validator set")
			}
			pa := g.Proof()
			if !reflect.DeepEqual(pa.Names, doc.ValidatorNames()) || pa.Chain != doc.Identity() || pa.Validators.Hash() != set.Hash() {
				t.Fatalf("proof anchor: %+v", pa)
			}
			for i, v := range doc.Validators {
				got := g.Validators[i]
				if got.Name != v.Name || got.PubKey != v.PubKey || got.Power != v.Power || got.Org != v.Org {
					t.Errorf("validator %d: %+v, genesis %+v", i, got, v)
				}
				if g.Validator(v.PubKey) != &g.Validators[i] {
					t.Errorf("Validator(%s) is not validator %d", v.PubKey.Short(), i)
				}
			}
			if len(g.Organisations) != len(doc.Organisations) {
				t.Fatalf("%d organisations, genesis %d", len(g.Organisations), len(doc.Organisations))
			}
			for i, o := range doc.Organisations {
				got := g.Organisations[i]
				roles := []string{}
				for _, r := range o.Roles {
					roles = append(roles, string(r))
				}
				if got.ID != o.ID || got.Name != o.Name || got.NameEN != o.NameEN || !reflect.DeepEqual(got.Roles, roles) ||
					!reflect.DeepEqual(got.GLNs, o.GLNs) || !reflect.DeepEqual(got.Admins, o.Admins) {
					t.Errorf("organisation %d: %+v, genesis %+v", i, got, o)
				}
				if g.Organisation(o.ID) != &g.Organisations[i] || g.AdminOf(o.Admins[0]) != &g.Organisations[i] {
					t.Errorf("lookups of %s", o.ID)
				}
			}
		})
	}
}

// Every prefix of an encoding, the encoding with a byte more, and an
// encoding whose first varint is not in shortest form are refused with an
// error, not a panic.
func TestDecodeRefusesOtherBytes(t *testing.T) {
	for name, doc := range docs(t) {
		enc := doc.Encode()
		for n := 0; n < len(enc); n++ {
			if _, err := anchor.Decode(enc[:n]); err == nil {
				t.Fatalf("%s: the first %d of %d bytes decode", name, n, len(enc))
			}
		}
		if _, err := anchor.Decode(append(append([]byte(nil), enc...), 0)); err == nil {
			t.Errorf("%s: a trailing byte is accepted", name)
		}
		long := append([]byte{byte(len(doc.ChainID)) | 0x80, 0}, enc[1:]...)
		if _, err := anchor.Decode(long); err == nil {
			t.Errorf("%s: a chain id length in two bytes is accepted", name)
		}
	}
	// A validator with zero power, or a key off the curve, is no set.
	doc := docs(t)["plain"]
	doc.Validators[0].Power = 0
	if _, err := anchor.Decode(doc.Encode()); err == nil {
		t.Error("a validator of power 0 is accepted")
	}
	doc.Validators[0].Power = 1
	doc.Validators[0].PubKey = ledger.PublicKey{}
	binary.BigEndian.PutUint32(doc.Validators[0].PubKey[28:], 5) // x = 5: x³+7 = 132 is not a square mod p
	if _, err := anchor.Decode(doc.Encode()); err == nil {
		t.Error("an invalid validator key is accepted")
	}
}

// FuzzDecode: no input panics, and what decodes is named by the hash of
// exactly its bytes.
func FuzzDecode(f *testing.F) {
	for _, doc := range docs(f) {
		f.Add(doc.Encode())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := anchor.Decode(b)
		if err != nil {
			return
		}
		if g.Hash != ledger.TaggedHash(anchor.HashTag, b) || g.ValidatorSet() == nil {
			t.Fatal("decoded, but not named by its bytes")
		}
	})
}
