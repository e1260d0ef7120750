package ledger

import (
	"bufio"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The test vectors in docs/encoding.md are checked here: each vector named in
// the document is rebuilt from the inputs the document describes, and its
// hex must match byte for byte. Run with -update-vectors to print the
// current values after a deliberate change of the encoding.
var updateVectors = flag.Bool("update-vectors", false, "print the encoding vectors for docs/encoding.md")

type vector struct {
	name string
	hex  string
}

// vectorChain, vectorGenesis and the keys with scalars 1, 2, 3 are the
// fixed inputs. The genesis hash is SHA-256 of an ASCII string rather than
// the hash of a genesis document, so that an outside implementation can
// check the sign bytes without first implementing genesis hashing.
const vectorChain = "qian-vectors"

var vectorGenesis = Sum([]byte("qian-vectors genesis"))

func encodingVectors(t *testing.T) []vector {
	k1, k2, k3 := testKey(1), testKey(2), testKey(3)
	var out []vector
	add := func(name string, b []byte) { out = append(out, vector{name, hex.EncodeToString(b)}) }

	tx := &Tx{ChainID: vectorChain, Nonce: 1, Contract: "notary", Method: "anchor", Payload: []byte(`{"hash":"00"}`)}
	if err := tx.Sign(k1); err != nil {
		t.Fatal(err)
	}
	pk := k1.PublicKey()
	add("public-key-1", pk[:])
	add("tx", tx.Encode())
	add("tx-hash", tx.Hash().bytes())

	vals, err := NewValidatorSet([]Validator{{k1.PublicKey(), 10}, {k2.PublicKey(), 10}, {k3.PublicKey(), 10}})
	if err != nil {
		t.Fatal(err)
	}
	add("validator-set", vals.Encode())
	add("validator-set-hash", vals.Hash().bytes())

	b1 := &Block{Header: Header{
		ChainID: vectorChain, Height: 1, Time: 1764000000000000000,
		ValidatorsHash: vals.Hash(), NextValidatorsHash: vals.Hash(), Proposer: k1.PublicKey(),
	}, Txs: []*Tx{tx}}
	b1.FillHeader()
	add("tx-root", b1.Header.TxRoot.bytes())
	add("header-1", b1.Header.Encode())
	add("block-1-hash", b1.Hash().bytes())
	add("block-1", b1.Encode())

	chain := NewChainIdentity(vectorChain, vectorGenesis)
	add("genesis-hash", vectorGenesis.bytes())
	h := b1.Hash()
	prevote := &Vote{Type: Prevote, Height: 1, Round: 0, BlockHash: &h, Validator: 1}
	add("vote-prevote-sign-bytes", voteSignPayload(chain, prevote.Type, prevote.Height, prevote.Round, prevote.BlockHash))
	add("vote-prevote-sign-message", prevote.SignBytes(chain).bytes())
	if err := prevote.Sign(chain, k2); err != nil {
		t.Fatal(err)
	}
	add("vote-prevote", prevote.Encode())
	nilVote := &Vote{Type: Prevote, Height: 1, Round: 1, Validator: 2}
	if err := nilVote.Sign(chain, k3); err != nil {
		t.Fatal(err)
	}
	add("vote-nil", nilVote.Encode())

	prop := &Proposal{Height: 1, Round: 2, POLRound: 1, BlockHash: h, Proposer: 0}
	add("proposal-sign-bytes", prop.signPayload(chain))
	add("proposal-sign-message", prop.SignBytes(chain).bytes())
	if err := prop.Sign(chain, k1); err != nil {
		t.Fatal(err)
	}
	add("proposal", prop.Encode())

	commit := &Commit{Height: 1, Round: 0, BlockHash: h}
	for i, k := range []PrivateKey{k1, k2, k3} {
		v := &Vote{Type: Precommit, Height: 1, Round: 0, BlockHash: &h, Validator: uint16(i)}
		if err := v.Sign(chain, k); err != nil {
			t.Fatal(err)
		}
		commit.Sigs = append(commit.Sigs, CommitSig{Validator: uint16(i), Sig: v.Sig})
	}
	if err := commit.Verify(chain, vals, 1, h); err != nil {
		t.Fatal(err)
	}
	add("commit", commit.Encode())
	add("commit-hash", commit.Hash().bytes())

	other := Hash{0xee}
	conflict := &Vote{Type: Prevote, Height: 1, Round: 0, BlockHash: &other, Validator: 1}
	if err := conflict.Sign(chain, k2); err != nil {
		t.Fatal(err)
	}
	ev := NewDuplicateVoteEvidence(k2.PublicKey(), prevote, conflict)
	add("evidence", ev.Encode())

	b2 := &Block{Header: Header{
		ChainID: vectorChain, Height: 2, Time: 1764000001000000000, PrevBlockHash: h,
		AppHash: Hash{0xab}, ValidatorsHash: vals.Hash(), NextValidatorsHash: vals.Hash(), Proposer: k2.PublicKey(),
	}, LastCommit: commit, Evidence: []*DuplicateVoteEvidence{ev}}
	b2.FillHeader()
	add("header-2", b2.Header.Encode())
	add("block-2", b2.Encode())

	// A validator-set transition at height 4: governance replaced k3 by k4
	// (approved by block 2), so header 3, still signed by k1..k3, names the
	// new set as its next; its certificate by k1..k3 and the new set
	// complete the transition (ledger.Transition).
	k4 := testKey(4)
	setB, err := NewValidatorSet([]Validator{{k1.PublicKey(), 10}, {k2.PublicKey(), 10}, {k4.PublicKey(), 10}})
	if err != nil {
		t.Fatal(err)
	}
	add("validator-set-b", setB.Encode())
	add("validator-set-b-hash", setB.Hash().bytes())
	b3 := &Block{Header: Header{
		ChainID: vectorChain, Height: 3, Time: 1764000002000000000, PrevBlockHash: b2.Hash(),
		AppHash: Hash{0xac}, ValidatorsHash: vals.Hash(), NextValidatorsHash: setB.Hash(), Proposer: k3.PublicKey(),
	}, LastCommit: chainCommit(t, chain, 2, b2.Hash(), k1, k2, k3)}
	b3.FillHeader()
	add("header-3", b3.Header.Encode())
	c3 := chainCommit(t, chain, 3, b3.Hash(), k1, k2, k3)
	add("commit-3", c3.Encode())
	f := NewSetFollower(chain, vals)
	sigs, err := f.Transition(&Transition{Header: &b3.Header, Commit: c3, Validators: setB})
	if err != nil || VerifyEach(sigs) >= 0 || f.Current().Hash() != setB.Hash() {
		t.Fatalf("the vector transition does not follow: %v", err)
	}
	return out
}

// chainCommit is a round-0 commit of (height, block) by keys, indexes
// 0, 1, 2, ... in order.
func chainCommit(t *testing.T, chain ChainIdentity, height uint64, block Hash, keys ...PrivateKey) *Commit {
	c := &Commit{Height: height, BlockHash: block}
	for i, k := range keys {
		v := &Vote{Type: Precommit, Height: height, BlockHash: &block, Validator: uint16(i)}
		if err := v.Sign(chain, k); err != nil {
			t.Fatal(err)
		}
		c.Sigs = append(c.Sigs, CommitSig{Validator: uint16(i), Sig: v.Sig})
	}
	return c
}

// docVectors reads the vectors from docs/encoding.md: a line
// "<!-- vector NAME -->" followed by a fenced block of hex (wrapped freely).
func docVectors(t *testing.T) map[string]string {
	f, err := os.Open(filepath.Join("..", "docs", "encoding.md"))
	if err != nil {
		t.Fatalf("open docs/encoding.md: %v", err)
	}
	defer f.Close()
	marker := regexp.MustCompile(`^<!-- vector ([a-z0-9-]+) -->$`)
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	var name string
	var inBlock bool
	var sb strings.Builder
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case name == "":
			if m := marker.FindStringSubmatch(line); m != nil {
				name = m[1]
			}
		case !inBlock && strings.HasPrefix(line, "```"):
			inBlock = true
		case inBlock && strings.HasPrefix(line, "```"):
			out[name] = sb.String()
			name, inBlock = "", false
			sb.Reset()
		case inBlock:
			sb.WriteString(strings.ReplaceAll(line, " ", ""))
		}
	}
	return out
}

