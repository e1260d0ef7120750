package driver

import (
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/disk"
	"github.com/qianchain/qianchain/consensus/signer"
	"github.com/qianchain/qianchain/consensus/wal"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
)

// PeerID names a peer for the transport; the driver treats it as opaque.
type PeerID string

// Host is what a replica needs from the node around it. The replica calls
// it from the goroutine that drives the replica, one call at a time.
type Host interface {
	// ValidateBlock is consensus.Application.ValidateBlock.
	consensus.Application
	// ProposeBlock builds the block this validator proposes at height and
	// round: header (with the app hash and the previous block's commit),
	// transactions, evidence. An error skips proposing in this round.
	ProposeBlock(height uint64, round uint32) (*ledger.Block, error)
	// Commit executes and durably stores a decided block with its commit,
	// and returns the validator set of the next height. The replica writes
	// nothing for the next height until Commit returns.
	Commit(d *consensus.Decision) (next *ledger.ValidatorSet, err error)
	// Decided returns a stored decided block and a commit for it, to help a
	// peer that is behind; an error if the height is not stored.
	Decided(height uint64) (*ledger.Block, *ledger.Commit, error)
	// Evidence hands over proof of a double vote, for inclusion in a block.
	Evidence(ev *ledger.DuplicateVoteEvidence)
}

// Config configures a replica.
type Config struct {
	// Chain is the chain's identity (genesis.Doc.Identity): what every
	// signature the replica makes or checks covers.
	Chain    ledger.ChainIdentity
	Timeouts consensus.Timeouts
	// Verifier checks signatures; nil verifies each one directly.
	Verifier consensus.Verifier
	// Key is the validator key; the zero key makes an observer, which
	// follows and decides but never signs. A node whose key is in no
	// height's set follows as an observer until a set names it.
	Key ledger.PrivateKey
	// NextKey, when set, is the key a governance rotation moves this
	// validator to. At each height the replica signs with whichever of Key
	// and NextKey that height's set contains (no set contains both), so it
	// switches by itself at the height the rotation takes effect.
	NextKey ledger.PrivateKey
	// WALPath and SignerPath are files, e.g. <home>/data/cs.wal and
	// <home>/data/priv_validator_state.json. SignerPath is unused by an
	// observer.
	WALPath    string
	SignerPath string
	// FS is the file system; nil means the operating system's.
	FS disk.FS
	// WALRotateBytes: see wal.WAL.RotateBytes.
	WALRotateBytes int64
}

// Outgoing is bytes to send: to one peer, or to all when To is empty.
type Outgoing struct {
	To   PeerID
	Data []byte
}

// Stats counts what a replica did, for metrics and tests.
type Stats struct {
	Received, Rejected, Sent, Signed, SignRefused, CatchUpsServed, Retransmits uint64
}

// ErrReplayDiverged means replaying the WAL did not reproduce the state it
// recorded: a bug or a damaged log; the replica refuses to run on it.
var ErrReplayDiverged = errors.New("driver: WAL replay did not reproduce the recorded state")

// Replica is one node's consensus: the machine, its WAL and its signer,
// driven synchronously. Every method does its I/O (WAL appends, signing,
// Host calls) before returning and queues what is to be sent and scheduled;
// the caller drains that with Outbox. It owns no goroutine and reads no
// clock, so the simulator drives it on a virtual clock and Driver drives it
// on a real one. Not safe for concurrent use.
type Replica struct {
	cfg    Config
	host   Host
	m      *consensus.Machine
	wal    *wal.WAL
	signer *signer.Signer // nil for an observer

	out      []Outgoing
	timers   []consensus.Timeout
	answered map[PeerID]uint64 // catch-up answers this tick, by peer
	// asked is the height for which this replica last told a peer that is
	// ahead where it stands (one Status per height, besides the tick's).
	asked    uint64
	lastTick *consensus.State // the state at the previous tick
	// ticksAtHeight counts ticks since the current height started.
	ticksAtHeight int
	stats         Stats

	replaying bool
	deferred  struct {
		sign     []consensus.Message
		request  *consensus.ProposalRequest
		decision *consensus.Decision
	}
}

