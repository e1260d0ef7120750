package proof

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
)

func TestBundleProvesTransactionOutcomeAndBatchItem(t *testing.T) {
	c, b := standard(t, 4)
	if b.Next == nil || b.Outcome == nil || b.Outcome.Proof == nil || b.BatchItem == nil {
		t.Fatalf("bundle lacks a part: next %v outcome %v batch %v", b.Next != nil, b.Outcome != nil, b.BatchItem != nil)
	}
	r, err := VerifyJSON(b.Marshal(), c.anchor)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if r.Height != 2 || r.Index != 6 || r.TxHash != c.batchTx || !r.InChain {
		t.Fatalf("report: height %d index %d tx %s in chain %v", r.Height, r.Index, r.TxHash.Short(), r.InChain)
	}
	if r.SignedPower != 40 || r.TotalPower != 40 || len(r.Signers) != 4 || r.Validators != 4 {
		t.Fatalf("signers %v power %d/%d", r.Signers, r.SignedPower, r.TotalPower)
	}
	if r.Result == nil || !r.Result.Proven || r.Result.ProvenBy != 3 || r.Result.Code != "OK" {
		t.Fatalf("outcome %+v", r.Result)
	}
	if r.BatchItem == nil || r.BatchItem.Item != c.batch[3] || r.BatchItem.Index != 3 || r.BatchItem.Size != 5 {
		t.Fatalf("batch item %+v", r.BatchItem)
	}
	if r.Time.UnixNano() != c.txsBlockTime(t, 2) {
		t.Fatalf("time %v", r.Time)
	}
}

func (c *chain) txsBlockTime(t *testing.T, h uint64) int64 {
	blk, err := c.Block(h)
	if err != nil {
		t.Fatal(err)
	}
	return blk.Header.Time
}

