package consensus

import (
	"fmt"
	"time"

	"github.com/qianchain/qianchain/ledger"
)

// Step is the machine's step within a round (Algorithm 1's step_p), plus the
// two states around a height.
type Step uint8

const (
	// StepNone: no height started yet.
	StepNone Step = 0
	// StepPropose, StepPrevote, StepPrecommit are the steps of a round.
	StepPropose   Step = 1
	StepPrevote   Step = 2
	StepPrecommit Step = 3
	// StepDecided: the height is decided; the machine waits for the caller
	// to store the block and start the next height.
	StepDecided Step = 4
)

func (s Step) String() string {
	switch s {
	case StepNone:
		return "none"
	case StepPropose:
		return "propose"
	case StepPrevote:
		return "prevote"
	case StepPrecommit:
		return "precommit"
	case StepDecided:
		return "decided"
	}
	return fmt.Sprintf("Step(%d)", uint8(s))
}

// Observer is the Self index of a machine that follows consensus without
// voting or proposing.
const Observer = -1

// Input is one thing that happened to the machine. The concrete types are
// StartHeight, ProposalMessage, VoteMessage, TimeoutFired, BlockToPropose,
// CatchUp and Retransmit.
type Input interface{ isInput() }

// StartHeight starts a height: the first input, and after each decision the
// input that says "height-1 is executed and stored". Self is this node's
// index in Validators, or Observer.
type StartHeight struct {
	Height     uint64
	Validators *ledger.ValidatorSet
	Self       int
}

// ProposalMessage is a signed proposal and the block it names, from the
// network or (after signing) from this node itself.
type ProposalMessage struct {
	Proposal *ledger.Proposal
	Block    *ledger.Block
}

// VoteMessage is a signed prevote or precommit, from the network or (after
// signing) from this node itself.
type VoteMessage struct {
	Vote *ledger.Vote
}

// TimeoutFired reports that a timeout from Ready.Timeouts has expired.
type TimeoutFired struct {
	Timeout Timeout
}

// BlockToPropose answers a Ready.ProposalRequest with the block to propose.
type BlockToPropose struct {
	Height uint64
	Round  uint32
	Block  *ledger.Block
}

// CatchUp hands the machine a decided block and a commit certificate for
// its current height, obtained from a peer that is ahead. The machine
// verifies the commit and decides the block as if it had seen the precommits
// itself.
type CatchUp struct {
	Block  *ledger.Block
	Commit *ledger.Commit
}

// Retransmit asks the machine to re-send its own signed messages of the
// current height, and the polka it holds for its valid value, so that a
// lossy network still delivers everything Algorithm 1 assumes gossip
// delivers. It changes no state.
type Retransmit struct{}

func (StartHeight) isInput()     {}
func (ProposalMessage) isInput() {}
func (VoteMessage) isInput()     {}
func (TimeoutFired) isInput()    {}
func (BlockToPropose) isInput()  {}
func (CatchUp) isInput()         {}
func (Retransmit) isInput()      {}

// Message is a proposal with its block, or a vote: what the machine asks to
// have signed (Ready.Sign, unsigned) or sent as is (Ready.Send, signed).
type Message struct {
	Proposal *ledger.Proposal // with Block
	Block    *ledger.Block
	Vote     *ledger.Vote
}

func (m Message) String() string {
	if m.Vote != nil {
		return voteString(m.Vote)
	}
	if m.Proposal != nil {
		return fmt.Sprintf("proposal h=%d r=%d pol=%d block=%s from=%d", m.Proposal.Height, m.Proposal.Round, m.Proposal.POLRound, m.Proposal.BlockHash.Short(), m.Proposal.Proposer)
	}
	return "empty message"
}

func voteString(v *ledger.Vote) string {
	b := "nil"
	if v.BlockHash != nil {
		b = v.BlockHash.Short()
	}
	return fmt.Sprintf("%s h=%d r=%d block=%s from=%d", v.Type, v.Height, v.Round, b, v.Validator)
}

