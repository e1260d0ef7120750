package consensus

import (
	"fmt"

	"github.com/qianchain/qianchain/consensus/voteset"
	"github.com/qianchain/qianchain/ledger"
)

// Machine is the Tendermint consensus algorithm (Algorithm 1 of Buchman,
// Kwon and Milosevic, "The latest gossip on BFT consensus") for one node, as
// a deterministic state machine. See doc.go for the contract with its
// caller. A Machine is not safe for concurrent use: one goroutine owns it.
type Machine struct {
	cfg      Config
	app      Application
	verifier Verifier

	// Algorithm 1's variables for the current height (h_p, round_p, step_p,
	// lockedValue_p, lockedRound_p, validValue_p, validRound_p).
	height      uint64
	vals        *ledger.ValidatorSet
	self        int
	round       uint32
	step        Step
	lockedRound int32
	lockedBlock *ledger.Block
	lockedHash  ledger.Hash
	validRound  int32
	validBlock  *ledger.Block
	validHash   ledger.Hash

	log    heightLog
	blocks map[ledger.Hash]*blockEntry // every block proposed at this height, by hash
	own    []Message                   // this node's own signed messages of this height, in order
	future []Input                     // messages for height+1, kept until it starts

	requestedRound int64 // round of the last ProposalRequest, -1 if none
	proposedRound  int64 // round of the last proposal emitted, -1 if none

	ready    Ready
	reported State
}

type blockEntry struct {
	block   *ledger.Block
	checked bool
	err     error // nil: valid
}

// NewMachine returns a machine that has not started a height: step
// StartHeight into it first.
func NewMachine(cfg Config, app Application) (*Machine, error) {
	if err := cfg.Chain.Validate(); err != nil {
		return nil, fmt.Errorf("consensus: %w", err)
	}
	if err := cfg.Timeouts.validate(); err != nil {
		return nil, err
	}
	if app == nil {
		return nil, fmt.Errorf("consensus: nil application")
	}
	m := &Machine{cfg: cfg, app: app, verifier: cfg.Verifier}
	if m.verifier == nil {
		m.verifier = KeyVerifier{}
	}
	m.reset()
	return m, nil
}

func (m *Machine) reset() {
	m.round = 0
	m.lockedRound, m.lockedBlock, m.lockedHash = -1, nil, ledger.Hash{}
	m.validRound, m.validBlock, m.validHash = -1, nil, ledger.Hash{}
	m.log = newHeightLog(m.relevant)
	m.blocks = make(map[ledger.Hash]*blockEntry)
	m.own = nil
	m.requestedRound, m.proposedRound = -1, -1
}

// Height is the current height (0 before the first StartHeight).
func (m *Machine) Height() uint64 { return m.height }

// Round is the current round.
func (m *Machine) Round() uint32 { return m.round }

// Validators is the current height's validator set (nil before the first
// StartHeight).
func (m *Machine) Validators() *ledger.ValidatorSet { return m.vals }

// State returns the persistent part of the machine's state.
func (m *Machine) State() State {
	s := State{Height: m.height, Round: m.round, Step: m.step, LockedRound: m.lockedRound, ValidRound: m.validRound}
	if m.lockedBlock != nil {
		s.LockedHash = copyHash(&m.lockedHash)
	}
	if m.validBlock != nil {
		s.ValidHash = copyHash(&m.validHash)
	}
	return s
}

// NextHeightMessages returns the messages for the next height that the
// machine keeps until that height starts; StartHeight steps them in. A
// caller with a WAL logs them after the next height's marker so that a
// replay of that height sees them too.
func (m *Machine) NextHeightMessages() []Message {
	out := make([]Message, 0, len(m.future))
	for _, in := range m.future {
		switch in := in.(type) {
		case ProposalMessage:
			out = append(out, Message{Proposal: in.Proposal, Block: in.Block})
		case VoteMessage:
			out = append(out, Message{Vote: in.Vote})
		}
	}
	return out
}

