// Package voteset counts the votes of one type at one height and round, by
// voting power.
//
// A VoteSet is pure bookkeeping: it never verifies a signature. The caller
// (the consensus machine) verifies every vote before adding it, so that the
// counting here can be tested and reasoned about on its own.
//
// Counting rules, all from the Tendermint paper's "2f+1" and "f+1" read as
// fractions of voting power rather than numbers of validators:
//   - "2f+1 votes for v" is the power of the distinct validators that sent a
//     vote for v; "2f+1 votes of any kind" counts each validator once;
//   - an identical copy of a vote is a duplicate and changes nothing;
//   - a second, different vote from the same validator (another block, or
//     nil against a block) is an equivocation: together with the first it
//     becomes DuplicateVoteEvidence that anyone holding the validator set
//     can verify, returned once per validator. It still counts for the value
//     it names, as the paper counts it (the validator did send that
//     message), when that value is one the caller says matters (Relevant:
//     nil, or a block proposed at this height); otherwise it is dropped, so
//     a faulty validator cannot make the set grow without bound.
//     Counting it matters for liveness: a polka that some honest validators
//     saw may include a faulty validator's vote that others first saw
//     contradicted; if they did not count it, they could never accept the
//     proof of lock (Algorithm 1 line 28) that the locked validators wait
//     for. It cannot hurt safety: quorums of two values intersect in more
//     than a third of the power, so in an honest validator, who never votes
//     twice;
//   - a quorum is strictly more than two thirds of the total power
//     (ledger.ValidatorSet.QuorumPower).
//
// With faulty power below a third, at most one value (one block hash, or
// nil) can hold a quorum; Quorum returns the first value that reached one.
package voteset

import (
	"fmt"

	"github.com/qianchain/qianchain/ledger"
)

// VoteSet holds the counted votes of one type at one height and round.
// It is not safe for concurrent use.
type VoteSet struct {
	vals   *ledger.ValidatorSet
	typ    ledger.VoteType
	height uint64
	round  uint32

	votes      [][]*ledger.Vote // by validator index: its first vote, then kept conflicting ones
	conflicted []bool           // by validator index: evidence already returned
	byBlock    map[ledger.Hash]uint64
	nilPower   uint64
	anyPower   uint64
	quorum     *target // the value holding more than 2/3, once one does

	// Relevant says whether a conflicting vote for block (nil: for nil)
	// should still be counted. Nil means: only votes for nil.
	Relevant func(block *ledger.Hash) bool
}

type target struct{ hash *ledger.Hash }

// New returns an empty set for votes of typ at height and round, counted
// against vals.
func New(vals *ledger.ValidatorSet, typ ledger.VoteType, height uint64, round uint32) *VoteSet {
	return &VoteSet{
		vals:       vals,
		typ:        typ,
		height:     height,
		round:      round,
		votes:      make([][]*ledger.Vote, vals.Size()),
		conflicted: make([]bool, vals.Size()),
		byBlock:    make(map[ledger.Hash]uint64),
	}
}

// Outcome says what Add did with a vote.
type Outcome uint8

const (
	// Counted: the validator's first vote in this set; its power now counts
	// for the vote's value and for "any".
	Counted Outcome = iota + 1
	// Duplicate: the same vote was already there; nothing changed.
	Duplicate
	// ConflictCounted: the validator had voted differently; this vote also
	// counts for its own value. Evidence is returned the first time.
	ConflictCounted
	// ConflictDropped: the validator had voted differently and this vote's
	// value is not relevant; it is not kept. Evidence is returned the first
	// time.
	ConflictDropped
)

// Add adds a vote whose signature the caller has verified. It returns an
// error, and changes nothing, for a vote of another type, height or round,
// or one naming a validator outside the set.
func (s *VoteSet) Add(v *ledger.Vote) (Outcome, *ledger.DuplicateVoteEvidence, error) {
	if v.Type != s.typ || v.Height != s.height || v.Round != s.round {
		return 0, nil, fmt.Errorf("voteset: %s at height %d round %d does not belong in the %s set of height %d round %d",
			v.Type, v.Height, v.Round, s.typ, s.height, s.round)
	}
	i := int(v.Validator)
	val, ok := s.vals.Get(i)
	if !ok {
		return 0, nil, fmt.Errorf("voteset: validator index %d is not in the set of %d", i, s.vals.Size())
	}
	if s.Has(v) {
		// The same vote again (an honest retransmission, or a re-signed
		// identical vote with the same deterministic signature): ignore.
		return Duplicate, nil, nil
	}
	prev := s.votes[i]
	var ev *ledger.DuplicateVoteEvidence
	if len(prev) > 0 && !s.conflicted[i] {
		s.conflicted[i] = true
		ev = ledger.NewDuplicateVoteEvidence(val.PubKey, copyVote(prev[0]), copyVote(v))
	}
	outcome := Counted
	if len(prev) > 0 {
		if v.BlockHash != nil && (s.Relevant == nil || !s.Relevant(v.BlockHash)) {
			return ConflictDropped, ev, nil
		}
		outcome = ConflictCounted
	} else {
		s.anyPower += val.Power
	}
	s.votes[i] = append(prev, copyVote(v))
	var p uint64
	if v.BlockHash == nil {
		s.nilPower += val.Power
		p = s.nilPower
	} else {
		s.byBlock[*v.BlockHash] += val.Power
		p = s.byBlock[*v.BlockHash]
	}
	if s.quorum == nil && p >= s.vals.QuorumPower() {
		s.quorum = &target{hash: copyHash(v.BlockHash)}
	}
	return outcome, ev, nil
}

