package ledger

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"
)

func sampleTx() *Tx {
	tx := &Tx{ChainID: "qian-test", Nonce: 1, Contract: "notary", Method: "anchor", Payload: []byte(`{"x":1}`)}
	if err := tx.Sign(testKey(1)); err != nil {
		panic(err)
	}
	return tx
}

// txLayout returns the offsets of a sample tx's fields, to aim mutations.
func TestDecodeTxRejects(t *testing.T) {
	good := sampleTx().Encode()
	// Layout of the sample: tag(1) chain_id(1+9) sender(32) nonce(8)
	// contract(1+6) method(1+6) payload(1+7) sig(64).
	const (
		offChainLen  = 1
		offContract  = 1 + 10 + 32 + 8
		offMethod    = offContract + 7
		offPayload   = offMethod + 7
		offSignature = offPayload + 8
	)
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := []struct {
		name  string
		in    []byte
		field string
	}{
		{"empty", nil, "tag"},
		{"unknown tag", mut(func(b []byte) []byte { b[0] = 0x7f; return b }), "tag"},
		{"vote tag", mut(func(b []byte) []byte { b[0] = byte(TagVote); return b }), "tag"},
		{"trailing byte", append(append([]byte(nil), good...), 0), "(end)"},
		{"truncated signature", good[:len(good)-1], "signature"},
		{"chain id too long", mut(func(b []byte) []byte { b[offChainLen] = MaxChainIDLen + 1; return b }), "chain_id length"},
		{"chain id bad character", mut(func(b []byte) []byte { b[offChainLen+1] = 'Q'; return b }), "chain_id"},
		{"contract empty", mut(func(b []byte) []byte {
			return append(append(b[:offContract:offContract], 0), good[offContract+7:]...)
		}), "contract"},
		{"method bad character", mut(func(b []byte) []byte { b[offMethod+1] = '-'; return b }), "method"},
		{"non-minimal payload length", mut(func(b []byte) []byte {
			// 7 written as 0x87 0x00: two bytes where one suffices.
			out := append(b[:offPayload:offPayload], 0x87, 0x00)
			return append(out, good[offPayload+1:]...)
		}), "payload length"},
		{"payload length past end", mut(func(b []byte) []byte { b[offPayload] = 0x7f; return b }), "payload"},
		{"oversized payload length", mut(func(b []byte) []byte {
			out := append(b[:offPayload:offPayload], 0x81, 0x80, 0x40) // 1 MiB + 1
			return append(out, good[offPayload+1:]...)
		}), "payload length"},
	}
	for _, c := range cases {
		_, err := DecodeTx(c.in)
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: got %v, want a DecodeError", c.name, err)
			continue
		}
		if de.Field != c.field {
			t.Errorf("%s: error names field %q, want %q (%v)", c.name, de.Field, c.field, err)
		}
		if !strings.Contains(err.Error(), "decode tx") {
			t.Errorf("%s: error %q does not name the type", c.name, err)
		}
	}
}

func TestDecodeVoteRejects(t *testing.T) {
	h := Hash{1}
	v := &Vote{Type: Precommit, Height: 5, Round: 2, BlockHash: &h, Validator: 3}
	good := v.Encode()
	// tag(1) type(1) height(8) round(4) present(1) hash(32) validator(2) sig(64)
	mut := func(off int, val byte) []byte {
		b := append([]byte(nil), good...)
		b[off] = val
		return b
	}
	cases := []struct {
		name  string
		in    []byte
		field string
	}{
		{"unknown vote type", mut(1, 3), "type"},
		{"zero height", append(append(append([]byte(nil), good[:2]...), make([]byte, 8)...), good[10:]...), "height"},
		{"round out of range", mut(10, 0xff), "round"},
		{"option byte 2", mut(14, 2), "block_hash present"},
		{"validator index out of range", mut(47, 0xff), "validator"},
		{"trailing", append(append([]byte(nil), good...), 1), "(end)"},
	}
	for _, c := range cases {
		_, err := DecodeVote(c.in)
		var de *DecodeError
		if !errors.As(err, &de) || de.Field != c.field {
			t.Errorf("%s: got %v, want error on field %q", c.name, err, c.field)
		}
	}
}