func TestEncodingVectorsMatchDocs(t *testing.T) {
	vecs := encodingVectors(t)
	if *updateVectors {
		for _, v := range vecs {
			fmt.Printf("<!-- vector %s -->\n```\n%s\n```\n\n", v.name, wrapHex(v.hex, 64))
		}
		return
	}
	doc := docVectors(t)
	for _, v := range vecs {
		got, ok := doc[v.name]
		if !ok {
			t.Errorf("docs/encoding.md has no vector %q", v.name)
			continue
		}
		if got != v.hex {
			t.Errorf("vector %q in docs/encoding.md differs from the implementation:\n doc  %s\n code %s", v.name, got, v.hex)
		}
	}
	if len(doc) != len(vecs) {
		t.Errorf("docs/encoding.md has %d vectors, the test builds %d", len(doc), len(vecs))
	}
	// Every encoded vector must also decode and re-encode to itself.
	decoders := map[string]func([]byte) error{
		"tx":              func(b []byte) error { _, err := DecodeTx(b); return err },
		"validator-set":   func(b []byte) error { _, err := DecodeValidatorSet(b); return err },
		"header-1":        func(b []byte) error { _, err := DecodeHeader(b); return err },
		"header-2":        func(b []byte) error { _, err := DecodeHeader(b); return err },
		"block-1":         func(b []byte) error { _, err := DecodeBlock(b); return err },
		"block-2":         func(b []byte) error { _, err := DecodeBlock(b); return err },
		"vote-prevote":    func(b []byte) error { _, err := DecodeVote(b); return err },
		"vote-nil":        func(b []byte) error { _, err := DecodeVote(b); return err },
		"proposal":        func(b []byte) error { _, err := DecodeProposal(b); return err },
		"commit":          func(b []byte) error { _, err := DecodeCommit(b); return err },
		"evidence":        func(b []byte) error { _, err := DecodeEvidence(b); return err },
		"validator-set-b": func(b []byte) error { _, err := DecodeValidatorSet(b); return err },
		"header-3":        func(b []byte) error { _, err := DecodeHeader(b); return err },
		"commit-3":        func(b []byte) error { _, err := DecodeCommit(b); return err },
	}
	for name, dec := range decoders {
		b, _ := hex.DecodeString(doc[name])
		if err := dec(b); err != nil {
			t.Errorf("vector %q does not decode: %v", name, err)
		}
	}
}

func wrapHex(s string, n int) string {
	var lines []string
	for len(s) > n {
		lines = append(lines, s[:n])
		s = s[n:]
	}
	return strings.Join(append(lines, s), "\n")
}
