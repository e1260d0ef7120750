package ledger

import (
	"bytes"
	"testing"
)

// Each decoder's fuzz target checks the two properties of a canonical
// decoder: it never panics, and whatever it accepts re-encodes to exactly
// the input (so no second encoding of any value is accepted).
// Seed corpora live in testdata/fuzz/<target>/.

func fuzzCanonical[T any](f *testing.F, seeds [][]byte, dec func([]byte) (T, error), enc func(T) []byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := dec(b)
		if err != nil {
			return
		}
		if out := enc(v); !bytes.Equal(out, b) {
			t.Fatalf("accepted a non-canonical encoding:\n in  %x\n out %x", b, out)
		}
	})
}

func FuzzDecodeTx(f *testing.F) {
	fuzzCanonical(f, [][]byte{sampleTx().Encode()}, DecodeTx, (*Tx).Encode)
}

func FuzzDecodeVote(f *testing.F) {
	h := Hash{1}
	seeds := [][]byte{
		(&Vote{Type: Prevote, Height: 1, Round: 0}).Encode(),
		(&Vote{Type: Precommit, Height: 7, Round: 3, BlockHash: &h, Validator: 2}).Encode(),
	}
	fuzzCanonical(f, seeds, DecodeVote, (*Vote).Encode)
}

func FuzzDecodeProposal(f *testing.F) {
	seeds := [][]byte{
		(&Proposal{Height: 1, Round: 0, POLRound: -1}).Encode(),
		(&Proposal{Height: 9, Round: 4, POLRound: 2, BlockHash: Hash{3}, Proposer: 1}).Encode(),
	}
	fuzzCanonical(f, seeds, DecodeProposal, (*Proposal).Encode)
}

func FuzzDecodeCommit(f *testing.F) {
	seeds := [][]byte{(&Commit{Height: 2, Round: 1, BlockHash: Hash{4}, Sigs: []CommitSig{{Validator: 0}, {Validator: 2}}}).Encode()}
	fuzzCanonical(f, seeds, DecodeCommit, (*Commit).Encode)
}

func FuzzDecodeHeader(f *testing.F) {
	seeds := [][]byte{(&Header{ChainID: "qian-test", Height: 3, Time: 1700000000000000000, TxCount: 2, PrevBlockHash: Hash{1}}).Encode()}
	fuzzCanonical(f, seeds, DecodeHeader, (*Header).Encode)
}

func FuzzDecodeBlock(f *testing.F) {
	b := &Block{Header: Header{ChainID: "qian-test", Height: 2, PrevBlockHash: Hash{1}}, Txs: []*Tx{sampleTx()}}
	b.LastCommit = &Commit{Height: 1, BlockHash: Hash{1}, Sigs: []CommitSig{{Validator: 0}}}
	b.FillHeader()
	b.Txs[0].ChainID = "qian-test"
	fuzzCanonical(f, [][]byte{b.Encode(), (&Block{Header: Header{ChainID: "a", Height: 1}}).Encode()}, DecodeBlock, (*Block).Encode)
}

func FuzzDecodeEvidence(f *testing.F) {
	a, b := Hash{1}, Hash{2}
	ev := NewDuplicateVoteEvidence(testKey(1).PublicKey(), &Vote{Type: Prevote, Height: 3, BlockHash: &a}, &Vote{Type: Prevote, Height: 3, BlockHash: &b})
	fuzzCanonical(f, [][]byte{ev.Encode()}, DecodeEvidence, (*DuplicateVoteEvidence).Encode)
}

func FuzzDecodeValidatorSet(f *testing.F) {
	set, _ := NewValidatorSet([]Validator{{testKey(1).PublicKey(), 5}, {testKey(2).PublicKey(), 7}})
	fuzzCanonical(f, [][]byte{set.Encode()}, DecodeValidatorSet, (*ValidatorSet).Encode)
}