// Has reports whether the set holds a vote of v's validator for v's value.
func (s *VoteSet) Has(v *ledger.Vote) bool {
	i := int(v.Validator)
	if i < 0 || i >= len(s.votes) {
		return false
	}
	for _, p := range s.votes[i] {
		if sameTarget(p.BlockHash, v.BlockHash) {
			return true
		}
	}
	return false
}

// Power is the power of the counted votes for block (nil: votes for nil).
func (s *VoteSet) Power(block *ledger.Hash) uint64 {
	if block == nil {
		return s.nilPower
	}
	return s.byBlock[*block]
}

// AnyPower is the power of all counted votes, whatever they are for.
func (s *VoteSet) AnyPower() uint64 { return s.anyPower }

// HasQuorumAny reports whether the counted votes, whatever they are for, hold
// more than two thirds of the power (Algorithm 1's "2f+1 ⟨·, *⟩").
func (s *VoteSet) HasQuorumAny() bool { return s.anyPower >= s.vals.QuorumPower() }

// HasQuorumFor reports whether the votes for block (nil: for nil) hold more
// than two thirds of the power.
func (s *VoteSet) HasQuorumFor(block *ledger.Hash) bool {
	return s.Power(block) >= s.vals.QuorumPower()
}

// Quorum returns the value holding more than two thirds of the power: a block
// hash, or nil for nil. ok is false while no value holds a quorum.
func (s *VoteSet) Quorum() (block *ledger.Hash, ok bool) {
	if s.quorum == nil {
		return nil, false
	}
	return copyHash(s.quorum.hash), true
}

// Get returns the first vote of validator i, or nil.
func (s *VoteSet) Get(i int) *ledger.Vote {
	if i < 0 || i >= len(s.votes) || len(s.votes[i]) == 0 {
		return nil
	}
	return s.votes[i][0]
}

// VotesFor returns the counted votes for block (nil: for nil) in increasing
// validator order. The votes are shared; callers must not modify them.
func (s *VoteSet) VotesFor(block *ledger.Hash) []*ledger.Vote {
	var out []*ledger.Vote
	for _, vs := range s.votes {
		for _, v := range vs {
			if sameTarget(v.BlockHash, block) {
				out = append(out, v)
			}
		}
	}
	return out
}

// All returns every kept vote in increasing validator order (a validator's
// first vote before its conflicting ones). The votes are shared; callers
// must not modify them.
func (s *VoteSet) All() []*ledger.Vote {
	var out []*ledger.Vote
	for _, vs := range s.votes {
		out = append(out, vs...)
	}
	return out
}

// Commit builds the commit certificate for block from the counted
// precommits, or returns nil when this is not a precommit set or block does
// not hold a quorum.
func (s *VoteSet) Commit(block ledger.Hash) *ledger.Commit {
	if s.typ != ledger.Precommit || !s.HasQuorumFor(&block) {
		return nil
	}
	c := &ledger.Commit{Height: s.height, Round: s.round, BlockHash: block}
	for _, v := range s.VotesFor(&block) {
		c.Sigs = append(c.Sigs, ledger.CommitSig{Validator: v.Validator, Sig: v.Sig})
	}
	return c
}

func sameTarget(x, y *ledger.Hash) bool {
	if x == nil || y == nil {
		return x == nil && y == nil
	}
	return *x == *y
}

func copyHash(h *ledger.Hash) *ledger.Hash {
	if h == nil {
		return nil
	}
	c := *h
	return &c
}

func copyVote(v *ledger.Vote) *ledger.Vote {
	c := *v
	c.BlockHash = copyHash(v.BlockHash)
	return &c
}
