package consensus

import (
	"sort"

	"github.com/qianchain/qianchain/consensus/voteset"
	"github.com/qianchain/qianchain/ledger"
)

// maxFutureRounds bounds, per validator, how many rounds above the current
// one may hold its messages. It stops a faulty validator from making the
// machine allocate state for arbitrarily many rounds, while honest
// validators ahead of us (which retransmit every round of the height) still
// get their messages into the rounds we are about to enter.
const maxFutureRounds = 8

// maxProposalsPerRound bounds how many different proposals from one round's
// proposer are kept. The first drives lines 22 and 28; a second (an
// equivocating proposer) is kept so that lines 36 and 49 can still act on it
// if it is the one that gathers votes. Blocks beyond that arrive, if they are
// ever decided, through catch-up.
const maxProposalsPerRound = 2

// roundLog is the message log of one round of the current height.
type roundLog struct {
	prevotes   *voteset.VoteSet
	precommits *voteset.VoteSet
	// proposal is the first valid proposal from the round's proposer; the
	// hashes of all kept proposals are in proposed.
	proposal *ledger.Proposal
	proposed []ledger.Hash
	// senders marks validators that sent any message in the round, and
	// senderPower sums their power: line 55 counts them.
	senders     []bool
	senderPower uint64
	// "for the first time" flags of lines 34, 36 and 47.
	prevoteTimeoutDone   bool
	polkaDone            bool
	precommitTimeoutDone bool
}

func newRoundLog(vals *ledger.ValidatorSet, height uint64, round uint32, relevant func(*ledger.Hash) bool) *roundLog {
	rl := &roundLog{
		prevotes:   voteset.New(vals, ledger.Prevote, height, round),
		precommits: voteset.New(vals, ledger.Precommit, height, round),
		senders:    make([]bool, vals.Size()),
	}
	rl.prevotes.Relevant, rl.precommits.Relevant = relevant, relevant
	return rl
}

func (rl *roundLog) markSender(vals *ledger.ValidatorSet, i int) {
	if rl.senders[i] {
		return
	}
	rl.senders[i] = true
	v, _ := vals.Get(i)
	rl.senderPower += v.Power
}

func (rl *roundLog) wasProposed(h ledger.Hash) bool {
	for _, p := range rl.proposed {
		if p == h {
			return true
		}
	}
	return false
}

// heightLog is the message log of the current height: a round log per round
// seen, kept with the round numbers in increasing order so that every scan
// over rounds is deterministic.
type heightLog struct {
	rounds   map[uint32]*roundLog
	nums     []uint32 // sorted
	relevant func(*ledger.Hash) bool
}

func newHeightLog(relevant func(*ledger.Hash) bool) heightLog {
	return heightLog{rounds: make(map[uint32]*roundLog), relevant: relevant}
}

func (hl *heightLog) get(r uint32) *roundLog { return hl.rounds[r] }

func (hl *heightLog) getOrCreate(vals *ledger.ValidatorSet, height uint64, r uint32) *roundLog {
	if rl := hl.rounds[r]; rl != nil {
		return rl
	}
	rl := newRoundLog(vals, height, r, hl.relevant)
	hl.rounds[r] = rl
	i := sort.Search(len(hl.nums), func(i int) bool { return hl.nums[i] >= r })
	hl.nums = append(hl.nums, 0)
	copy(hl.nums[i+1:], hl.nums[i:])
	hl.nums[i] = r
	return rl
}

// futureRoundsOf counts the rounds above current in which validator i has
// sent something, not counting round except.
func (hl *heightLog) futureRoundsOf(i int, current, except uint32) int {
	n := 0
	for _, r := range hl.nums {
		if r > current && r != except && hl.rounds[r].senders[i] {
			n++
		}
	}
	return n
}
