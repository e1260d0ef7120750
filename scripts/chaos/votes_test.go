package main

import (
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// testChain is the identity the tests' validators sign on: a chain id and
// a stand-in genesis hash.
var testChain = ledger.NewChainIdentity("chaos-test", ledger.Sum([]byte("genesis of chaos-test")))

func testValidators(t *testing.T, n int) ([]ledger.PrivateKey, *ledger.ValidatorSet) {
	t.Helper()
	var keys []ledger.PrivateKey
	var vals []ledger.Validator
	for i := 0; i < n; i++ {
		k, err := ledger.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
		vals = append(vals, ledger.Validator{PubKey: k.PublicKey(), Power: 1})
	}
	set, err := ledger.NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	return keys, set
}

// fixedSets is one set for every height.
type fixedSets struct{ vals *ledger.ValidatorSet }

func (f fixedSets) At(uint64) (*ledger.ValidatorSet, bool) { return f.vals, true }

func signedVote(t *testing.T, k ledger.PrivateKey, idx uint16, typ ledger.VoteType, h uint64, r uint32, block *ledger.Hash) *ledger.Vote {
	t.Helper()
	v := &ledger.Vote{Type: typ, Height: h, Round: r, BlockHash: block, Validator: idx}
	if err := v.Sign(testChain, k); err != nil {
		t.Fatal(err)
	}
	return v
}

func hashOf(s string) *ledger.Hash {
	h := ledger.Sum([]byte(s))
	return &h
}

func TestVoteBookFindsDoubleSignatures(t *testing.T) {
	keys, vals := testValidators(t, 4)
	a, b := hashOf("block a"), hashOf("block b")
	tests := []struct {
		name     string
		add      func(*voteBook)
		conflict bool
	}{
		{"same vote seen twice", func(vb *voteBook) {
			v := signedVote(t, keys[0], 0, ledger.Prevote, 5, 0, a)
			vb.AddVote(v, "x")
			vb.AddVote(v, "y")
		}, false},
		{"same vote signed twice (the signer re-signs after a restart)", func(vb *voteBook) {
			vb.AddVote(signedVote(t, keys[0], 0, ledger.Prevote, 5, 0, a), "x")
			vb.AddVote(signedVote(t, keys[0], 0, ledger.Prevote, 5, 0, a), "y")
		}, false},
		{"prevotes for two blocks", func(vb *voteBook) {
			vb.AddVote(signedVote(t, keys[1], 1, ledger.Prevote, 5, 0, a), "x")
			vb.AddVote(signedVote(t, keys[1], 1, ledger.Prevote, 5, 0, b), "y")
		}, true},
		{"prevote for a block and for nil", func(vb *voteBook) {
			vb.AddVote(signedVote(t, keys[1], 1, ledger.Prevote, 5, 2, nil), "x")
			vb.AddVote(signedVote(t, keys[1], 1, ledger.Prevote, 5, 2, a), "y")
		}, true},
		{"different rounds", func(vb *voteBook) {
			vb.AddVote(signedVote(t, keys[2], 2, ledger.Precommit, 5, 0, a), "x")
			vb.AddVote(signedVote(t, keys[2], 2, ledger.Precommit, 5, 1, b), "y")
		}, false},
		{"prevote and precommit differ", func(vb *voteBook) {
			vb.AddVote(signedVote(t, keys[2], 2, ledger.Prevote, 5, 0, nil), "x")
			vb.AddVote(signedVote(t, keys[2], 2, ledger.Precommit, 5, 0, a), "y")
		}, false},
		{"different validators", func(vb *voteBook) {
			vb.AddVote(signedVote(t, keys[2], 2, ledger.Prevote, 5, 0, a), "x")
			vb.AddVote(signedVote(t, keys[3], 3, ledger.Prevote, 5, 0, b), "y")
		}, false},
		{"a commit's precommit against a vote for another block", func(vb *voteBook) {
			vb.AddVote(signedVote(t, keys[3], 3, ledger.Precommit, 9, 1, b), "wal")
			pc := signedVote(t, keys[3], 3, ledger.Precommit, 9, 1, a)
			vb.AddCommit(&ledger.Commit{Height: 9, Round: 1, BlockHash: *a, Sigs: []ledger.CommitSig{{Validator: 3, Sig: pc.Sig}}}, "block")
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vb := newVoteBook(testChain, fixedSets{vals})
			tc.add(vb)
			conflicts, invalid, _, _, _ := vb.Result()
			if len(invalid) != 0 {
				t.Fatalf("invalid signatures: %v", invalid)
			}
			if got := len(conflicts) > 0; got != tc.conflict {
				t.Fatalf("conflicts %v, want conflict=%v", conflicts, tc.conflict)
			}
		})
	}
}

// A forged vote (a signature that does not verify) is reported as invalid
// and does not count as the validator's vote.
func TestVoteBookRejectsBadSignatures(t *testing.T) {
	keys, vals := testValidators(t, 4)
	a, b := hashOf("a"), hashOf("b")
	vb := newVoteBook(testChain, fixedSets{vals})
	forged := signedVote(t, keys[0], 1, ledger.Prevote, 3, 0, a) // signed by 0, claims 1
	vb.AddVote(forged, "x")
	vb.AddVote(signedVote(t, keys[1], 1, ledger.Prevote, 3, 0, b), "y")
	// Validator 1's vote for a, signed for another chain with the same
	// chain id and keys (another genesis): invalid here, not a double
	// signature beside its vote for b.
	other := &ledger.Vote{Type: ledger.Prevote, Height: 3, Round: 0, BlockHash: a, Validator: 1}
	if err := other.Sign(ledger.NewChainIdentity(testChain.ChainID(), ledger.Sum([]byte("another genesis"))), keys[1]); err != nil {
		t.Fatal(err)
	}
	vb.AddVote(other, "z")
	conflicts, invalid, votes, _, _ := vb.Result()
	if len(conflicts) != 0 || len(invalid) != 2 || votes != 3 {
		t.Fatalf("conflicts %v, invalid %v, votes %d", conflicts, invalid, votes)
	}
	if !strings.Contains(invalid[0], "bad signature") {
		t.Fatalf("invalid: %q", invalid[0])
	}
}

func TestVoteBookFindsTwoProposals(t *testing.T) {
	keys, vals := testValidators(t, 4)
	vb := newVoteBook(testChain, fixedSets{vals})
	prop := func(block string, pol int32) *ledger.Proposal {
		p := &ledger.Proposal{Height: 4, Round: 2, POLRound: pol, BlockHash: *hashOf(block), Proposer: 2}
		if err := p.Sign(testChain, keys[2]); err != nil {
			t.Fatal(err)
		}
		return p
	}
	vb.AddProposal(prop("a", -1), "x")
	vb.AddProposal(prop("a", -1), "y")
	if c, _, _, _, _ := vb.Result(); len(c) != 0 {
		t.Fatalf("the same proposal twice is not a double signature: %v", c)
	}
	vb.AddProposal(prop("a", 1), "z")
	if c, _, _, _, _ := vb.Result(); len(c) != 1 {
		t.Fatalf("two proposals for one height and round: conflicts %v", c)
	}
}