// NewReplica opens the WAL and signer and starts consensus at height (the
// height after the last one stored) with that height's validator set. If
// the WAL holds records for this height (the node crashed during it), they
// are replayed first, so the replica resumes with its locks and its own
// votes as they were.
func NewReplica(cfg Config, host Host, height uint64, vals *ledger.ValidatorSet) (*Replica, error) {
	if cfg.FS == nil {
		cfg.FS = disk.OS
	}
	m, err := consensus.NewMachine(consensus.Config{Chain: cfg.Chain, Timeouts: cfg.Timeouts, Verifier: cfg.Verifier}, host)
	if err != nil {
		return nil, err
	}
	r := &Replica{cfg: cfg, host: host, m: m, answered: map[PeerID]uint64{}}
	if !cfg.Key.IsZero() {
		keys := []ledger.PrivateKey{cfg.Key}
		if !cfg.NextKey.IsZero() {
			keys = append(keys, cfg.NextKey)
		}
		if r.signer, err = signer.OpenKeys(cfg.FS, cfg.SignerPath, keys, cfg.Chain); err != nil {
			return nil, err
		}
	}
	w, rep, err := wal.Open(cfg.FS, cfg.WALPath)
	if err != nil {
		return nil, err
	}
	w.RotateBytes = cfg.WALRotateBytes
	r.wal = w
	switch {
	case rep.Height > height:
		w.Close()
		return nil, fmt.Errorf("driver: WAL is at height %d but the store ends before %d: the store lost a synced block", rep.Height, height)
	case rep.Height == height:
		if err := r.replay(height, vals, rep.Records); err != nil {
			w.Close()
			return nil, err
		}
	default:
		if err := w.StartHeight(height); err != nil {
			w.Close()
			return nil, err
		}
		if err := r.stepAndDrain(r.startHeight(height, vals)); err != nil {
			w.Close()
			return nil, err
		}
	}
	return r, nil
}

// selfIn returns this validator's index in vals, or Observer when none of
// its keys is in the set.
func (r *Replica) selfIn(vals *ledger.ValidatorSet) int {
	if r.signer == nil {
		return consensus.Observer
	}
	for _, k := range r.signer.Keys() {
		if i := vals.IndexOf(k); i >= 0 {
			return i
		}
	}
	return consensus.Observer
}

// startHeight is the StartHeight input for height with vals, after
// switching the signer to the key vals contains: the one key this
// validator signs the whole height with.
func (r *Replica) startHeight(height uint64, vals *ledger.ValidatorSet) consensus.StartHeight {
	self := r.selfIn(vals)
	if self != consensus.Observer {
		_ = r.signer.Use(vals.Validators[self].PubKey) // a held key: selfIn found it
	}
	return consensus.StartHeight{Height: height, Validators: vals, Self: self}
}

// replay steps the WAL's records for height back into a fresh machine. What
// the machine asks to sign, propose or commit meanwhile is held back until
// the end: those steps were either done before the crash (and their results
// are in the log) or are the last thing to do now.
func (r *Replica) replay(height uint64, vals *ledger.ValidatorSet, recs [][]byte) error {
	r.replaying = true
	if err := r.stepAndDrain(r.startHeight(height, vals)); err != nil {
		return err
	}
	for i, rec := range recs {
		d, err := decodeRecord(rec)
		if err != nil {
			return fmt.Errorf("driver: WAL record %d of height %d: %w", i, height, err)
		}
		switch {
		case d.kind == recState:
			if got := r.m.State(); !got.Equal(d.state) {
				return fmt.Errorf("%w: record %d says %s, replay reached %s", ErrReplayDiverged, i, d.state, got)
			}
		case d.msg != nil:
			_ = r.m.Step(inputOf(d.msg))
		default:
			_ = r.m.Step(d.input)
		}
		if err := r.drain(); err != nil {
			return err
		}
	}
	r.replaying = false
	sign, req, dec := r.deferred.sign, r.deferred.request, r.deferred.decision
	r.deferred.sign, r.deferred.request, r.deferred.decision = nil, nil, nil
	for _, msg := range sign {
		if err := r.signAndSend(msg); err != nil {
			return err
		}
	}
	if req != nil {
		if err := r.propose(req); err != nil {
			return err
		}
	}
	if dec != nil {
		if err := r.commit(dec); err != nil {
			return err
		}
	}
	return r.drain()
}