func TestDecodeCommitRejectsUnorderedSigners(t *testing.T) {
	c := &Commit{Height: 3, Round: 0, BlockHash: Hash{9}, Sigs: []CommitSig{{Validator: 2}, {Validator: 1}}}
	if _, err := DecodeCommit(c.Encode()); err == nil || !strings.Contains(err.Error(), "strictly increasing") {
		t.Fatalf("got %v", err)
	}
	c.Sigs = []CommitSig{{Validator: 1}, {Validator: 1}}
	if _, err := DecodeCommit(c.Encode()); err == nil {
		t.Fatal("duplicate signer accepted")
	}
	c.Sigs = nil
	if _, err := DecodeCommit(c.Encode()); err == nil {
		t.Fatal("commit without signatures accepted")
	}
}

func TestDecodeProposalRejectsPOLNotBeforeRound(t *testing.T) {
	p := &Proposal{Height: 1, Round: 2, POLRound: 2}
	if _, err := DecodeProposal(p.Encode()); err == nil || !strings.Contains(err.Error(), "pol_round") {
		t.Fatalf("got %v", err)
	}
}

func TestDecodeHeaderRejectsFirstBlockWithParent(t *testing.T) {
	h := &Header{ChainID: "c", Height: 1, PrevBlockHash: Hash{1}}
	if _, err := DecodeHeader(h.Encode()); err == nil {
		t.Fatal("height 1 with a previous block accepted")
	}
}

func TestDecodeCountLargerThanInput(t *testing.T) {
	// A block claiming 100,000 transactions in a few bytes must be refused
	// before anything is allocated for them.
	b := &Block{Header: Header{ChainID: "c", Height: 1}}
	enc := b.Encode()
	hdrEnd := 1 + len(b.Header.Encode())
	bad := append(append(append([]byte(nil), enc[:hdrEnd]...), 0xa0, 0x8d, 0x06), enc[hdrEnd+1:]...)
	if _, err := DecodeBlock(bad); err == nil || !strings.Contains(err.Error(), "txs") {
		t.Fatalf("got %v", err)
	}
}

// Signatures are domain-separated: a signature made for one type or chain
// never verifies as another.
func TestSignaturesAreDomainSeparated(t *testing.T) {
	k := testKey(7)
	pub := k.PublicKey()
	h := Hash{0xaa}
	chainA := NewChainIdentity("chain-a", Sum([]byte("genesis of chain-a")))
	chainB := NewChainIdentity("chain-b", chainA.GenesisHash())

	vote := &Vote{Type: Prevote, Height: 10, Round: 0, BlockHash: &h, Validator: 0}
	if err := vote.Sign(chainA, k); err != nil {
		t.Fatal(err)
	}
	if err := vote.Verify(chainA, pub); err != nil {
		t.Fatalf("own chain: %v", err)
	}
	if err := vote.Verify(chainB, pub); !errors.Is(err, ErrBadSignature) {
		t.Fatal("a vote signed on chain-a verified on chain-b")
	}
	pre := *vote
	pre.Type = Precommit
	if pre.Verify(chainA, pub) == nil {
		t.Fatal("a prevote's signature verified as a precommit")
	}

	// The same fields as a proposal: the signature must not carry over.
	prop := &Proposal{Height: 10, Round: 0, POLRound: -1, BlockHash: h, Proposer: 0, Sig: vote.Sig}
	if prop.Verify(chainA, pub) == nil {
		t.Fatal("a vote's signature verified as a proposal")
	}

	// A transaction on another chain, or a vote's signature on a tx.
	tx := &Tx{ChainID: "chain-a", Nonce: 1, Contract: "c", Method: "m"}
	if err := tx.Sign(k); err != nil {
		t.Fatal(err)
	}
	other := *tx
	other.ChainID = "chain-b"
	if other.VerifySignature() == nil {
		t.Fatal("a tx signed for chain-a verified for chain-b")
	}
	forged := *tx
	forged.Sig = vote.Sig
	if forged.VerifySignature() == nil {
		t.Fatal("a vote's signature verified as a transaction")
	}
	// And every message differs even when the fields coincide.
	msgs := [][]byte{tx.Hash().bytes(), vote.SignBytes(chainA).bytes(), pre.SignBytes(chainA).bytes(), prop.SignBytes(chainA).bytes()}
	for i := range msgs {
		for j := i + 1; j < len(msgs); j++ {
			if bytes.Equal(msgs[i], msgs[j]) {
				t.Fatalf("sign messages %d and %d coincide", i, j)
			}
		}
	}
}