// At the tip the certificate is the node's own, there is no next block, and
// no outcome: it could not be proven yet.
func TestBundleAtTheTip(t *testing.T) {
	c := newChain(t, 4)
	c.block(t, 2, false)
	h := c.block(t, 3, false)
	tx := c.txs[h][2]
	b, err := Build(c, tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if b.Next != nil || b.Outcome != nil {
		t.Fatalf("tip bundle: next %v outcome %+v", b.Next != nil, b.Outcome)
	}
	r, err := VerifyJSON(b.Marshal(), c.anchor)
	if err != nil {
		t.Fatal(err)
	}
	if r.InChain || r.Result != nil || r.Height != h {
		t.Fatalf("report %+v result %+v", r, r.Result)
	}
}

// A store without writes roots (heights committed before nodes kept them)
// still proves inclusion and the chain's own certificate; the bundle
// carries no outcome, which it could not prove.
func TestBundleWithoutWritesRoots(t *testing.T) {
	c := newChain(t, 4)
	h := c.block(t, 4, false)
	c.block(t, 1, false)
	b, err := Build(plain{c.Store}, c.txs[h][1].Hash())
	if err != nil {
		t.Fatal(err)
	}
	r, err := VerifyJSON(b.Marshal(), c.anchor)
	if err != nil {
		t.Fatal(err)
	}
	if !r.InChain || r.Result != nil || b.Outcome != nil {
		t.Fatalf("in chain %v result %+v", r.InChain, r.Result)
	}
}

func TestBuildUnknownTransaction(t *testing.T) {
	c := newChain(t, 4)
	c.block(t, 1, false)
	_, err := Build(c, ledger.Sum([]byte("nope")))
	if CodeOf(err) != ErrNotFound {
		t.Fatalf("got %v", err)
	}
}

// Every transaction of blocks of every size from 1 to 17 proves, at every
// position (the paths' shapes differ with size and index).
func TestEveryPositionProves(t *testing.T) {
	c := newChain(t, 4)
	var heights []uint64
	for n := 1; n <= 17; n++ {
		heights = append(heights, c.block(t, n, false))
	}
	c.block(t, 0, false)
	for _, h := range heights {
		for i, tx := range c.txs[h] {
			b, err := Build(c, tx.Hash())
			if err != nil {
				t.Fatal(err)
			}
			r, err := Verify(b, c.anchor)
			if err != nil {
				t.Fatalf("block %d tx %d of %d: %v", h, i, len(c.txs[h]), err)
			}
			if !r.Result.Proven {
				t.Fatalf("block %d tx %d: outcome unproven", h, i)
			}
		}
	}
}

// Tampering that keeps the bundle well formed: each is refused with the
// code that names what failed.
// Tampering that keeps the bundle well formed: each is refused with the
// code that names what failed.
var refusals = []struct {
	name string
	code string
	edit func(t *testing.T, c *chain, b *Bundle, a *Anchor)
}{
	{"another chain id", ErrChain, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		a.Chain = ledger.NewChainIdentity("qian-other", a.Chain.GenesisHash())
	}},
	{"another genesis", ErrChain, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		g := a.Chain.GenesisHash()
		g[0] ^= 1
		a.Chain = ledger.NewChainIdentity(a.Chain.ChainID(), g)
	}},
	// A relaunched chain: same chain id, same validator keys, another
	// genesis. The bundle's genesis_hash is only a claim; rewritten to the
	// verifier's, it must still fail, because the certificates signed the
	// other genesis hash (issue 10, point 2).
	{"another genesis with the same chain id and keys, which the bundle claims", ErrCommit, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		relaunch := ledger.Sum([]byte("genesis of the relaunch"))
		a.Chain = ledger.NewChainIdentity(a.Chain.ChainID(), relaunch)
		b.GenesisHash = relaunch
	}},
	{"another validator set", ErrValidators, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		a.Validators = ledgertest.NewChain(testChainID, 5).Validators
	}},
	{"a validator set the header does not name", ErrValidators, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		vals := ledgertest.NewChain(testChainID, 3).Validators
		a.Validators = vals
		b.Validators = validatorsPart(vals)
	}},
	{"inclusion size from the proof, not the header", ErrMismatch, func(t *testing.T, c *chain, b *Bundle, a *Anchor) { b.Inclusion.Size = 3 }},
	{"another index", ErrInclusion, func(t *testing.T, c *chain, b *Bundle, a *Anchor) { b.Inclusion.Index = 5 }},
	{"a sibling dropped", ErrInclusion, func(t *testing.T, c *chain, b *Bundle, a *Anchor) { b.Inclusion.Siblings = b.Inclusion.Siblings[1:] }},
	{"a certificate with too little power", ErrCommit, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		b.Commit = commitPart(c.c.Sign(2, 0, b.Header.Hash, 2))
		b.Next, b.Outcome = nil, nil
	}},
	{"a certificate for another block", ErrCommit, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		b.Commit = commitPart(c.c.Sign(2, 0, ledger.Sum([]byte("x")), 4))
	}},
	{"a forged certificate the next header does not record", ErrNext, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		b.Commit = commitPart(c.c.Sign(2, 1, b.Header.Hash, 4))
	}},
	{"signatures by outsiders", ErrCommit, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		other := ledgertest.NewChain(testChainID, 4)
		other.Keys = []ledger.PrivateKey{ledgertest.Key(1), ledgertest.Key(2), ledgertest.Key(3), ledgertest.Key(4)}
		b.Commit = commitPart(other.Sign(2, 0, b.Header.Hash, 4))
		b.Next, b.Outcome = nil, nil
	}},
	{"one bad precommit signature", ErrCommit, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		cmt, _ := ledger.DecodeCommit(b.Commit.Encoding)
		cmt.Sigs[2].Sig[10] ^= 1
		b.Commit = commitPart(cmt)
		b.Next, b.Outcome = nil, nil
	}},
	{"one bad precommit signature in the next certificate", ErrNext, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		cmt, _ := ledger.DecodeCommit(b.Next.Commit.Encoding)
		cmt.Sigs[3].Sig[40] ^= 1
		b.Next.Commit = commitPart(cmt)
	}},
	{"a next header of another height", ErrNext, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		blk, _ := c.Block(4)
		b.Next.Header = headerPart(&blk.Header)
	}},
	{"a proof without the next header", ErrOutcome, func(t *testing.T, c *chain, b *Bundle, a *Anchor) { b.Next = nil }},
	{"another transaction's result", ErrOutcome, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		blk, _ := c.Block(2)
		leaf, _ := c.TxResult(2, 0, blk.Txs[0].Hash())
		o, _, _ := outcomePart(leaf)
		o.Proof = b.Outcome.Proof
		b.Outcome = o
	}},
	{"a result changed consistently", ErrOutcome, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		r, _ := DecodeResult(b.Outcome.Result)
		r.Code = "ERR_ROLE"
		o, _, _ := outcomePart(EncodeResult(r))
		o.Proof = b.Outcome.Proof
		b.Outcome = o
	}},
	{"an outcome without its proof", ErrOutcome, func(t *testing.T, c *chain, b *Bundle, a *Anchor) { b.Outcome.Proof = nil }},
	{"a writes root changed", ErrOutcome, func(t *testing.T, c *chain, b *Bundle, a *Anchor) { b.Outcome.Proof.WritesRoot[31] ^= 1 }},
	{"a batch item not in the batch", ErrBatchItem, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		b.BatchItem.Item = ledger.Sum([]byte("other file"))
	}},
	{"a batch item on a transaction that anchors no batch", ErrBatchItem, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		other, err := Build(c, c.txs[2][0].Hash())
		if err != nil {
			t.Fatal(err)
		}
		other.BatchItem = b.BatchItem
		*b = *other
	}},
	{"a transaction whose signature fails, committed by faulty validators", ErrTx, func(t *testing.T, c *chain, b *Bundle, a *Anchor) {
		tx := c.c.Tx(1, 99, []byte("forged"))
		tx.Sig[5] ^= 1
		c.commitTxs(t, []*ledger.Tx{tx})
		c.block(t, 0, false)
		bad, err := Build(c, tx.Hash())
		if err != nil {
			t.Fatal(err)
		}
		*b = *bad
	}},
	{"a readable field that disagrees", ErrMismatch, func(t *testing.T, c *chain, b *Bundle, a *Anchor) { b.Header.Time = "2025-01-01T00:00:00Z" }},
	{"a signer list that disagrees", ErrMismatch, func(t *testing.T, c *chain, b *Bundle, a *Anchor) { b.Commit.Signers = []int{0, 1, 2} }},
	{"a truncated encoding", ErrEncoding, func(t *testing.T, c *chain, b *Bundle, a *Anchor) { b.Header.Encoding = b.Header.Encoding[:100] }},
	{"an unknown version", ErrFormat, func(t *testing.T, c *chain, b *Bundle, a *Anchor) { b.Version = 3 }},
	{"a version 1 bundle (before validator-set changes)", ErrFormat, func(t *testing.T, c *chain, b *Bundle, a *Anchor) { b.Version = 1 }},
}