// Holds reports whether the machine already holds msg (a vote it counted,
// or the proposal it keeps for that round), so that stepping it again would
// change nothing. The driver uses it to keep retransmitted copies out of
// the WAL.
func (m *Machine) Holds(msg Message) bool {
	switch {
	case m.step == StepNone:
		return false
	case msg.Vote != nil:
		v := msg.Vote
		rl := m.log.get(v.Round)
		if v.Height != m.height || rl == nil {
			return false
		}
		if v.Type == ledger.Precommit {
			return rl.precommits.Has(v)
		}
		return v.Type == ledger.Prevote && rl.prevotes.Has(v)
	case msg.Proposal != nil:
		p := msg.Proposal
		rl := m.log.get(p.Round)
		return p.Height == m.height && rl != nil && rl.proposal != nil &&
			rl.proposal.BlockHash == p.BlockHash && rl.proposal.POLRound == p.POLRound
	}
	return false
}

// HasReady reports whether Ready would return anything.
func (m *Machine) HasReady() bool { return !m.ready.IsEmpty() }

// Ready returns what the machine produced since the last call and forgets
// it. See the Ready type for the order in which the caller must act on it.
func (m *Machine) Ready() Ready {
	r := m.ready
	m.ready = Ready{}
	return r
}

// Step hands one input to the machine. A returned error means the input was
// rejected and changed nothing, except that a rejected message may still
// have been recorded as evidence; the error carries a stable Code.
// Rejections are normal on an open network and never fatal.
func (m *Machine) Step(in Input) error {
	var err error
	switch in := in.(type) {
	case StartHeight:
		err = m.startHeight(in)
	case ProposalMessage:
		err = m.onProposal(in)
	case VoteMessage:
		err = m.onVote(in)
	case TimeoutFired:
		err = m.onTimeout(in.Timeout)
	case BlockToPropose:
		err = m.onBlockToPropose(in)
	case CatchUp:
		err = m.onCatchUp(in)
	case Retransmit:
		m.onRetransmit()
	case nil:
		err = reject(CodeMalformed, "nil input")
	default:
		err = reject(CodeMalformed, fmt.Sprintf("unknown input %T", in))
	}
	m.progress()
	if s := m.State(); !s.Equal(m.reported) {
		m.reported = s
		m.ready.State = &s
	}
	return err
}

// startHeight resets the machine for a new height and starts round 0
// (line 10 for the first height; lines 52-54 for the next ones, which the
// caller triggers after storing the decided block).
func (m *Machine) startHeight(in StartHeight) error {
	if in.Validators == nil || in.Height == 0 {
		return reject(CodeMalformed, "start height needs a height of at least 1 and a validator set")
	}
	if in.Self != Observer && (in.Self < 0 || in.Self >= in.Validators.Size()) {
		return reject(CodeMalformed, fmt.Sprintf("self index %d is outside the set of %d", in.Self, in.Validators.Size()))
	}
	if m.step != StepNone && in.Height <= m.height {
		return reject(CodeStaleHeight, fmt.Sprintf("start height %d: already at height %d", in.Height, m.height))
	}
	next := m.height + 1
	pending := m.future
	m.future = nil
	m.height, m.vals, m.self = in.Height, in.Validators, in.Self
	m.reset()
	m.startRound(0)
	if in.Height == next {
		for _, msg := range pending {
			_ = m.Step(msg) // a buffered message that fails now is dropped, as if it had just arrived
		}
	}
	return nil
}

// startRound is StartRound (lines 11-21).
func (m *Machine) startRound(r uint32) {
	m.round = r
	m.step = StepPropose
	m.log.getOrCreate(m.vals, m.height, r)
	if m.self != Observer && Proposer(m.vals, m.height, r) == m.self {
		if m.validBlock != nil {
			m.emitProposal(m.validBlock, m.validHash, m.validRound) // lines 15-16, 19
		} else if m.requestedRound != int64(r) {
			m.requestedRound = int64(r) // line 18: getValue(), answered by BlockToPropose
			m.ready.ProposalRequest = &ProposalRequest{Height: m.height, Round: r}
		}
	}
	// Line 21 schedules the propose timeout only at non-proposers. We
	// schedule it at the proposer too: if its block never comes (the
	// application is slow, or its signer refused), the proposer then
	// prevotes nil like everyone else instead of sitting out the round.
	m.schedule(StepPropose, r)
}

