package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/audit/audittest"
)

// TestWriteVerificationExample writes the worked example of
// docs/verification.md (section 3) to the file QIAN_WRITE_VERIFICATION_EXAMPLE
// names: a chain of four validators whose fourth key is rotated by
// governance (approved by block 3, in force from 5), and the bundle of the
// first transaction of block 5, which follows that transition; then what
// qian verify prints for it. Without the variable it does nothing;
// ledger/proof's TestDocumentedExample checks the example in the page.
func TestWriteVerificationExample(t *testing.T) {
	out := os.Getenv("QIAN_WRITE_VERIFICATION_EXAMPLE")
	if out == "" {
		t.Skip("set QIAN_WRITE_VERIFICATION_EXAMPLE=FILE to regenerate the worked example")
	}
	isolate(t)
	c := audittest.New(t, 4)
	c.Block(c.Anchors(3), nil)
	next := audittest.Key("example rotated validator 3")
	c.AddKey(next)
	c.Govern(membership.ValidatorChange{Kind: membership.RotateValidator, Key: c.ValKeys[3].PublicKey(), NewKey: next.PublicKey()})
	c.Block(nil, nil)
	b5 := c.Block(c.Anchors(5), nil)
	c.Block(nil, nil)
	c.Close()
	st, err := store.Open(c.ChainDir(), &store.Options{Pebble: &pebble.Options{ReadOnly: true, Logger: quietPebble{}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := proof.Build(st, b5.Txs[0].Hash())
	st.Close()
	if err != nil || len(b.Transitions) != 1 {
		t.Fatalf("%v, %d transitions", err, len(b.Transitions))
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "bundle.json")
	os.WriteFile(path, b.Marshal(), 0o644)
	r := runQian(t, "", nil, "verify", path, "--genesis", c.GenesisFile())
	r.want(t, 0)
	vals, _ := c.Doc.ValidatorSet()
	var sb strings.Builder
	fmt.Fprintf(&sb, "chain_id %s\ngenesis_hash %s\nvalidators %x\n", c.Doc.ChainID, c.Doc.Hash(), vals.Encode())
	sb.WriteString("=====\n")
	sb.Write(b.Marshal())
	sb.WriteString("=====\n")
	sb.WriteString(r.stdout)
	if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