// Height is the height being decided.
func (r *Replica) Height() uint64 { return r.m.Height() }

// State is the machine's persistent state.
func (r *Replica) State() consensus.State { return r.m.State() }

// Stats returns the counters.
func (r *Replica) Stats() Stats { return r.stats }

// Outbox returns and forgets the messages to send and the timeouts to
// schedule that accumulated since the last call.
func (r *Replica) Outbox() ([]Outgoing, []consensus.Timeout) {
	out, timers := r.out, r.timers
	r.out, r.timers = nil, nil
	return out, timers
}

// Receive handles bytes from a peer. A returned error is about the message
// (malformed, rejected) and is not fatal, unless it wraps a storage error
// (errors.Is(err, ErrStorage)), after which the replica must be stopped.
func (r *Replica) Receive(from PeerID, data []byte) error {
	return r.receive(from, data, nil)
}

// receive is Receive of data already decoded to msg by the transport, or
// of data alone when msg is nil (see Inbound.Msg).
func (r *Replica) receive(from PeerID, data []byte, msg wire.Message) error {
	r.stats.Received++
	if msg == nil {
		var err error
		if msg, err = wire.Decode(data); err != nil {
			r.stats.Rejected++
			return err
		}
	}
	h := r.m.Height()
	switch msg := msg.(type) {
	case *wire.Status:
		if msg.At < h {
			r.serveCatchUp(from, msg.At)
		}
		return nil
	case *wire.Decided:
		if msg.Commit.Height != h {
			return nil // only the current height's decision helps
		}
	default:
		switch {
		case msg.Height() < h:
			r.serveCatchUp(from, msg.Height())
			return nil
		case msg.Height() > h+1:
			// Too far ahead to use. Tell that peer where we stand now,
			// once per height, so it answers with the decided block at
			// once rather than at our next tick: a replica a few heights
			// behind then catches up at the round-trip time.
			r.askCatchUp(from, h)
			return nil
		}
	}
	if in, ok := msg.(*wire.Vote); ok && r.m.Holds(consensus.Message{Vote: in.Vote}) {
		return nil // a retransmitted copy: nothing to log or learn
	}
	if in, ok := msg.(*wire.Proposal); ok && r.m.Holds(consensus.Message{Proposal: in.Proposal}) {
		return nil
	}
	if err := r.appendMessageRecord(data, false); err != nil {
		return err
	}
	if err := r.m.Step(inputOf(msg)); err != nil {
		r.stats.Rejected++
		if derr := r.drain(); derr != nil {
			return derr
		}
		return err
	}
	return r.drain()
}

// askCatchUp sends a Status to a peer that is ahead, once per height.
func (r *Replica) askCatchUp(to PeerID, h uint64) {
	if r.asked == h {
		return
	}
	r.asked = h
	r.send(to, &wire.Status{At: h})
}

