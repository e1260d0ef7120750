package node_test

import (
	"testing"
	"time"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/nodetest"
)

// Chain B's validators also validate chain A: the same chain id and keys,
// another genesis (here only its genesis time differs). Their votes and
// proposals for A, replayed to a node of B by an admitted peer over real
// libp2p streams, count for nothing on B: no quorum, no double vote (so no
// evidence against an honest validator), and the peer that sends them is
// penalised as for a bad signature, while B keeps committing (issue 10,
// point 2).
func TestVotesOfAnotherGenesisAreRefusedOnALiveNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network for several seconds")
	}
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Observers: 1})
	nw.StartAll()
	nw.WaitHeight(2, 20*time.Second)

	docA := *nw.Genesis
	docA.GenesisTime = docA.GenesisTime.Add(time.Hour)
	chainA := docA.Identity()
	if chainA.ChainID() != nw.Genesis.ChainID || chainA.GenesisHash() == nw.Genesis.Hash() {
		t.Fatal("chain A must share B's chain id and differ in genesis")
	}
	vals, _ := nw.Genesis.ValidatorSet()
	relay, victim := nw.Members[4].Node, nw.Members[1].Node // an admitted observer; a validator
	penalties := victim.Net.Stats().Penalties
	start := victim.Store.Height()

	// Each burst: at the victim's current height, round 0, every
	// validator's prevote and precommit for a block B never saw, and the
	// round's proposal of it, all signed for chain A. Were they counted,
	// each vote would conflict with the validator's real one on B and be
	// committed as evidence of a double vote.
	sent := 0
	for burst := 0; burst < 60 && victim.Net.Stats().Penalties < penalties+3; burst++ {
		st, ok := victim.ConsensusState()
		if !ok || st.Height < 2 {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		for _, msg := range signedForA(t, victim, vals, chainA, nw, st.Height) {
			relay.Net.Send(victim.Net.ID(), node.ConsensusProtocol, wire.Encode(msg))
			sent++
		}
		time.Sleep(50 * time.Millisecond)
	}
	nw.WaitHeight(start+4, 30*time.Second)

	if got := victim.Net.Stats().Penalties - penalties; got < 3 {
		t.Fatalf("the victim gave %d strikes for %d messages signed for another genesis, want at least 3", got, sent)
	}
	top := nw.CheckSameChain()
	for h := uint64(1); h <= top; h++ {
		b, err := victim.Store.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Evidence) > 0 {
			t.Fatalf("block %d carries %d double votes: a vote signed for another genesis was counted", h, len(b.Evidence))
		}
	}
	t.Logf("%d messages signed for chain A refused; B went from height %d to %d", sent, start, top)
}

// signedForA returns a proposal and every validator's prevote and
// precommit at (height, 0) for a block of height h that B never saw, signed
// with B's validator keys for chain A.
func signedForA(t *testing.T, victim *node.Node, vals *ledger.ValidatorSet, chainA ledger.ChainIdentity, nw *nodetest.Network, h uint64) []wire.Message {
	t.Helper()
	prev, err := victim.Store.Block(h - 1)
	if err != nil {
		return nil // the victim moved on meanwhile; the next burst catches up
	}
	cmt, err := victim.Store.Commit(h - 1)
	if err != nil {
		return nil
	}
	proposer := consensus.Proposer(vals, h, 0)
	b := &ledger.Block{Header: ledger.Header{ChainID: chainA.ChainID(), Height: h, Time: prev.Header.Time + 1,
		PrevBlockHash: prev.Hash(), ValidatorsHash: vals.Hash(), Proposer: nw.Members[proposer].ValKey.PublicKey()}, LastCommit: cmt}
	b.FillHeader()
	bh := b.Hash()
	p := &ledger.Proposal{Height: h, Round: 0, POLRound: -1, BlockHash: bh, Proposer: uint16(proposer)}
	if err := p.Sign(chainA, nw.Members[proposer].ValKey); err != nil {
		t.Fatal(err)
	}
	out := []wire.Message{&wire.Proposal{Proposal: p, Block: b}}
	for i := 0; i < vals.Size(); i++ {
		for _, typ := range []ledger.VoteType{ledger.Prevote, ledger.Precommit} {
			v := &ledger.Vote{Type: typ, Height: h, Round: 0, BlockHash: &bh, Validator: uint16(i)}
			if err := v.Sign(chainA, nw.Members[i].ValKey); err != nil {
				t.Fatal(err)
			}
			out = append(out, &wire.Vote{Vote: v})
		}
	}
	return out
}