func (m *Machine) schedule(step Step, r uint32) {
	m.ready.Timeouts = append(m.ready.Timeouts, Timeout{Height: m.height, Round: r, Step: step, Duration: m.cfg.Timeouts.For(step, r)})
}

func (m *Machine) emitProposal(b *ledger.Block, h ledger.Hash, pol int32) {
	if m.proposedRound == int64(m.round) {
		return
	}
	m.proposedRound = int64(m.round)
	p := &ledger.Proposal{Height: m.height, Round: m.round, POLRound: pol, BlockHash: h, Proposer: uint16(m.self)}
	m.ready.Sign = append(m.ready.Sign, Message{Proposal: p, Block: b})
}

func (m *Machine) emitVote(t ledger.VoteType, block *ledger.Hash) {
	if m.self == Observer {
		return
	}
	v := &ledger.Vote{Type: t, Height: m.height, Round: m.round, BlockHash: copyHash(block), Validator: uint16(m.self)}
	m.ready.Sign = append(m.ready.Sign, Message{Vote: v})
}

// checkHeight sorts a message by height: nil for the current height;
// otherwise it buffers a next-height message (returning errBuffered) or
// rejects it.
func (m *Machine) checkHeight(h uint64, in Input) error {
	switch {
	case m.step == StepNone:
		return reject(CodeNotStarted, "no height started")
	case h == m.height:
		return nil
	case h < m.height:
		return reject(CodeStaleHeight, fmt.Sprintf("message for height %d, at height %d", h, m.height))
	case h == m.height+1:
		limit := m.cfg.MaxFutureMessages
		if limit == 0 {
			limit = 64 + 4*m.vals.Size()
		}
		if len(m.future) >= limit {
			return reject(CodeFutureHeight, fmt.Sprintf("next-height buffer full (%d messages)", limit))
		}
		m.future = append(m.future, in)
		return errBuffered
	default:
		return reject(CodeFutureHeight, fmt.Sprintf("message for height %d, at height %d", h, m.height))
	}
}

// errBuffered is internal: the message was kept for the next height.
var errBuffered = &Error{Code: "buffered", Msg: "kept for the next height"}

// admitRound checks the per-validator future round bound before a message
// from validator i may create state for round r.
func (m *Machine) admitRound(i int, r uint32) error {
	if r > ledger.MaxRound {
		return reject(CodeMalformed, fmt.Sprintf("round %d exceeds limit %d", r, ledger.MaxRound))
	}
	if r <= m.round {
		return nil
	}
	if rl := m.log.get(r); rl != nil && rl.senders[i] {
		return nil
	}
	if m.log.futureRoundsOf(i, m.round, r) >= maxFutureRounds {
		return reject(CodeRoundLimit, fmt.Sprintf("validator %d already has messages in %d rounds above round %d", i, maxFutureRounds, m.round))
	}
	return nil
}

