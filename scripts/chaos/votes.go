package main

import (
	"fmt"
	"sync"

	"github.com/qianchain/qianchain/ledger"
)

// voteBook collects every signed consensus message the orchestrator sees —
// votes and proposals from the validators' write-ahead logs, precommits
// from the commit certificates the nodes serve — and finds double
// signatures: two validly signed messages of one validator for the same
// height, round and step that differ in what they sign. Signatures are
// checked against the key at the message's index in the validator set of
// its height (the set changes by governance), as signed on the chain's
// identity (chain id and genesis hash), so a conflict is proof, not a
// guess; a message of another chain, or one signed with a key the set of
// its height does not hold there (a removed validator's, a rotated-away
// key), is invalid. A message whose height's set is not known yet waits
// until Flush finds it known. Safe for concurrent use.
type voteBook struct {
	chain ledger.ChainIdentity
	sets  setsAt

	mu        sync.Mutex
	pending   []pendingMsg // messages of heights whose set is not known yet
	votes     map[voteKey]seen
	proposals map[proposalKey]seen
	checked   map[sigKey]bool // signature checks already done
	conflicts []string
	invalid   []string
	counted   struct{ votes, proposals, commits int }
}

type voteKey struct {
	Validator uint16
	Type      ledger.VoteType
	Height    uint64
	Round     uint32
}

type proposalKey struct {
	Proposer uint16
	Height   uint64
	Round    uint32
}

// seen is the first message of a key: what it signed and where it was
// found.
type seen struct {
	msg   ledger.Hash // the sign bytes
	what  string
	where string
}

type sigKey struct {
	msg    ledger.Hash
	sig    ledger.Signature
	val    uint16
	height uint64
}

// pendingMsg is a vote or a proposal waiting for its height's set.
type pendingMsg struct {
	vote     *ledger.Vote
	proposal *ledger.Proposal
	where    string
}

func newVoteBook(chain ledger.ChainIdentity, sets setsAt) *voteBook {
	return &voteBook{chain: chain, sets: sets, votes: map[voteKey]seen{}, proposals: map[proposalKey]seen{}, checked: map[sigKey]bool{}}
}

// valid checks sig over msg by validator i of the set vals of height h,
// once per distinct quadruple.
func (b *voteBook) valid(vals *ledger.ValidatorSet, h uint64, i uint16, msg ledger.Hash, sig ledger.Signature) bool {
	k := sigKey{msg, sig, i, h}
	if ok, done := b.checked[k]; done {
		return ok
	}
	v, ok := vals.Get(int(i))
	ok = ok && v.PubKey.Verify(msg, sig)
	b.checked[k] = ok
	return ok
}

// Flush checks the waiting messages whose height's set is now known, and
// returns how many still wait.
func (b *voteBook) Flush() int {
	b.mu.Lock()
	waiting := b.pending
	b.pending = nil
	b.mu.Unlock()
	for _, p := range waiting {
		if p.vote != nil {
			b.AddVote(p.vote, p.where)
		} else {
			b.AddProposal(p.proposal, p.where)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pending)
}

func target(h *ledger.Hash) string {
	if h == nil {
		return "nil"
	}
	return h.Short()
}

// AddVote records a signed vote found at where.
func (b *voteBook) AddVote(v *ledger.Vote, where string) {
	msg := v.SignBytes(b.chain)
	vals, known := b.sets.At(v.Height)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !known {
		b.pending = append(b.pending, pendingMsg{vote: v, where: where})
		return
	}
	b.counted.votes++
	if !b.valid(vals, v.Height, v.Validator, msg, v.Sig) {
		b.invalid = append(b.invalid, fmt.Sprintf("%s by validator %d at %d/%d for %s (%s): bad signature", v.Type, v.Validator, v.Height, v.Round, target(v.BlockHash), where))
		return
	}
	k := voteKey{v.Validator, v.Type, v.Height, v.Round}
	what := fmt.Sprintf("%s for %s", v.Type, target(v.BlockHash))
	if old, ok := b.votes[k]; !ok {
		b.votes[k] = seen{msg, what, where}
	} else if old.msg != msg {
		b.conflicts = append(b.conflicts, fmt.Sprintf("validator %d signed two %ss at height %d round %d: %s (%s) and %s (%s)",
			v.Validator, v.Type, v.Height, v.Round, old.what, old.where, what, where))
	}
}

// AddProposal records a signed proposal found at where.
func (b *voteBook) AddProposal(p *ledger.Proposal, where string) {
	msg := p.SignBytes(b.chain)
	vals, known := b.sets.At(p.Height)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !known {
		b.pending = append(b.pending, pendingMsg{proposal: p, where: where})
		return
	}
	b.counted.proposals++
	if !b.valid(vals, p.Height, p.Proposer, msg, p.Sig) {
		b.invalid = append(b.invalid, fmt.Sprintf("proposal by validator %d at %d/%d (%s): bad signature", p.Proposer, p.Height, p.Round, where))
		return
	}
	k := proposalKey{p.Proposer, p.Height, p.Round}
	what := fmt.Sprintf("proposal of %s (POL round %d)", p.BlockHash.Short(), p.POLRound)
	if old, ok := b.proposals[k]; !ok {
		b.proposals[k] = seen{msg, what, where}
	} else if old.msg != msg {
		b.conflicts = append(b.conflicts, fmt.Sprintf("validator %d signed two proposals at height %d round %d: %s (%s) and %s (%s)",
			p.Proposer, p.Height, p.Round, old.what, old.where, what, where))
	}
}

// AddCommit records every precommit of a commit certificate.
func (b *voteBook) AddCommit(c *ledger.Commit, where string) {
	if c == nil {
		return
	}
	b.mu.Lock()
	b.counted.commits++
	b.mu.Unlock()
	for i := range c.Sigs {
		b.AddVote(c.Precommit(i), where)
	}
}

// Result returns the double signatures and the invalid signatures found,
// and how many messages were examined.
func (b *voteBook) Result() (conflicts, invalid []string, votes, proposals, commits int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.conflicts...), append([]string(nil), b.invalid...), b.counted.votes, b.counted.proposals, b.counted.commits
}