// Timeout is a timeout to schedule: after Duration, the caller steps
// TimeoutFired{Timeout} into the machine. Timeouts that no longer matter are
// ignored when they fire, so the caller never needs to cancel one.
type Timeout struct {
	Height   uint64
	Round    uint32
	Step     Step // StepPropose, StepPrevote or StepPrecommit
	Duration time.Duration
}

// ProposalRequest asks the caller for a block to propose at Height and
// Round (Algorithm 1's getValue(), line 18). The caller builds the header,
// then steps BlockToPropose. A late answer is ignored.
type ProposalRequest struct {
	Height uint64
	Round  uint32
}

// Decision is a decided block with a commit certificate that verifies
// against the height's validator set.
type Decision struct {
	Height uint64
	Round  uint32
	Block  *ledger.Block
	Commit *ledger.Commit
}

// State is the part of the machine's state that the caller persists (in the
// WAL) before it signs or sends anything the state led to. Replaying the
// WAL's inputs must reproduce it exactly; the driver checks that.
type State struct {
	Height      uint64
	Round       uint32
	Step        Step
	LockedRound int32 // -1: not locked
	LockedHash  *ledger.Hash
	ValidRound  int32 // -1: no valid value
	ValidHash   *ledger.Hash
}

// Equal reports whether s and o are the same state.
func (s State) Equal(o State) bool {
	return s.Height == o.Height && s.Round == o.Round && s.Step == o.Step &&
		s.LockedRound == o.LockedRound && sameHash(s.LockedHash, o.LockedHash) &&
		s.ValidRound == o.ValidRound && sameHash(s.ValidHash, o.ValidHash)
}

func (s State) String() string {
	lk, vl := "nil", "nil"
	if s.LockedHash != nil {
		lk = s.LockedHash.Short()
	}
	if s.ValidHash != nil {
		vl = s.ValidHash.Short()
	}
	return fmt.Sprintf("h=%d r=%d step=%s locked=%d/%s valid=%d/%s", s.Height, s.Round, s.Step, s.LockedRound, lk, s.ValidRound, vl)
}

// Ready is everything the machine produced since the last call to Ready.
// The caller handles it in this order:
//
//  1. State: append it to the WAL; if Sign or Send is non-empty, or Decision
//     is set, sync the WAL before going on. Everything that led to a message
//     is then durable, so a restart replays into the same state.
//  2. Sign, in order: sign each message with the crash-safe signer (which
//     persists before it returns the signature); append the signed message
//     to the WAL with a synced write; broadcast it; step it back into the
//     machine as a ProposalMessage or VoteMessage. If the signer refuses,
//     drop the message.
//  3. Send: broadcast these signed messages as they are.
//  4. Timeouts: schedule each.
//  5. ProposalRequest: build a block, then step BlockToPropose.
//  6. Evidence: hand it to whatever puts evidence into blocks.
//  7. Decision: execute and store the block with its commit (synced), mark
//     the next height in the WAL, then step StartHeight for the next height.
//
// Stepping an input while handling a Ready is allowed; its outputs appear in
// the next Ready.
type Ready struct {
	State           *State
	Sign            []Message
	Send            []Message
	Timeouts        []Timeout
	ProposalRequest *ProposalRequest
	Evidence        []*ledger.DuplicateVoteEvidence
	Decision        *Decision
}

// IsEmpty reports whether r holds nothing to do.
func (r *Ready) IsEmpty() bool {
	return r.State == nil && len(r.Sign) == 0 && len(r.Send) == 0 && len(r.Timeouts) == 0 &&
		r.ProposalRequest == nil && len(r.Evidence) == 0 && r.Decision == nil
}

func sameHash(x, y *ledger.Hash) bool {
	if x == nil || y == nil {
		return x == nil && y == nil
	}
	return *x == *y
}