func (m *Machine) onVote(in VoteMessage) error {
	v := in.Vote
	if v == nil {
		return reject(CodeMalformed, "vote message without a vote")
	}
	if v.Type != ledger.Prevote && v.Type != ledger.Precommit {
		return reject(CodeMalformed, fmt.Sprintf("unknown vote type %d", v.Type))
	}
	if err := m.checkHeight(v.Height, in); err != nil {
		if err == errBuffered {
			return nil
		}
		return err
	}
	i := int(v.Validator)
	val, ok := m.vals.Get(i)
	if !ok {
		return reject(CodeUnknownValidator, fmt.Sprintf("validator index %d, set has %d", i, m.vals.Size()))
	}
	if err := m.admitRound(i, v.Round); err != nil {
		return err
	}
	if rl := m.log.get(v.Round); rl != nil {
		set := rl.prevotes
		if v.Type == ledger.Precommit {
			set = rl.precommits
		}
		if set.Has(v) {
			// A copy of a vote we hold (retransmissions make these
			// common): nothing to learn, so skip the signature check.
			return nil
		}
	}
	if !m.verifier.Verify(val.PubKey, v.SignBytes(m.cfg.Chain), v.Sig) {
		return reject(CodeBadSignature, voteString(v))
	}
	rl := m.log.getOrCreate(m.vals, m.height, v.Round)
	set := rl.prevotes
	if v.Type == ledger.Precommit {
		set = rl.precommits
	}
	outcome, ev, err := set.Add(v)
	if err != nil {
		return reject(CodeMalformed, err.Error())
	}
	if ev != nil {
		m.ready.Evidence = append(m.ready.Evidence, ev)
	}
	switch outcome {
	case voteset.Counted:
		rl.markSender(m.vals, i)
		if i == m.self {
			m.own = append(m.own, Message{Vote: set.Get(i)})
		}
	case voteset.ConflictCounted:
		rl.markSender(m.vals, i)
	}
	return nil
}

func (m *Machine) onProposal(in ProposalMessage) error {
	p, b := in.Proposal, in.Block
	if p == nil || b == nil {
		return reject(CodeMalformed, "proposal message needs a proposal and its block")
	}
	if p.POLRound < -1 || (p.POLRound >= 0 && uint32(p.POLRound) >= p.Round) {
		return reject(CodeMalformed, fmt.Sprintf("proposal pol_round %d with round %d", p.POLRound, p.Round))
	}
	if err := m.checkHeight(p.Height, in); err != nil {
		if err == errBuffered {
			return nil
		}
		return err
	}
	i := int(p.Proposer)
	val, ok := m.vals.Get(i)
	if !ok {
		return reject(CodeUnknownValidator, fmt.Sprintf("proposer index %d, set has %d", i, m.vals.Size()))
	}
	if want := Proposer(m.vals, m.height, p.Round); want != i {
		return reject(CodeNotProposer, fmt.Sprintf("validator %d proposed for round %d, whose proposer is %d", i, p.Round, want))
	}
	if err := m.admitRound(i, p.Round); err != nil {
		return err
	}
	if got := b.Hash(); got != p.BlockHash {
		return reject(CodeBlockMismatch, fmt.Sprintf("proposal names block %s, carries %s", p.BlockHash.Short(), got.Short()))
	}
	if err := m.checkContents(b); err != nil {
		return err
	}
	if rl := m.log.get(p.Round); rl != nil {
		if rl.proposal != nil && rl.proposal.BlockHash == p.BlockHash && rl.proposal.POLRound == p.POLRound {
			return nil // a copy of the proposal we hold
		}
		if rl.wasProposed(p.BlockHash) || len(rl.proposed) >= maxProposalsPerRound {
			return nil // an equivocating proposer's extra proposals add nothing we can use
		}
	}
	if !m.verifier.Verify(val.PubKey, p.SignBytes(m.cfg.Chain), p.Sig) {
		return reject(CodeBadSignature, fmt.Sprintf("proposal h=%d r=%d from %d", p.Height, p.Round, i))
	}
	rl := m.log.getOrCreate(m.vals, m.height, p.Round)
	cp := *p
	rl.proposed = append(rl.proposed, p.BlockHash)
	if rl.proposal == nil {
		rl.proposal = &cp
		if i == m.self {
			m.own = append(m.own, Message{Proposal: &cp, Block: b})
		}
	}
	rl.markSender(m.vals, i)
	if m.blocks[p.BlockHash] == nil {
		m.blocks[p.BlockHash] = &blockEntry{block: b}
	}
	return nil
}