// serveCatchUp sends a peer that is behind the decided block of the height
// it is on, at most once per peer per tick.
func (r *Replica) serveCatchUp(to PeerID, height uint64) {
	if r.answered[to] == height {
		return
	}
	// A peer one height behind that we only just left is most likely
	// deciding it from the precommits right now; sending it the block would
	// cost a block per peer per height for nothing. Help once we have been
	// at this height for a whole tick, or at once if it is further behind.
	if height+1 == r.m.Height() && r.ticksAtHeight < 1 {
		return
	}
	blk, c, err := r.host.Decided(height)
	if err != nil {
		return
	}
	r.answered[to] = height
	r.stats.CatchUpsServed++
	r.send(to, &wire.Decided{Block: blk, Commit: c})
}

// Timeout handles a timeout that fired.
func (r *Replica) Timeout(t consensus.Timeout) error {
	if t.Height != r.m.Height() {
		return nil
	}
	if err := r.appendRecord(encodeTimeout(t), false); err != nil {
		return err
	}
	return r.stepAndDrain(consensus.TimeoutFired{Timeout: t})
}

// Tick is the retransmit tick. If the machine's state did not change since
// the previous tick (a healthy network finishes rounds faster than that, so
// this is a sign of lost messages), it re-sends its own messages of the
// current height and the polka behind its valid value. Peers that are ahead
// answer those with the decided block. An observer, which sends nothing
// else, sends a Status saying which height it is on instead.
func (r *Replica) Tick() error {
	clear(r.answered)
	r.ticksAtHeight++
	st := r.m.State()
	stalled := r.lastTick != nil && st.Equal(*r.lastTick)
	r.lastTick = &st
	if r.signer == nil || r.selfIn(r.m.Validators()) == consensus.Observer {
		r.send("", &wire.Status{At: r.m.Height()})
		return nil
	}
	if !stalled {
		return nil
	}
	r.stats.Retransmits++
	return r.stepAndDrain(consensus.Retransmit{})
}

// ErrStorage wraps failures of the WAL, the signer's disk or the host's
// Commit: the replica cannot go on safely.
var ErrStorage = errors.New("driver: storage failure")

func (r *Replica) appendRecord(rec []byte, sync bool) error {
	return r.appendRecordParts(sync, rec)
}

// appendMessageRecord logs a consensus message's wire encoding, data, as a
// recMessage record without copying it behind its tag: a proposal's frame
// is hundreds of kilobytes under load.
func (r *Replica) appendMessageRecord(data []byte, sync bool) error {
	return r.appendRecordParts(sync, recMessageTag, data)
}

var recMessageTag = []byte{recMessage}

func (r *Replica) appendRecordParts(sync bool, parts ...[]byte) error {
	if r.replaying {
		return nil
	}
	if err := r.wal.AppendParts(sync, parts...); err != nil {
		return fmt.Errorf("%w: %v", ErrStorage, err)
	}
	return nil
}

func (r *Replica) stepAndDrain(in consensus.Input) error {
	_ = r.m.Step(in)
	return r.drain()
}

// drain acts on the machine's Ready in the order consensus.Ready documents.
func (r *Replica) drain() error {
	for r.m.HasReady() {
		rd := r.m.Ready()
		needSync := len(rd.Sign) > 0 || rd.Decision != nil
		if !r.replaying {
			if rd.State != nil {
				if err := r.appendRecord(encodeState(*rd.State), needSync); err != nil {
					return err
				}
			} else if needSync {
				if err := r.wal.Sync(); err != nil {
					return fmt.Errorf("%w: %v", ErrStorage, err)
				}
			}
		}
		for _, msg := range rd.Sign {
			if r.replaying {
				r.deferred.sign = append(r.deferred.sign, msg)
				continue
			}
			if err := r.signAndSend(msg); err != nil {
				return err
			}
		}
		if !r.replaying {
			for _, msg := range rd.Send {
				r.send("", wireOf(msg))
			}
		}
		r.timers = append(r.timers, rd.Timeouts...)
		if rd.ProposalRequest != nil {
			if r.replaying {
				r.deferred.request = rd.ProposalRequest
			} else if err := r.propose(rd.ProposalRequest); err != nil {
				return err
			}
		}
		for _, ev := range rd.Evidence {
			r.host.Evidence(ev)
		}
		if rd.Decision != nil {
			if r.replaying {
				r.deferred.decision = rd.Decision
			} else {
				if err := r.commit(rd.Decision); err != nil {
					return err
				}
				// One height per call: see Pending.
				return nil
			}
		}
	}
	return nil
}

