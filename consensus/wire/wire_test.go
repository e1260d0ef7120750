package wire

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"pgregory.net/rapid"
)

const chainID = "qian-wire"

var chain = ledger.NewChainIdentity(chainID, ledger.Sum([]byte("genesis of "+chainID)))

func key(i int) ledger.PrivateKey {
	s := sha256.Sum256([]byte(fmt.Sprintf("wire test key %d", i)))
	k, err := ledger.PrivateKeyFromBytes(s[:])
	if err != nil {
		panic(err)
	}
	return k
}

func block(height uint64, txs int, payload byte) *ledger.Block {
	b := &ledger.Block{Header: ledger.Header{ChainID: chainID, Height: height, Time: 1_700_000_000_000_000_000}}
	for i := range txs {
		b.Txs = append(b.Txs, &ledger.Tx{ChainID: chainID, Nonce: uint64(i), Contract: "notary", Method: "anchor", Payload: []byte{payload, byte(i)}})
	}
	if height > 1 {
		b.Header.PrevBlockHash = ledger.Sum([]byte{payload})
		b.LastCommit = &ledger.Commit{Height: height - 1, BlockHash: b.Header.PrevBlockHash, Sigs: []ledger.CommitSig{{Validator: 0}}}
	}
	b.FillHeader()
	return b
}

func samples() []Message {
	b := block(3, 2, 7)
	h := b.Hash()
	p := &ledger.Proposal{Height: 3, Round: 2, POLRound: 1, BlockHash: h, Proposer: 1}
	_ = p.Sign(chain, key(1))
	v := &ledger.Vote{Type: ledger.Prevote, Height: 3, Round: 2, BlockHash: &h, Validator: 2}
	_ = v.Sign(chain, key(2))
	nv := &ledger.Vote{Type: ledger.Precommit, Height: 3, Round: 0, Validator: 0}
	_ = nv.Sign(chain, key(0))
	c := &ledger.Commit{Height: 3, Round: 2, BlockHash: h}
	for i := range 3 {
		pc := &ledger.Vote{Type: ledger.Precommit, Height: 3, Round: 2, BlockHash: &h, Validator: uint16(i)}
		_ = pc.Sign(chain, key(i))
		c.Sigs = append(c.Sigs, ledger.CommitSig{Validator: uint16(i), Sig: pc.Sig})
	}
	return []Message{&Proposal{Proposal: p, Block: b}, &Vote{Vote: v}, &Vote{Vote: nv}, &Decided{Block: b, Commit: c}, &Status{At: 9}}
}

func TestRoundTrip(t *testing.T) {
	for _, m := range samples() {
		enc := Encode(m)
		got, err := Decode(enc)
		if err != nil {
			t.Fatalf("%s: %v", m.Kind(), err)
		}
		if got.Kind() != m.Kind() || got.Height() != m.Height() || !bytes.Equal(Encode(got), enc) {
			t.Fatalf("%s: round trip changed the message", m.Kind())
		}
	}
}

func TestRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		height := rapid.Uint64Range(1, 1<<40).Draw(t, "height")
		round := rapid.Uint32Range(0, ledger.MaxRound).Draw(t, "round")
		b := block(height, rapid.IntRange(0, 4).Draw(t, "txs"), rapid.Byte().Draw(t, "payload"))
		h := b.Hash()
		var m Message
		switch rapid.IntRange(0, 3).Draw(t, "kind") {
		case 0:
			pol := int32(-1)
			if round > 0 {
				pol = int32(rapid.Uint32Range(0, round-1).Draw(t, "pol")) - int32(rapid.IntRange(0, 1).Draw(t, "fresh"))
				if pol < -1 {
					pol = -1
				}
			}
			p := &ledger.Proposal{Height: height, Round: round, POLRound: pol, BlockHash: h, Proposer: rapid.Uint16Range(0, ledger.MaxValidators-1).Draw(t, "proposer")}
			copy(p.Sig[:], rapid.SliceOfN(rapid.Byte(), 64, 64).Draw(t, "sig"))
			m = &Proposal{Proposal: p, Block: b}
		case 1:
			v := &ledger.Vote{Type: ledger.VoteType(rapid.IntRange(1, 2).Draw(t, "type")), Height: height, Round: round, Validator: rapid.Uint16Range(0, ledger.MaxValidators-1).Draw(t, "validator")}
			if rapid.Bool().Draw(t, "forblock") {
				v.BlockHash = &h
			}
			copy(v.Sig[:], rapid.SliceOfN(rapid.Byte(), 64, 64).Draw(t, "sig"))
			m = &Vote{Vote: v}
		case 2:
			c := &ledger.Commit{Height: height, Round: round, BlockHash: h}
			for i := range rapid.IntRange(1, 5).Draw(t, "signers") {
				c.Sigs = append(c.Sigs, ledger.CommitSig{Validator: uint16(3 * i)})
			}
			m = &Decided{Block: b, Commit: c}
		default:
			m = &Status{At: height}
		}
		enc := Encode(m)
		got, err := Decode(enc)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !bytes.Equal(Encode(got), enc) {
			t.Fatalf("re-encoding differs")
		}
	})
}

func TestRejects(t *testing.T) {
	s := samples()
	prop, vote, dec := Encode(s[0]), Encode(s[1]), Encode(s[3])
	other := block(3, 1, 9)
	mismatch := Encode(&Proposal{Proposal: s[0].(*Proposal).Proposal, Block: other})
	badCommit := Encode(&Decided{Block: other, Commit: s[3].(*Decided).Commit})
	pLen := len(s[0].(*Proposal).Proposal.Encode())
	minimal := binary.AppendUvarint(nil, uint64(pLen))
	padded := append(append([]byte{}, minimal...), 0x00) // same value, one byte longer
	padded[len(minimal)-1] |= 0x80
	nonMinimal := append(append([]byte{byte(KindProposal)}, padded...), prop[1+len(minimal):]...)
	cases := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"unknown kind", []byte{0x09, 1, 2}},
		{"kind zero", append([]byte{0}, vote[1:]...)},
		{"vote truncated", vote[:len(vote)-1]},
		{"vote trailing", append(append([]byte{}, vote...), 0)},
		{"proposal truncated", prop[:len(prop)-5]},
		{"proposal trailing", append(append([]byte{}, prop...), 0)},
		{"proposal block mismatch", mismatch},
		{"proposal non-minimal length", nonMinimal},
		{"decided commit for another block", badCommit},
		{"decided truncated", dec[:40]},
		{"status short", []byte{byte(KindStatus), 0, 0, 0, 1}},
		{"status height zero", []byte{byte(KindStatus), 0, 0, 0, 0, 0, 0, 0, 0}},
		{"oversized", make([]byte, MaxMessageBytes+1)},
	}
	for _, c := range cases {
		if _, err := Decode(c.b); err == nil || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want a malformed-message error", c.name, err)
		}
	}
}

// FuzzDecode checks that Decode never panics and that whatever it accepts is
// canonical: re-encoding gives the same bytes.
func FuzzDecode(f *testing.F) {
	for _, m := range samples() {
		f.Add(Encode(m))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		if !bytes.Equal(Encode(m), b) {
			t.Fatalf("accepted a non-canonical encoding")
		}
	})
}

// TestWriteSeedCorpus writes testdata/fuzz/FuzzDecode from the samples when
// QIAN_WRITE_CORPUS=1; the files are committed.
func TestWriteSeedCorpus(t *testing.T) {
	if os.Getenv("QIAN_WRITE_CORPUS") != "1" {
		t.Skip("set QIAN_WRITE_CORPUS=1 to rewrite the committed seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, m := range samples() {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", Encode(m))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d-%s", i, m.Kind())), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