// relevant says whether a faulty validator's second vote for block should
// still be counted: yes for nil and for blocks proposed at this height, the
// only values the upon-rules can act on.
func (m *Machine) relevant(block *ledger.Hash) bool {
	return block == nil || m.blocks[*block] != nil
}

// valid is Algorithm 1's valid(v) for the block with hash h, computed once
// per block. A block the machine has not seen is not valid (yet).
func (m *Machine) valid(h ledger.Hash) bool {
	e := m.blocks[h]
	if e == nil {
		return false
	}
	if !e.checked {
		e.checked = true
		e.err = m.checkBlock(e.block)
	}
	return e.err == nil
}

// checkContents is checked when a block arrives, before it is kept: the
// block must be for this chain and height, and its header (whose hash is the
// block's identity) must commit to exactly these contents. Otherwise a copy
// with altered transactions or commit under a genuine header could be kept,
// or decided, in place of the real block. A block failing this is a
// malformed message, not a proposed value: nothing is recorded.
func (m *Machine) checkContents(b *ledger.Block) error {
	hd := &b.Header
	if hd.ChainID != m.cfg.Chain.ChainID() {
		return reject(CodeInvalidBlock, fmt.Sprintf("block is for chain %q", hd.ChainID))
	}
	if hd.Height != m.height {
		return reject(CodeInvalidBlock, fmt.Sprintf("block is for height %d, deciding %d", hd.Height, m.height))
	}
	if err := b.ValidateContents(); err != nil {
		return reject(CodeBlockMismatch, err.Error())
	}
	return nil
}

// checkBlock is the application's half of valid(v).
func (m *Machine) checkBlock(b *ledger.Block) error {
	if err := m.app.ValidateBlock(b); err != nil {
		return reject(CodeInvalidBlock, err.Error())
	}
	return nil
}

func (m *Machine) onTimeout(t Timeout) error {
	if m.step == StepNone || m.step == StepDecided || t.Height != m.height || t.Round != m.round {
		return nil // a timeout that no longer matters
	}
	switch t.Step {
	case StepPropose: // lines 57-60
		if m.step == StepPropose {
			m.emitVote(ledger.Prevote, nil)
			m.step = StepPrevote
		}
	case StepPrevote: // lines 61-64
		if m.step == StepPrevote {
			m.emitVote(ledger.Precommit, nil)
			m.step = StepPrecommit
		}
	case StepPrecommit: // lines 65-67
		if m.round < ledger.MaxRound {
			m.startRound(m.round + 1)
		}
	default:
		return reject(CodeMalformed, fmt.Sprintf("timeout for step %s", t.Step))
	}
	return nil
}

func (m *Machine) onBlockToPropose(in BlockToPropose) error {
	if in.Block == nil {
		return reject(CodeMalformed, "block to propose is nil")
	}
	if m.step != StepPropose || in.Height != m.height || in.Round != m.round || m.requestedRound != int64(m.round) {
		return nil // too late: the round moved on
	}
	m.emitProposal(in.Block, in.Block.Hash(), m.validRound)
	return nil
}

func (m *Machine) onCatchUp(in CatchUp) error {
	b, c := in.Block, in.Commit
	if b == nil || c == nil {
		return reject(CodeMalformed, "catch-up needs a block and a commit")
	}
	switch {
	case m.step == StepNone:
		return reject(CodeNotStarted, "no height started")
	case c.Height < m.height:
		return reject(CodeStaleHeight, fmt.Sprintf("catch-up for height %d, at height %d", c.Height, m.height))
	case c.Height > m.height:
		return reject(CodeFutureHeight, fmt.Sprintf("catch-up for height %d, at height %d", c.Height, m.height))
	}
	if m.step == StepDecided {
		return nil
	}
	if got := b.Hash(); got != c.BlockHash {
		return reject(CodeBlockMismatch, fmt.Sprintf("commit names block %s, carries %s", c.BlockHash.Short(), got.Short()))
	}
	if err := m.checkContents(b); err != nil {
		return err
	}
	if err := m.verifyCommit(c); err != nil {
		return err
	}
	e := m.blocks[c.BlockHash]
	if e == nil {
		e = &blockEntry{block: b}
		m.blocks[c.BlockHash] = e
	}
	if !m.valid(c.BlockHash) { // line 50
		return e.err
	}
	// Decide the block object that was checked: another object with the
	// same header may carry different contents.
	m.decide(c.Round, e.block, cloneCommit(c))
	return nil
}