// Two chains with the same chain id and the same validator keys (a
// relaunch, a staging chain reusing keys) differ in their genesis hash, and
// nothing a validator signs for one counts on the other: votes, proposals,
// commit certificates, evidence (issue 10, point 2).
func TestSignaturesNameOneGenesis(t *testing.T) {
	k := testKey(8)
	set, _ := NewValidatorSet([]Validator{{PubKey: k.PublicKey(), Power: 1}})
	chainA := NewChainIdentity("qian-demo", Sum([]byte("genesis of 2025")))
	chainB := NewChainIdentity("qian-demo", Sum([]byte("genesis of 2026, same keys")))
	h := Hash{0x42}

	vote := &Vote{Type: Precommit, Height: 3, Round: 0, BlockHash: &h}
	if err := vote.Sign(chainA, k); err != nil {
		t.Fatal(err)
	}
	if err := vote.Verify(chainB, k.PublicKey()); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a precommit of chain A on chain B: %v", err)
	}
	prop := &Proposal{Height: 3, Round: 0, POLRound: -1, BlockHash: h}
	if err := prop.Sign(chainA, k); err != nil {
		t.Fatal(err)
	}
	if err := prop.Verify(chainB, k.PublicKey()); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a proposal of chain A on chain B: %v", err)
	}
	cmt := &Commit{Height: 3, Round: 0, BlockHash: h, Sigs: []CommitSig{{Validator: 0, Sig: vote.Sig}}}
	if err := cmt.Verify(chainA, set, 3, h); err != nil {
		t.Fatalf("the certificate on its own chain: %v", err)
	}
	if err := cmt.Verify(chainB, set, 3, h); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a certificate of chain A on chain B: %v", err)
	}
	h2 := Hash{0x43}
	other := &Vote{Type: Precommit, Height: 3, Round: 0, BlockHash: &h2}
	_ = other.Sign(chainA, k)
	if err := NewDuplicateVoteEvidence(k.PublicKey(), vote, other).Verify(chainB, set); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("evidence of chain A on chain B: %v", err)
	}

	// An identity with a part missing is refused, not signed or checked
	// against half of it.
	for _, id := range []ChainIdentity{{}, NewChainIdentity("qian-demo", Hash{}), NewChainIdentity("", chainA.GenesisHash())} {
		if err := vote.Sign(id, k); !errors.Is(err, ErrNoChainIdentity) {
			t.Errorf("sign with %v: %v", id, err)
		}
		if err := vote.Verify(id, k.PublicKey()); !errors.Is(err, ErrNoChainIdentity) {
			t.Errorf("verify with %v: %v", id, err)
		}
		if err := prop.Verify(id, k.PublicKey()); !errors.Is(err, ErrNoChainIdentity) {
			t.Errorf("verify a proposal with %v: %v", id, err)
		}
		if err := cmt.Verify(id, set, 3, h); !errors.Is(err, ErrNoChainIdentity) {
			t.Errorf("verify a commit with %v: %v", id, err)
		}
	}
}

func (h Hash) bytes() []byte { return h[:] }

