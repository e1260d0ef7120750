package voteset

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"pgregory.net/rapid"
)

var chain = ledger.NewChainIdentity("qian-voteset", ledger.Sum([]byte("genesis of qian-voteset")))

var keys = func() []ledger.PrivateKey {
	ks := make([]ledger.PrivateKey, 8)
	for i := range ks {
		s := sha256.Sum256([]byte(fmt.Sprintf("voteset key %d", i)))
		k, err := ledger.PrivateKeyFromBytes(s[:])
		if err != nil {
			panic(err)
		}
		ks[i] = k
	}
	return ks
}()

func valset(t interface{ Fatal(...any) }, powers ...uint64) *ledger.ValidatorSet {
	vals := make([]ledger.Validator, len(powers))
	for i, p := range powers {
		vals[i] = ledger.Validator{PubKey: keys[i].PublicKey(), Power: p}
	}
	vs, err := ledger.NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

var blockA, blockB = ledger.Sum([]byte("A")), ledger.Sum([]byte("B"))

func vote(typ ledger.VoteType, round uint32, i int, block *ledger.Hash) *ledger.Vote {
	v := &ledger.Vote{Type: typ, Height: 5, Round: round, BlockHash: block, Validator: uint16(i)}
	if err := v.Sign(chain, keys[i]); err != nil {
		panic(err)
	}
	return v
}

func TestPowerAndStrictQuorum(t *testing.T) {
	// Total 9: two thirds is 6, so a quorum needs 7.
	vs := valset(t, 3, 3, 2, 1)
	s := New(vs, ledger.Prevote, 5, 0)
	add := func(i int, b *ledger.Hash) {
		t.Helper()
		if out, ev, err := s.Add(vote(ledger.Prevote, 0, i, b)); err != nil || ev != nil || out != Counted {
			t.Fatalf("add %d: %v %v %v", i, out, ev, err)
		}
	}
	add(0, &blockA)
	add(1, &blockA)
	if s.Power(&blockA) != 6 || s.HasQuorumFor(&blockA) || s.HasQuorumAny() {
		t.Fatalf("6 of 9 is exactly two thirds, not more: power %d", s.Power(&blockA))
	}
	if _, ok := s.Quorum(); ok {
		t.Fatal("quorum at exactly two thirds")
	}
	add(3, nil)
	if !s.HasQuorumAny() || s.HasQuorumFor(&blockA) || s.Power(nil) != 1 || s.AnyPower() != 7 {
		t.Fatalf("any %d, nil %d", s.AnyPower(), s.Power(nil))
	}
	add(2, &blockA)
	if h, ok := s.Quorum(); !ok || h == nil || *h != blockA {
		t.Fatal("8 of 9 for A is a quorum")
	}
	c := vs.QuorumPower()
	if c != 7 {
		t.Fatalf("QuorumPower %d", c)
	}
}

func TestDuplicatesIgnored(t *testing.T) {
	vs := valset(t, 1, 1, 1, 1)
	s := New(vs, ledger.Precommit, 5, 2)
	v := vote(ledger.Precommit, 2, 1, &blockA)
	for k := range 3 {
		out, ev, err := s.Add(v)
		want := Counted
		if k > 0 {
			want = Duplicate
		}
		if err != nil || ev != nil || out != want {
			t.Fatalf("copy %d: %v %v %v", k, out, ev, err)
		}
	}
	if s.Power(&blockA) != 1 || s.AnyPower() != 1 || len(s.All()) != 1 {
		t.Fatal("a duplicate changed the count")
	}
}

func TestConflictingVotesBecomeEvidence(t *testing.T) {
	vs := valset(t, 1, 1, 1, 1)
	s := New(vs, ledger.Prevote, 5, 0)
	s.Relevant = func(h *ledger.Hash) bool { return h == nil || *h == blockB }
	first := vote(ledger.Prevote, 0, 2, &blockA)
	if out, _, _ := s.Add(first); out != Counted {
		t.Fatal(out)
	}
	out, ev, err := s.Add(vote(ledger.Prevote, 0, 2, &blockB))
	if err != nil || out != ConflictCounted || ev == nil {
		t.Fatalf("conflict: %v %v %v", out, ev, err)
	}
	if err := ev.Verify(chain, vs); err != nil {
		t.Fatalf("evidence does not verify: %v", err)
	}
	if dec, err := ledger.DecodeEvidence(ev.Encode()); err != nil || dec.Verify(chain, vs) != nil {
		t.Fatalf("evidence does not survive encoding: %v", err)
	}
	// Evidence once per validator; the any-count holds the validator once.
	if _, ev2, _ := s.Add(vote(ledger.Prevote, 0, 2, nil)); ev2 != nil {
		t.Fatal("second evidence for the same validator")
	}
	if s.AnyPower() != 1 || s.Power(&blockA) != 1 || s.Power(&blockB) != 1 || s.Power(nil) != 1 {
		t.Fatalf("any %d A %d B %d nil %d", s.AnyPower(), s.Power(&blockA), s.Power(&blockB), s.Power(nil))
	}
	// A conflicting vote for a value that is not relevant is dropped.
	blockC := ledger.Sum([]byte("C"))
	if out, _, _ := s.Add(vote(ledger.Prevote, 0, 2, &blockC)); out != ConflictDropped || s.Power(&blockC) != 0 {
		t.Fatalf("irrelevant conflict: %v", out)
	}
}

func TestRejectsForeignVotes(t *testing.T) {
	vs := valset(t, 1, 1, 1)
	s := New(vs, ledger.Prevote, 5, 0)
	for _, v := range []*ledger.Vote{
		vote(ledger.Precommit, 0, 0, nil),
		vote(ledger.Prevote, 1, 0, nil),
		{Type: ledger.Prevote, Height: 6, Round: 0, Validator: 0},
		{Type: ledger.Prevote, Height: 5, Round: 0, Validator: 3},
	} {
		if _, _, err := s.Add(v); err == nil {
			t.Errorf("accepted %+v", v)
		}
	}
	if s.AnyPower() != 0 {
		t.Fatal("a rejected vote was counted")
	}
}

func TestCommitVerifies(t *testing.T) {
	vs := valset(t, 5, 1, 1, 1)
	s := New(vs, ledger.Precommit, 5, 3)
	if s.Commit(blockA) != nil {
		t.Fatal("commit without a quorum")
	}
	for _, i := range []int{3, 0} {
		s.Add(vote(ledger.Precommit, 3, i, &blockA))
	}
	s.Add(vote(ledger.Precommit, 3, 1, nil))
	c := s.Commit(blockA)
	if c == nil {
		t.Fatal("6 of 8 is a quorum")
	}
	if err := c.Verify(chain, vs, 5, blockA); err != nil {
		t.Fatal(err)
	}
	if got := c.Signers(); len(got) != 2 || got[0] != 0 || got[1] != 3 {
		t.Fatalf("signers %v", got)
	}
}

// TestCountingProperty: whatever order votes arrive in, with duplicates, the
// power for each value is the sum of the powers of the distinct validators
// whose first vote named it, and a quorum is reported exactly when that sum
// exceeds two thirds.
func TestCountingProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(t, "n")
		powers := make([]uint64, n)
		for i := range powers {
			powers[i] = rapid.Uint64Range(1, 100).Draw(t, "power")
		}
		vs := valset(t, powers...)
		s := New(vs, ledger.Prevote, 5, 0)
		choice := make([]int, n) // 0: no vote, 1: A, 2: nil
		for i := range choice {
			choice[i] = rapid.IntRange(0, 2).Draw(t, "choice")
		}
		var order []int
		for i, c := range choice {
			if c != 0 {
				for range rapid.IntRange(1, 3).Draw(t, "copies") {
					order = append(order, i)
				}
			}
		}
		order = rapid.Permutation(order).Draw(t, "order")
		var wantA, wantNil uint64
		for i, c := range choice {
			if c == 1 {
				wantA += powers[i]
			} else if c == 2 {
				wantNil += powers[i]
			}
		}
		for _, i := range order {
			var b *ledger.Hash
			if choice[i] == 1 {
				b = &blockA
			}
			if _, ev, err := s.Add(vote(ledger.Prevote, 0, i, b)); err != nil || ev != nil {
				t.Fatalf("add: %v %v", ev, err)
			}
		}
		if s.Power(&blockA) != wantA || s.Power(nil) != wantNil || s.AnyPower() != wantA+wantNil {
			t.Fatalf("power A %d/%d nil %d/%d", s.Power(&blockA), wantA, s.Power(nil), wantNil)
		}
		if s.HasQuorumFor(&blockA) != (3*wantA > 2*vs.TotalPower()) {
			t.Fatalf("quorum for A with %d of %d", wantA, vs.TotalPower())
		}
	})
}
