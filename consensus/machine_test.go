package consensus

import (
	"errors"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

func newTestMachine(t *testing.T, n, self int) (*Machine, *ledger.ValidatorSet, []ledger.PrivateKey) {
	t.Helper()
	powers := make([]uint64, n)
	for i := range powers {
		powers[i] = 1
	}
	vals, keys := testValidators(powers)
	m, err := NewMachine(Config{Chain: testIdentity, Timeouts: testTimeouts()}, &testApp{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Step(StartHeight{Height: 1, Validators: vals, Self: self}); err != nil {
		t.Fatal(err)
	}
	m.Ready()
	return m, vals, keys
}

func signedVote(keys []ledger.PrivateKey, typ ledger.VoteType, h uint64, r uint32, i int, b *ledger.Hash) *ledger.Vote {
	return signedVoteOn(testIdentity, keys, typ, h, r, i, b)
}

// Messages for the next height are kept and counted once it starts; older
// and further heights are rejected with their codes.
func TestNextHeightMessagesAreKept(t *testing.T) {
	m, vals, keys := newTestMachine(t, 4, 0)
	for _, i := range []int{1, 2} {
		if err := m.Step(VoteMessage{Vote: signedVote(keys, ledger.Prevote, 2, 3, i, nil)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(m.NextHeightMessages()); got != 2 {
		t.Fatalf("kept %d next-height messages, want 2", got)
	}
	if err := m.Step(VoteMessage{Vote: signedVote(keys, ledger.Prevote, 3, 0, 1, nil)}); !errors.Is(err, ErrFutureHeight) {
		t.Fatalf("height 3 at height 1: %v", err)
	}
	if err := m.Step(StartHeight{Height: 2, Validators: vals, Self: 0}); err != nil {
		t.Fatal(err)
	}
	// Two of four validators in round 3 is more than a third: line 55.
	if m.Round() != 3 {
		t.Fatalf("kept votes did not count: at round %d", m.Round())
	}
	if err := m.Step(VoteMessage{Vote: signedVote(keys, ledger.Prevote, 1, 0, 1, nil)}); !errors.Is(err, ErrStaleHeight) {
		t.Fatalf("height 1 at height 2: %v", err)
	}
}

// A validator cannot make the machine keep state for unboundedly many
// future rounds.
func TestFutureRoundLimit(t *testing.T) {
	m, _, keys := newTestMachine(t, 4, 0)
	var err error
	for r := uint32(1); r <= maxFutureRounds+1; r++ {
		err = m.Step(VoteMessage{Vote: signedVote(keys, ledger.Prevote, 1, r*10, 3, nil)})
	}
	if !errors.Is(err, ErrRoundLimit) {
		t.Fatalf("round %d: got %v, want the round limit", 10*(maxFutureRounds+1), err)
	}
	if len(m.log.nums) != maxFutureRounds+1 { // round 0 and the admitted ones
		t.Fatalf("rounds kept: %v", m.log.nums)
	}
}

// An observer follows and decides but never asks to sign.
func TestObserverNeverSigns(t *testing.T) {
	m, vals, keys := newTestMachine(t, 4, Observer)
	b := namedBlock(1, "A")
	h := b.Hash()
	p := &ledger.Proposal{Height: 1, Round: 0, POLRound: -1, BlockHash: h, Proposer: uint16(Proposer(vals, 1, 0))}
	_ = p.Sign(testIdentity, keys[p.Proposer])
	inputs := []Input{ProposalMessage{Proposal: p, Block: b}, TimeoutFired{Timeout: Timeout{Height: 1, Round: 0, Step: StepPropose}}}
	for i := range 4 {
		inputs = append(inputs, VoteMessage{Vote: signedVote(keys, ledger.Prevote, 1, 0, i, &h)})
	}
	for i := range 3 {
		inputs = append(inputs, VoteMessage{Vote: signedVote(keys, ledger.Precommit, 1, 0, i, &h)})
	}
	var decided *Decision
	for _, in := range inputs {
		if err := m.Step(in); err != nil {
			t.Fatal(err)
		}
		rd := m.Ready()
		if len(rd.Sign) > 0 || rd.ProposalRequest != nil {
			t.Fatalf("observer asked to sign or propose: %+v", rd)
		}
		if rd.Decision != nil {
			decided = rd.Decision
		}
	}
	if decided == nil || decided.Block.Hash() != h {
		t.Fatal("observer did not decide")
	}
	if err := decided.Commit.Verify(testIdentity, vals, 1, h); err != nil {
		t.Fatal(err)
	}
}

// A block whose contents do not match its header is rejected on arrival and
// does not stop the genuine block from being accepted afterwards.
func TestTamperedBlockIsNotKept(t *testing.T) {
	m, vals, keys := newTestMachine(t, 4, 0)
	b := namedBlock(1, "A")
	h := b.Hash()
	p := &ledger.Proposal{Height: 1, Round: 0, POLRound: -1, BlockHash: h, Proposer: uint16(Proposer(vals, 1, 0))}
	_ = p.Sign(testIdentity, keys[p.Proposer])
	bad := *b
	bad.Txs = []*ledger.Tx{{ChainID: testChain, Contract: "notary", Method: "anchor", Payload: []byte("forged")}}
	if err := m.Step(ProposalMessage{Proposal: p, Block: &bad}); !errors.Is(err, ErrBlockMismatch) {
		t.Fatalf("tampered block: %v", err)
	}
	if err := m.Step(ProposalMessage{Proposal: p, Block: b}); err != nil {
		t.Fatal(err)
	}
	rd := m.Ready()
	if len(rd.Sign) != 1 || rd.Sign[0].Vote == nil || rd.Sign[0].Vote.BlockHash == nil || *rd.Sign[0].Vote.BlockHash != h {
		t.Fatalf("genuine block not prevoted: %+v", rd.Sign)
	}
}

// Messages signed for another chain with the same chain id and validator
// keys (another genesis: a relaunch, a staging chain) are rejected as bad
// signatures and counted for nothing: neither the round skip of line 55 nor
// a proposal nor a catch-up decision (issue 10, point 2).
func TestAnotherGenesisCountsForNothing(t *testing.T) {
	m, vals, keys := newTestMachine(t, 4, 0)
	relaunch := ledger.NewChainIdentity(testChain, ledger.Sum([]byte("genesis of the relaunch")))
	for i := 1; i < 4; i++ {
		v := signedVoteOn(relaunch, keys, ledger.Precommit, 1, 5, i, nil)
		if err := m.Step(VoteMessage{Vote: v}); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("precommit of validator %d for the relaunch: %v", i, err)
		}
	}
	if m.Round() != 0 {
		t.Fatalf("votes of another genesis moved the machine to round %d", m.Round())
	}
	b := namedBlock(1, "A")
	h := b.Hash()
	p := &ledger.Proposal{Height: 1, Round: 0, POLRound: -1, BlockHash: h, Proposer: uint16(Proposer(vals, 1, 0))}
	_ = p.Sign(relaunch, keys[p.Proposer])
	if err := m.Step(ProposalMessage{Proposal: p, Block: b}); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("proposal for the relaunch: %v", err)
	}
	cmt := &ledger.Commit{Height: 1, Round: 0, BlockHash: h}
	for i := range 4 {
		cmt.Sigs = append(cmt.Sigs, ledger.CommitSig{Validator: uint16(i), Sig: signedVoteOn(relaunch, keys, ledger.Precommit, 1, 0, i, &h).Sig})
	}
	if err := m.Step(CatchUp{Block: b, Commit: cmt}); !errors.Is(err, ErrBadCommit) {
		t.Fatalf("a decision of the relaunch: %v", err)
	}
	if rd := m.Ready(); len(rd.Sign) != 0 || rd.Decision != nil {
		t.Fatalf("messages of another genesis produced %+v", rd)
	}
}

func signedVoteOn(chain ledger.ChainIdentity, keys []ledger.PrivateKey, typ ledger.VoteType, h uint64, r uint32, i int, b *ledger.Hash) *ledger.Vote {
	v := &ledger.Vote{Type: typ, Height: h, Round: r, BlockHash: b, Validator: uint16(i)}
	_ = v.Sign(chain, keys[i])
	return v
}