func TestTxSignatureTamper(t *testing.T) {
	tx := sampleTx()
	if err := tx.VerifySignature(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []func(*Tx){
		func(t *Tx) { t.Nonce++ },
		func(t *Tx) { t.Payload = append([]byte(nil), 'y') },
		func(t *Tx) { t.Method = "other" },
		func(t *Tx) { t.Sig[5] ^= 1 },
		func(t *Tx) { t.Sender = testKey(2).PublicKey() },
	} {
		c := *tx
		f(&c)
		if c.VerifySignature() == nil {
			t.Fatal("a changed transaction still verified")
		}
	}
}

func TestCommitVerify(t *testing.T) {
	var keys []PrivateKey
	var vals []Validator
	for i := 0; i < 4; i++ {
		keys = append(keys, testKey(uint64(100+i)))
		vals = append(vals, Validator{PubKey: keys[i].PublicKey(), Power: 10})
	}
	set, err := NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	block := Hash{0x42}
	c := NewChainIdentity("c", Sum([]byte("genesis c")))
	sign := func(signers ...int) *Commit {
		cmt := &Commit{Height: 9, Round: 1, BlockHash: block}
		for _, i := range signers {
			v := &Vote{Type: Precommit, Height: 9, Round: 1, BlockHash: &block, Validator: uint16(i)}
			if err := v.Sign(c, keys[i]); err != nil {
				t.Fatal(err)
			}
			cmt.Sigs = append(cmt.Sigs, CommitSig{Validator: uint16(i), Sig: v.Sig})
		}
		return cmt
	}
	if err := sign(0, 1, 2).Verify(c, set, 9, block); err != nil {
		t.Fatalf("3 of 4: %v", err)
	}
	if err := sign(0, 1).Verify(c, set, 9, block); err == nil || !strings.Contains(err.Error(), "two thirds") {
		t.Fatalf("2 of 4 accepted: %v", err)
	}
	if err := sign(0, 1, 2).Verify(c, set, 10, block); err == nil {
		t.Fatal("wrong height accepted")
	}
	if err := sign(0, 1, 2).Verify(c, set, 9, Hash{1}); err == nil {
		t.Fatal("wrong block accepted")
	}
	if err := sign(0, 1, 2).Verify(NewChainIdentity("other", c.GenesisHash()), set, 9, block); err == nil {
		t.Fatal("wrong chain accepted")
	}
	bad := sign(0, 1, 2)
	bad.Sigs[1].Sig[0] ^= 1
	if err := bad.Verify(c, set, 9, block); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("bad signature: %v", err)
	}
	dup := sign(0, 1, 2)
	dup.Sigs = append(dup.Sigs, dup.Sigs[2])
	if dup.Verify(c, set, 9, block) == nil {
		t.Fatal("a repeated signer was counted twice")
	}
	out := sign(0, 1, 2)
	out.Sigs = append(out.Sigs, CommitSig{Validator: 7})
	if out.Verify(c, set, 9, block) == nil {
		t.Fatal("a signer outside the set accepted")
	}
}

func TestEvidenceVerify(t *testing.T) {
	k := testKey(5)
	set, _ := NewValidatorSet([]Validator{{PubKey: k.PublicKey(), Power: 1}})
	a, b := Hash{1}, Hash{2}
	c := NewChainIdentity("c", Sum([]byte("genesis c")))
	v1 := &Vote{Type: Prevote, Height: 3, Round: 0, BlockHash: &a}
	v2 := &Vote{Type: Prevote, Height: 3, Round: 0, BlockHash: &b}
	_ = v1.Sign(c, k)
	_ = v2.Sign(c, k)
	ev := NewDuplicateVoteEvidence(k.PublicKey(), v2, v1)
	if err := ev.Verify(c, set); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeEvidence(ev.Encode())
	if err != nil || got.Verify(c, set) != nil {
		t.Fatalf("decoded evidence: %v", err)
	}
	// The evidence names the key that signed; checked against another
	// set (a later one, where index 0 is another key), it accuses nobody.
	other, _ := NewValidatorSet([]Validator{{PubKey: testKey(6).PublicKey(), Power: 1}})
	if err := ev.Verify(c, other); err == nil || !strings.Contains(err.Error(), "not the named signer") {
		t.Fatalf("evidence checked against a set where its index is another key: %v", err)
	}
	lying := NewDuplicateVoteEvidence(testKey(6).PublicKey(), v2, v1)
	if lying.Verify(c, set) == nil {
		t.Fatal("evidence naming a key that is not the validator at its index accepted")
	}
	same := &DuplicateVoteEvidence{Signer: k.PublicKey(), A: v1, B: v1}
	if same.Verify(c, set) == nil {
		t.Fatal("two identical votes accepted as evidence")
	}
	nilVote := &Vote{Type: Prevote, Height: 3, Round: 0}
	_ = nilVote.Sign(c, k)
	if err := NewDuplicateVoteEvidence(k.PublicKey(), v1, nilVote).Verify(c, set); err != nil {
		t.Fatalf("block vs nil is equivocation: %v", err)
	}
	v3 := *v2
	v3.Round = 1
	_ = v3.Sign(c, k)
	if NewDuplicateVoteEvidence(k.PublicKey(), v1, &v3).Verify(c, set) == nil {
		t.Fatal("votes in different rounds accepted as evidence")
	}
}

