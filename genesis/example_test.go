package genesis

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
)

// exampleDoc is the worked example of docs/operations.md: two validators
// and one organisation, all keys derived from fixed labels.
func exampleDoc(t testing.TB) *Doc {
	d := &Doc{
		ChainID:     "qian-example",
		GenesisTime: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
		Consensus:   DefaultConsensusParams(),
		Validators: []Validator{
			{Name: "node0", PubKey: testKey(t, "validator node0").PublicKey(), PeerID: testPeer(t, "node0"), Power: 10, Org: "meitan-tea-garden"},
			{Name: "node1", PubKey: testKey(t, "validator node1").PublicKey(), PeerID: testPeer(t, "node1"), Power: 10, Org: "meitan-tea-garden"},
		},
		Organisations: []Organisation{{
			ID: "meitan-tea-garden", Name: "湄潭云雾茶园", NameEN: "Meitan Cloud-Mist Tea Garden",
			Roles: []Role{RoleFarm}, GS1Prefixes: []string{"6901230"}, GLNs: []string{"6901230000010"},
			Admins: []ledger.PublicKey{testKey(t, "admin farm").PublicKey()},
		}},
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	return d
}

// docBlock returns the fenced block that follows marker in
// docs/operations.md.
func docBlock(t *testing.T, doc, marker string) string {
	t.Helper()
	i := strings.Index(doc, "<!-- "+marker+" -->")
	if i < 0 {
		t.Fatalf("docs/operations.md lacks the marker %s", marker)
	}
	rest := doc[i:]
	start := strings.Index(rest, "```")
	body := rest[start+3:]
	body = body[strings.Index(body, "\n")+1:]
	end := strings.Index(body, "```")
	if start < 0 || end < 0 {
		t.Fatalf("no fenced block after %s", marker)
	}
	return body[:end]
}

// TestOperationsDocExample checks the worked example of docs/operations.md:
// the JSON parses to exampleDoc, encodes to the annotated bytes and hashes
// to the stated hash, so an outside implementation can test itself on it.
func TestOperationsDocExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "operations.md"))
	if err != nil {
		t.Fatalf("read docs/operations.md: %v", err)
	}
	doc := string(b)
	parsed, err := Parse([]byte(docBlock(t, doc, "genesis-example:json")))
	if err != nil {
		t.Fatalf("example genesis: %v", err)
	}
	want := exampleDoc(t)
	if !bytes.Equal(parsed.Encode(), want.Encode()) {
		t.Fatal("the documented example differs from exampleDoc")
	}
	// Each encoding line is hex bytes, optionally followed by three spaces
	// and a comment.
	var hexText strings.Builder
	for _, line := range strings.Split(docBlock(t, doc, "genesis-example:encoding"), "\n") {
		code, _, _ := strings.Cut(line, "   ")
		hexText.WriteString(strings.ReplaceAll(code, " ", ""))
	}
	enc, err := hex.DecodeString(hexText.String())
	if err != nil {
		t.Fatalf("documented encoding is not hex: %v", err)
	}
	if !bytes.Equal(enc, parsed.Encode()) {
		t.Fatalf("documented encoding differs:\n doc %x\n got %x", enc, parsed.Encode())
	}
	if !strings.Contains(doc, fmt.Sprintf("hex, %d bytes", len(enc))) {
		t.Errorf("docs/operations.md does not state the encoding length %d", len(enc))
	}
	h := strings.TrimSpace(docBlock(t, doc, "genesis-example:hash"))
	if h != parsed.Hash().String() {
		t.Fatalf("documented hash %s, computed %s", h, parsed.Hash())
	}
}
