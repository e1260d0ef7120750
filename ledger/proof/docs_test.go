package proof

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// docBlock returns the code block after <!-- name --> in
// docs/verification.md.
func docBlock(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "verification.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	i := strings.Index(s, "<!-- "+name+" -->")
	if i < 0 {
		t.Fatalf("docs/verification.md has no %q block", name)
	}
	s = s[i:]
	start := strings.Index(s, "```")
	s = s[start+3:]
	s = s[strings.Index(s, "\n")+1:]
	return s[:strings.Index(s, "```")]
}

// The worked example of docs/verification.md verifies, with ledger/proof
// and with the independent verifier written from the page.
func TestDocumentedExample(t *testing.T) {
	fields := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(docBlock(t, "example anchor")), "\n") {
		k, v, _ := strings.Cut(line, " ")
		fields[k] = v
	}
	gh, err := ledger.ParseHash(fields["genesis_hash"])
	if err != nil {
		t.Fatal(err)
	}
	venc, _ := hex.DecodeString(fields["validators"])
	vals, err := ledger.DecodeValidatorSet(venc)
	if err != nil {
		t.Fatal(err)
	}
	bundle := []byte(docBlock(t, "example bundle"))
	rep, err := VerifyJSON(bundle, Anchor{Chain: ledger.NewChainIdentity(fields["chain_id"], gh), Validators: vals})
	if err != nil {
		t.Fatalf("the documented bundle does not verify: %v", err)
	}
	if rep.Height != 5 || rep.TxCount != 5 || rep.Index != 0 || !rep.InChain || rep.Result == nil || !rep.Result.Proven || rep.SignedPower != 40 ||
		rep.Transitions != 1 || rep.ValidatorsHash == vals.Hash() {
		t.Fatalf("report: %+v", rep)
	}
	a := indepAnchor{chainID: fields["chain_id"], genesis: gh[:], validators: venc}
	proven, err := independentVerify(bundle, a)
	if err != nil || !proven {
		t.Fatalf("independent verifier: proven %v, %v", proven, err)
	}
	// And both refuse it with one signature byte changed.
	i := bytes.Index(bundle, []byte(`"commit": {`))
	j := bytes.Index(bundle[i:], []byte(`"encoding": "`)) + i + len(`"encoding": "`) + 200
	bad := append([]byte{}, bundle...)
	bad[j] = "1032547698badcfe"[strings.IndexByte("0123456789abcdef", bad[j])]
	if _, err := VerifyJSON(bad, Anchor{Chain: ledger.NewChainIdentity(fields["chain_id"], gh), Validators: vals}); err == nil {
		t.Fatal("ledger/proof accepted a changed signature")
	}
	// The independent verifier skips the readable copies' hash check only
	// where the page allows; the changed byte must fail it too.
	if _, err := independentVerify(bad, a); err == nil {
		t.Fatal("the independent verifier accepted a changed signature")
	}
}

// The independent BIP-340 verifier agrees with the official test vectors
// (kept by ledger/schnorrbatch).
func TestIndependentSchnorrVectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "schnorrbatch", "testdata", "bip340-test-vectors.csv"))
	if err != nil {
		t.Skipf("no BIP-340 vectors: %v", err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] {
		f := strings.Split(line, ",")
		pub, msg, sig := unhex(strings.ToLower(f[2])), unhex(strings.ToLower(f[4])), unhex(strings.ToLower(f[5]))
		if len(pub) != 32 || len(msg) != 32 || len(sig) != 64 {
			continue
		}
		if got, want := schnorrVerify(pub, msg, sig), f[6] == "TRUE"; got != want {
			t.Errorf("vector %s (%s): got %v, want %v", f[0], f[7], got, want)
		}
		n++
	}
	if n < 14 {
		t.Fatalf("only %d vectors", n)
	}
}

// The independent verifier accepts what ledger/proof accepts and refuses
// every tampering of TestVerifyRefuses that reaches the cryptography.
func TestIndependentVerifierAgrees(t *testing.T) {
	anchorOf := func(a Anchor) indepAnchor {
		gh := a.Chain.GenesisHash()
		return indepAnchor{chainID: a.Chain.ChainID(), genesis: gh[:], validators: a.Validators.Encode()}
	}
	c, b := standard(t, 4)
	if proven, err := independentVerify(b.Marshal(), anchorOf(c.anchor)); err != nil || !proven {
		t.Fatalf("standard bundle: proven %v, %v", proven, err)
	}
	for _, tc := range refusals {
		if tc.code == ErrFormat || tc.code == ErrEncoding {
			continue // the independent verifier reads leniently; ParseBundle is strict
		}
		t.Run(tc.name, func(t *testing.T) {
			c, b := standard(t, 4)
			a := c.anchor
			tc.edit(t, c, b, &a)
			if _, err := independentVerify(b.Marshal(), anchorOf(a)); err == nil {
				t.Fatalf("the independent verifier accepts it (ledger/proof: %s)", tc.code)
			}
		})
	}
}