func TestValidatorSetRules(t *testing.T) {
	k1, k2 := testKey(1).PublicKey(), testKey(2).PublicKey()
	for _, c := range []struct {
		name string
		vals []Validator
		want string
	}{
		{"empty", nil, "empty"},
		{"zero power", []Validator{{k1, 0}}, "zero"},
		{"duplicate key", []Validator{{k1, 1}, {k1, 2}}, "same public key"},
		{"power too large", []Validator{{k1, MaxVotingPower + 1}}, "exceeds"},
		{"not a curve point", []Validator{{PublicKey{}, 1}}, "not a valid"},
	} {
		if _, err := NewValidatorSet(c.vals); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
	}
	set, err := NewValidatorSet([]Validator{{k1, 1}, {k2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	// total 3: quorum is more than 2, i.e. 3; f+1 is more than 1, i.e. 2.
	if set.QuorumPower() != 3 || set.OneThirdPower() != 2 {
		t.Fatalf("quorum %d, one third %d", set.QuorumPower(), set.OneThirdPower())
	}
	if set.IndexOf(k2) != 1 || set.IndexOf(testKey(3).PublicKey()) != -1 {
		t.Fatal("IndexOf")
	}
}

func TestBlockValidateContents(t *testing.T) {
	tx := sampleTx()
	b := &Block{Header: Header{ChainID: "qian-test", Height: 1}, Txs: []*Tx{tx}}
	b.FillHeader()
	if err := b.ValidateContents(); err != nil {
		t.Fatal(err)
	}
	bad := *b
	bad.Header.TxRoot[0] ^= 1
	if bad.ValidateContents() == nil {
		t.Fatal("wrong tx root accepted")
	}
	other := *sampleTx()
	other.ChainID = "elsewhere"
	bad = *b
	bad.Txs = []*Tx{&other}
	if bad.ValidateContents() == nil {
		t.Fatal("tx for another chain accepted")
	}
	b2 := &Block{Header: Header{ChainID: "qian-test", Height: 2, PrevBlockHash: b.Hash()}}
	b2.FillHeader()
	if b2.ValidateContents() == nil {
		t.Fatal("height 2 without a last commit accepted")
	}
	b2.LastCommit = &Commit{Height: 1, BlockHash: b.Hash(), Sigs: []CommitSig{{}}}
	b2.FillHeader()
	if err := b2.ValidateContents(); err != nil {
		t.Fatal(err)
	}
	b2.LastCommit.BlockHash = Hash{3}
	if b2.ValidateContents() == nil {
		t.Fatal("last commit for another block accepted")
	}
}

// BIP-340 requires s < n; btcec alone reduces s modulo n. A valid
// signature with s+n in place of s cannot be made on purpose (s would have to
// be below 2^256-n, about 2^128), so the range check is tested directly, and
// through Verify on out-of-range signatures.
func TestSignatureSMustBeBelowOrder(t *testing.T) {
	n := new(big.Int)
	n.SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)
	withS := func(v *big.Int) Signature {
		var sig Signature
		v.FillBytes(sig[32:])
		return sig
	}
	one := big.NewInt(1)
	max := new(big.Int).Sub(new(big.Int).Lsh(one, 256), one)
	cases := []struct {
		s    *big.Int
		want bool
	}{
		{big.NewInt(0), true},
		{new(big.Int).Sub(n, one), true},
		{n, false},
		{new(big.Int).Add(n, one), false},
		{max, false},
	}
	for _, c := range cases {
		if got := sInRange(withS(c.s)); got != c.want {
			t.Errorf("s = %x: in range %v, want %v", c.s, got, c.want)
		}
	}
	tx := sampleTx()
	bad := *tx
	s := new(big.Int).SetBytes(tx.Sig[32:])
	s.Add(s, n)
	if s.Cmp(max) <= 0 {
		s.FillBytes(bad.Sig[32:])
	} else {
		n.FillBytes(bad.Sig[32:])
	}
	if bad.VerifySignature() == nil {
		t.Fatal("a signature with s >= n verified")
	}
}