func TestVerifyRefuses(t *testing.T) {
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			c, b := standard(t, 4)
			a := c.anchor
			tc.edit(t, c, b, &a)
			_, err := Verify(b, a)
			if CodeOf(err) != tc.code {
				t.Fatalf("got %v (code %q), want code %s", err, CodeOf(err), tc.code)
			}
			t.Logf("%s: %v", tc.code, err)
		})
	}
}

func TestParseBundleIsStrict(t *testing.T) {
	c, b := standard(t, 4)
	good := string(b.Marshal())
	hash := b.Header.Hash.String()
	cases := map[string]string{
		"uppercase hex in a hash":     strings.Replace(good, hash, strings.ToUpper(hash), 1),
		"uppercase hex in encoding":   strings.Replace(good, hex.EncodeToString(b.Tx.Encoding), strings.ToUpper(hex.EncodeToString(b.Tx.Encoding)), 1),
		"a key in another case":       strings.Replace(good, `"height"`, `"Height"`, 1),
		"an unknown key":              strings.Replace(good, `"height"`, `"heigth"`, 1),
		"a repeated key":              strings.Replace(good, `"version": 2,`, `"version": 1, "version": 2,`, 1),
		"a number written as a float": strings.Replace(good, `"version": 2`, `"version": 2.0`, 1),
		"trailing data":               good + "{}",
		"not JSON":                    "proof",
	}
	for name, in := range cases {
		if in == good {
			t.Fatalf("%s: the edit did not apply", name)
		}
		if _, err := VerifyJSON([]byte(in), c.anchor); CodeOf(err) != ErrFormat && CodeOf(err) != ErrMismatch {
			t.Errorf("%s: got %v", name, err)
		}
	}
	// docs/verification.md, Spelling: key validity, lengths and integer
	// ranges are format errors, whatever the encodings hold.
	cases = map[string]string{
		"a sender that is no curve point": strings.Replace(good, `"sender": "`+b.Tx.Sender.String(), `"sender": "`+strings.Repeat("f", 64), 1),
		"a short hash":                    strings.Replace(good, hash, hash[:62], 1),
		"a negative integer":              strings.Replace(good, `"index": 6`, `"index": -6`, 1),
		"an index beyond 32 bits":         strings.Replace(good, `"index": 6`, `"index": 4294967302`, 1),
		"a leading zero":                  strings.Replace(good, `"index": 6`, `"index": 06`, 1),
		"a plus sign":                     strings.Replace(good, `"index": 6`, `"index": +6`, 1),
		"version 3":                       strings.Replace(good, `"version": 2`, `"version": 3`, 1),
	}
	for name, in := range cases {
		if in == good {
			t.Fatalf("%s: the edit did not apply", name)
		}
		if _, err := VerifyJSON([]byte(in), c.anchor); CodeOf(err) != ErrFormat {
			t.Errorf("%s: got %v, want %s", name, err, ErrFormat)
		}
	}
	// null where a list belongs.
	g, _ := genericJSON([]byte(good))
	g.(map[string]any)["commit"].(map[string]any)["signers"] = nil
	nullList, _ := json.Marshal(g)
	if _, err := VerifyJSON(nullList, c.anchor); CodeOf(err) != ErrFormat {
		t.Errorf("null for a list: got %v", err)
	}
	// White space and key order are free.
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(good)); err != nil {
		t.Fatal(err)
	}
	generic, err := genericJSON([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	sorted, _ := json.Marshal(generic) // map keys in sorted order
	for name, in := range map[string][]byte{"compact": compact.Bytes(), "re-indented": []byte(strings.ReplaceAll(good, "\n  ", "\n\t")), "keys sorted": sorted} {
		if _, err := VerifyJSON(in, c.anchor); err != nil {
			t.Errorf("%s bundle: %v", name, err)
		}
	}
}

// An outcome the bundle states must be proven: stripping outcome.proof from
// a refused transaction's bundle and rewriting its outcome to OK (every
// readable copy consistent with the rewritten leaf) must not verify, and
// neither must the genuine outcome without its proof. A verifier that
// accepted them would report the node's word, or a forger's, as verified.
func TestUnprovenOutcomeIsRefused(t *testing.T) {
	c, _ := standard(t, 4)
	refused := c.txs[2][2] // every third result of the test chain is ERR_INVALID
	b, err := Build(c, refused.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if b.Outcome == nil || b.Outcome.Proof == nil || b.Outcome.Code != "ERR_INVALID" {
		t.Fatalf("bundle of the refused transaction: outcome %+v", b.Outcome)
	}
	if _, err := Verify(b, c.anchor); err != nil {
		t.Fatalf("the genuine bundle: %v", err)
	}

	stripped := *b
	o := *b.Outcome
	o.Proof = nil
	stripped.Outcome = &o
	if r, err := VerifyJSON(stripped.Marshal(), c.anchor); CodeOf(err) != ErrOutcome {
		t.Fatalf("outcome without its proof: report %+v, err %v; want %s", r, err, ErrOutcome)
	}

	forged := *b
	res, _ := DecodeResult(b.Outcome.Result)
	res.Code, res.Message, res.Events = "OK", "", []Event{{Type: "test.put", Attrs: []Attr{{Key: "key", Value: "2"}}}}
	fo, _, err := outcomePart(EncodeResult(res))
	if err != nil {
		t.Fatal(err)
	}
	forged.Outcome = fo
	if r, err := VerifyJSON(forged.Marshal(), c.anchor); CodeOf(err) != ErrOutcome {
		t.Fatalf("refused outcome rewritten to OK without a proof: report %+v, err %v; want %s", r, err, ErrOutcome)
	}
}