// verifyCommit is ledger.Commit.Verify through the machine's verifier.
func (m *Machine) verifyCommit(c *ledger.Commit) error {
	var power uint64
	last := -1
	for k, s := range c.Sigs {
		i := int(s.Validator)
		if i <= last {
			return reject(CodeBadCommit, "signers not in strictly increasing order")
		}
		last = i
		v, ok := m.vals.Get(i)
		if !ok {
			return reject(CodeBadCommit, fmt.Sprintf("signer %d is not in the set of %d", i, m.vals.Size()))
		}
		pc := c.Precommit(k)
		if !m.verifier.Verify(v.PubKey, pc.SignBytes(m.cfg.Chain), s.Sig) {
			return reject(CodeBadCommit, fmt.Sprintf("precommit of validator %d does not verify", i))
		}
		power += v.Power
	}
	if power < m.vals.QuorumPower() {
		return reject(CodeBadCommit, fmt.Sprintf("signers hold %d of %d power, need %d", power, m.vals.TotalPower(), m.vals.QuorumPower()))
	}
	return nil
}

func (m *Machine) decide(r uint32, b *ledger.Block, c *ledger.Commit) {
	m.step = StepDecided
	m.ready.Decision = &Decision{Height: m.height, Round: r, Block: b, Commit: c}
}

func (m *Machine) onRetransmit() {
	if m.step == StepNone {
		return
	}
	m.ready.Send = append(m.ready.Send, m.own...)
	// Relay the polka behind our valid value: if some of its prevotes came
	// from validators that will not retransmit them (faulty, or crashed),
	// a validator locked on another value could otherwise never see the
	// proof line 28 asks for, and the round could never succeed.
	if m.validBlock != nil && m.step != StepDecided {
		for _, v := range m.log.get(uint32(m.validRound)).prevotes.VotesFor(&m.validHash) {
			if int(v.Validator) != m.self {
				m.ready.Send = append(m.ready.Send, Message{Vote: v})
			}
		}
	}
}

// progress applies Algorithm 1's upon-rules until none fires. The order is
// fixed, so the outcome depends only on the inputs: decisions first, then
// round skips, then the rules of the current round in line order.
func (m *Machine) progress() {
	for m.step != StepNone && m.step != StepDecided {
		if m.ruleDecide() || m.ruleSkipRound() || m.ruleProposal() || m.rulePrevoteTimeout() ||
			m.rulePolka() || m.ruleNilPolka() || m.rulePrecommitTimeout() {
			continue
		}
		return
	}
}

// ruleDecide is lines 49-54 (the reset and StartRound(0) of lines 52-54 wait
// for the caller's StartHeight): a block with precommits from more than
// two thirds in some round is decided, if it is valid. The block may have
// come with any proposal of this height: its hash is its identity.
func (m *Machine) ruleDecide() bool {
	for _, r := range m.log.nums {
		rl := m.log.rounds[r]
		h, ok := rl.precommits.Quorum()
		if !ok || h == nil || !m.valid(*h) {
			continue
		}
		m.decide(r, m.blocks[*h].block, rl.precommits.Commit(*h))
		return true
	}
	return false
}

// ruleSkipRound is lines 55-56: messages from more than a third of the
// power in a higher round mean at least one honest validator is there.
// Jump to the highest such round.
func (m *Machine) ruleSkipRound() bool {
	for k := len(m.log.nums) - 1; k >= 0; k-- {
		r := m.log.nums[k]
		if r <= m.round {
			return false
		}
		if m.log.rounds[r].senderPower >= m.vals.OneThirdPower() {
			m.startRound(r)
			return true
		}
	}
	return false
}