// Pending reports whether the replica has work left from its last input:
// a drain stops after committing a height, leaving the next height's first
// steps for Resume. Where this validator alone is a quorum (a chain of one
// validator) nothing else would ever end the drain, so the caller could not
// send the queued messages, notice shutdown or pace the heights.
func (r *Replica) Pending() bool { return r.m.HasReady() }

// Resume does the work Pending reports, again up to one committed height.
func (r *Replica) Resume() error { return r.drain() }

// signAndSend signs an own message (the signer persists first), logs it with
// a synced write, queues it for broadcast and steps it back in. A refusal by
// the signer drops the message: that is the signer doing its job.
func (r *Replica) signAndSend(msg consensus.Message) error {
	if r.signer == nil {
		return nil
	}
	var err error
	var in consensus.Input
	if msg.Vote != nil {
		v := *msg.Vote
		err = r.signer.SignVote(&v)
		msg.Vote, in = &v, consensus.VoteMessage{Vote: &v}
	} else {
		p := *msg.Proposal
		err = r.signer.SignProposal(&p)
		msg.Proposal, in = &p, consensus.ProposalMessage{Proposal: &p, Block: msg.Block}
	}
	if errors.Is(err, signer.ErrConflict) || errors.Is(err, signer.ErrRegression) {
		r.stats.SignRefused++
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStorage, err)
	}
	r.stats.Signed++
	w := wireOf(msg)
	data := wire.Encode(w)
	if err := r.appendMessageRecord(data, true); err != nil {
		return err
	}
	r.out = append(r.out, Outgoing{Data: data})
	r.stats.Sent++
	_ = r.m.Step(in)
	return nil
}

// propose asks the host for a block; a host that cannot build one skips the
// round (the propose timeout moves everyone on).
func (r *Replica) propose(req *consensus.ProposalRequest) error {
	blk, err := r.host.ProposeBlock(req.Height, req.Round)
	if err != nil || blk == nil {
		return nil
	}
	if err := r.appendRecord(encodeBlock(req.Height, req.Round, blk), false); err != nil {
		return err
	}
	_ = r.m.Step(consensus.BlockToPropose{Height: req.Height, Round: req.Round, Block: blk})
	return nil
}

// commit hands a decision to the host, then marks and starts the next
// height.
func (r *Replica) commit(d *consensus.Decision) error {
	next, err := r.host.Commit(d)
	if err != nil {
		// Both wrapped: the host's reason (a halt for an upgrade, say)
		// stays matchable by whoever runs the replica.
		return fmt.Errorf("%w: commit height %d: %w", ErrStorage, d.Height, err)
	}
	if err := r.wal.StartHeight(d.Height + 1); err != nil {
		return fmt.Errorf("%w: %v", ErrStorage, err)
	}
	// Messages for the new height that arrived early were logged before
	// its marker; log them again after it, as the machine is about to
	// step them in.
	for _, msg := range r.m.NextHeightMessages() {
		if err := r.appendMessageRecord(wire.Encode(wireOf(msg)), false); err != nil {
			return err
		}
	}
	_ = r.m.Step(r.startHeight(d.Height+1, next))
	r.ticksAtHeight = 0
	return nil
}

func (r *Replica) send(to PeerID, m wire.Message) {
	r.out = append(r.out, Outgoing{To: to, Data: wire.Encode(m)})
	r.stats.Sent++
}

// Close closes the WAL.
func (r *Replica) Close() error { return r.wal.Close() }
