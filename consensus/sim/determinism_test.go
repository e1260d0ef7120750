package sim

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/ledger"
)

// TestSameSeedSameRun: a seed's trace is identical on every run, for a seed
// of each mix.
func TestSameSeedSameRun(t *testing.T) {
	for s := uint64(1); s <= uint64(len(Mixes)); s++ {
		var a, b bytes.Buffer
		ra := Run(Options{Seed: s, Trace: &a})
		rb := Run(Options{Seed: s, Trace: &b})
		if a.Len() == 0 || a.String() != b.String() || ra.Messages != rb.Messages || ra.VirtualTime != rb.VirtualTime {
			t.Fatalf("seed %d (%s) ran differently twice", s, ra.Mix)
		}
	}
}

// TestCheckersCatchViolations feeds the invariant checkers what a broken
// implementation would produce and expects each to complain.
func TestCheckersCatchViolations(t *testing.T) {
	w := newTestWorld(4)
	key := func(i int) ledger.PrivateKey { return w.idents[i].keys[0] }
	n0, n1 := w.nodes[0], w.nodes[1]
	blkA := w.buildBlock(n0.store, n0, key(0).PublicKey(), 1, 0, 1)
	blkB := w.buildBlock(n1.store, n1, key(1).PublicKey(), 1, 0, 2)
	commit := func(b *ledger.Block, signers ...int) *ledger.Commit {
		h := b.Hash()
		c := &ledger.Commit{Height: 1, Round: 0, BlockHash: h}
		for _, i := range signers {
			v := &ledger.Vote{Type: ledger.Precommit, Height: 1, Round: 0, BlockHash: &h, Validator: uint16(i)}
			_ = v.Sign(w.chain, key(i))
			c.Sigs = append(c.Sigs, ledger.CommitSig{Validator: uint16(i), Sig: v.Sig})
		}
		return c
	}
	expect := func(what string, f func()) {
		t.Helper()
		before := len(w.res.Violations)
		f()
		if len(w.res.Violations) == before {
			t.Fatalf("%s was not reported", what)
		}
		if !strings.Contains(strings.Join(w.res.Violations[before:], " "), "") {
			t.Fatal()
		}
	}
	w.checkDecision(n0, &consensus.Decision{Height: 1, Block: blkA, Commit: commit(blkA, 0, 1, 2)}, n0.store)
	if len(w.res.Violations) != 0 {
		t.Fatalf("a correct decision was reported: %v", w.res.Violations)
	}
	expect("disagreement", func() {
		w.checkDecision(n1, &consensus.Decision{Height: 1, Block: blkB, Commit: commit(blkB, 1, 2, 3)}, n1.store)
	})
	expect("a commit without a quorum", func() {
		w.checkDecision(w.nodes[2], &consensus.Decision{Height: 1, Block: blkA, Commit: commit(blkA, 0, 1)}, w.nodes[2].store)
	})
	bad := w.buildBlock(n0.store, n0, key(0).PublicKey(), 1, 0, 1)
	bad.Txs[0].Payload = []byte(invalidMarker)
	bad.FillHeader()
	expect("an invalid decided block", func() {
		w.checkDecision(w.nodes[3], &consensus.Decision{Height: 1, Block: bad, Commit: commit(bad, 0, 1, 2)}, w.nodes[3].store)
	})
	vote := func(b *ledger.Hash) []byte {
		v := &ledger.Vote{Type: ledger.Prevote, Height: 2, Round: 1, BlockHash: b, Validator: 0}
		_ = v.Sign(w.chain, key(0))
		return encodeVote(v)
	}
	h := blkA.Hash()
	w.checkOutgoing(n0, vote(&h))
	w.checkOutgoing(n0, vote(&h)) // a retransmission is fine
	expect("an honest double sign", func() { w.checkOutgoing(n0, vote(nil)) })
	a := &ledger.Vote{Type: ledger.Prevote, Height: 2, Round: 0, BlockHash: &h, Validator: 1}
	b := &ledger.Vote{Type: ledger.Prevote, Height: 2, Round: 0, Validator: 1}
	_ = a.Sign(w.chain, key(1))
	_ = b.Sign(w.chain, key(1))
	expect("evidence against an honest validator", func() { w.checkEvidence(n0, ledger.NewDuplicateVoteEvidence(key(1).PublicKey(), a, b)) })
}

// newTestWorld is a world of n honest genesis validators, one node each,
// for tests of the checkers.
func newTestWorld(n int) *world {
	w := &world{rng: rand.New(rand.NewPCG(1, 2)), verifier: newCachingVerifier(), chain: simChain, signed: map[signKey]signed{}, proposed: map[uint64][]*ledger.Block{}, res: &Result{}}
	w.setupValidators(n, false)
	w.mix = Mixes[0]
	w.setupNodes()
	return w
}
