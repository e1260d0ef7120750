package genesis

import (
	"bufio"
	"crypto/ed25519"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

// The join request vectors of docs/encoding.md ("Join request") are
// checked here, as ledger/vectors_test.go checks the ledger's: each is
// rebuilt from the inputs the page describes and must match byte for byte.
// Their markers read "genesis-vector", so the ledger's test does not count
// them. Run with -update-join-vectors to print the values after a
// deliberate change.
var updateJoinVectors = flag.Bool("update-join-vectors", false, "print the join request vectors for docs/encoding.md")

// scalarKey is the secp256k1 key with secret scalar n (the ledger vectors'
// k1, k2, k3).
func scalarKey(t *testing.T, n byte) ledger.PrivateKey {
	b := make([]byte, 32)
	b[31] = n
	k, err := ledger.PrivateKeyFromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func joinVectors(t *testing.T) [][2]string {
	admin, val := scalarKey(t, 1), scalarKey(t, 2)
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = 3
	}
	node, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := peer.IDFromPrivateKey(node)
	r := &JoinRequest{ChainID: "qian-vectors", Organisation: Organisation{
		ID: "meitan-tea-garden", Name: "湄潭云雾茶园", NameEN: "Meitan Cloud-Mist Tea Garden",
		Roles: []Role{RoleFarm}, GS1Prefixes: []string{"6901230"}, GLNs: []string{"6901230000010"},
		Admins: []ledger.PublicKey{admin.PublicKey()},
	}, Validator: &Validator{Name: "meitan-node", Org: "meitan-tea-garden", PubKey: val.PublicKey(), PeerID: id, Power: 10,
		Addresses: []string{"/ip4/203.0.113.7/tcp/26656"}}}
	if err := r.Sign(admin, val, node); err != nil {
		t.Fatal(err)
	}
	d, err := Assemble([]*JoinRequest{r}, AssembleOptions{ChainID: "qian-vectors", GenesisTime: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Consensus: DefaultConsensusParams()})
	if err != nil {
		t.Fatal(err)
	}
	m := &encoder{}
	m.str(r.ChainID)
	m.organisation(&r.Organisation)
	m.u8(1)
	m.str(r.Validator.Name)
	m.str(string(id))
	m.strs(r.Validator.Addresses)
	m.raw(r.Validator.PubKey[:])
	m.u64(r.Validator.Power)
	if ledger.TaggedHash(JoinTag, m.b) != r.Message() {
		t.Fatal("the documented join layout is not what Message hashes")
	}
	full := d.Encode()
	first := (&Doc{ChainID: d.ChainID, GenesisTime: d.GenesisTime, Consensus: d.Consensus,
		Validators: []Validator{{Name: r.Validator.Name, PubKey: r.Validator.PubKey, PeerID: id, Power: 10}}, Organisations: []Organisation{r.Organisation}})
	first.Organisations[0].Join = nil
	return [][2]string{
		{"join-peer-id", id.String()},
		{"join-message", hex.EncodeToString(m.b)},
		{"join-message-hash", r.Message().String()},
		{"join-admin-signature", r.Organisation.Join.Admin.String()},
		{"join-validator-signature", r.Organisation.Join.Validator.String()},
		{"join-node-signature", hex.EncodeToString(r.Organisation.Join.Node[:])},
		{"join-genesis-extension", hex.EncodeToString(full[len(first.Encode()):])},
		{"join-genesis-hash", d.Hash().String()},
	}
}

func TestJoinVectorsMatchDocs(t *testing.T) {
	vecs := joinVectors(t)
	if *updateJoinVectors {
		for _, v := range vecs {
			fmt.Printf("<!-- genesis-vector %s -->\n```\n%s\n```\n\n", v[0], wrap(v[1], 64))
		}
		return
	}
	f, err := os.Open(filepath.Join("..", "docs", "encoding.md"))
	if err != nil {
		t.Fatalf("open docs/encoding.md: %v", err)
	}
	defer f.Close()
	marker := regexp.MustCompile(`^<!-- genesis-vector ([a-z0-9-]+) -->$`)
	doc := map[string]string{}
	sc := bufio.NewScanner(f)
	var name string
	var in bool
	var sb strings.Builder
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case name == "":
			if m := marker.FindStringSubmatch(line); m != nil {
				name = m[1]
			}
		case !in && strings.HasPrefix(line, "```"):
			in = true
		case in && strings.HasPrefix(line, "```"):
			doc[name] = sb.String()
			name, in = "", false
			sb.Reset()
		case in:
			sb.WriteString(strings.ReplaceAll(line, " ", ""))
		}
	}
	for _, v := range vecs {
		if got, ok := doc[v[0]]; !ok {
			t.Errorf("docs/encoding.md has no vector %q", v[0])
		} else if got != v[1] {
			t.Errorf("vector %q in docs/encoding.md differs from the implementation:\n doc  %s\n code %s", v[0], got, v[1])
		}
	}
	if len(doc) != len(vecs) {
		t.Errorf("docs/encoding.md has %d genesis vectors, the test builds %d", len(doc), len(vecs))
	}
}

func wrap(s string, n int) string {
	var lines []string
	for len(s) > n {
		lines, s = append(lines, s[:n]), s[n:]
	}
	return strings.Join(append(lines, s), "\n")
}