// ruleProposal is lines 22-27 (a fresh proposal) and 28-33 (a proposal of a
// value with a polka in round vr).
func (m *Machine) ruleProposal() bool {
	if m.step != StepPropose {
		return false
	}
	rl := m.log.get(m.round)
	p := rl.proposal
	if p == nil {
		return false
	}
	h := p.BlockHash
	if p.POLRound < 0 { // line 22
		if m.valid(h) && (m.lockedRound == -1 || m.lockedIs(h)) { // line 23
			m.emitVote(ledger.Prevote, &h) // line 24
		} else {
			m.emitVote(ledger.Prevote, nil) // line 26
		}
		m.step = StepPrevote // line 27
		return true
	}
	vr := uint32(p.POLRound) // line 28: vr >= 0 and vr < round_p (checked on receipt)
	pol := m.log.get(vr)
	if pol == nil || !pol.prevotes.HasQuorumFor(&h) {
		return false
	}
	if m.valid(h) && (m.lockedRound <= p.POLRound || m.lockedIs(h)) { // line 29
		m.emitVote(ledger.Prevote, &h) // line 30
	} else {
		m.emitVote(ledger.Prevote, nil) // line 32
	}
	m.step = StepPrevote // line 33
	return true
}

func (m *Machine) lockedIs(h ledger.Hash) bool {
	return m.lockedBlock != nil && m.lockedHash == h
}

// rulePrevoteTimeout is lines 34-35.
func (m *Machine) rulePrevoteTimeout() bool {
	rl := m.log.get(m.round)
	if m.step != StepPrevote || rl.prevoteTimeoutDone || !rl.prevotes.HasQuorumAny() {
		return false
	}
	rl.prevoteTimeoutDone = true
	m.schedule(StepPrevote, m.round)
	return true
}

// rulePolka is lines 36-43: a proposal of this round with prevotes from more
// than two thirds for it. At step prevote we lock and precommit; at step
// precommit we only remember it as the valid value.
func (m *Machine) rulePolka() bool {
	rl := m.log.get(m.round)
	if m.step < StepPrevote || rl.polkaDone {
		return false
	}
	h, ok := rl.prevotes.Quorum()
	if !ok || h == nil || !rl.wasProposed(*h) || !m.valid(*h) {
		return false
	}
	rl.polkaDone = true
	b := m.blocks[*h].block
	if m.step == StepPrevote { // line 37
		m.lockedBlock, m.lockedHash, m.lockedRound = b, *h, int32(m.round) // lines 38-39
		m.emitVote(ledger.Precommit, h)                                    // line 40
		m.step = StepPrecommit                                             // line 41
	}
	m.validBlock, m.validHash, m.validRound = b, *h, int32(m.round) // lines 42-43
	return true
}

// ruleNilPolka is lines 44-46.
func (m *Machine) ruleNilPolka() bool {
	rl := m.log.get(m.round)
	if m.step != StepPrevote || !rl.prevotes.HasQuorumFor(nil) {
		return false
	}
	m.emitVote(ledger.Precommit, nil)
	m.step = StepPrecommit
	return true
}

// rulePrecommitTimeout is lines 47-48.
func (m *Machine) rulePrecommitTimeout() bool {
	rl := m.log.get(m.round)
	if rl.precommitTimeoutDone || !rl.precommits.HasQuorumAny() {
		return false
	}
	rl.precommitTimeoutDone = true
	m.schedule(StepPrecommit, m.round)
	return true
}

func copyHash(h *ledger.Hash) *ledger.Hash {
	if h == nil {
		return nil
	}
	c := *h
	return &c
}

func cloneCommit(c *ledger.Commit) *ledger.Commit {
	cp := *c
	cp.Sigs = append([]ledger.CommitSig(nil), c.Sigs...)
	return &cp
}
