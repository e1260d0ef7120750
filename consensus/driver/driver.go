package driver

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/wire"
)

// Transport moves consensus bytes between validators. The node implements it
// over libp2p streams with length-prefixed frames of at most
// wire.MaxMessageBytes.
type Transport interface {
	// Broadcast sends data to every connected validator peer. It must not
	// block for long: a slow peer's queue drops, retransmission recovers.
	Broadcast(data []byte)
	// Send sends data to one peer, with the same rule.
	Send(to PeerID, data []byte)
	// Receive delivers what peers sent. The driver reads it until Run
	// returns.
	Receive() <-chan Inbound
	// Penalise is told of a message that proves its sender faulty (see
	// SendersFault), with the replica's reason; the transport decides what
	// follows (the node's strikes and bans). It must not block for long.
	Penalise(from PeerID, reason error)
}

// SendersFault reports whether err, a message's rejection by the replica,
// proves the peer that sent it faulty rather than merely late or early: a
// signature that does not verify on this chain (a forgery, or a message
// signed for another chain that shares this one's chain id and keys), or a
// catch-up certificate that does not verify. An honest peer sends only
// its own signed messages and ones it has verified (relayed polkas, stored
// decisions), so it never sends either. Messages for the next height are
// verified only when it starts, without their sender, and penalise no one.
func SendersFault(err error) bool {
	return errors.Is(err, consensus.ErrBadSignature) || errors.Is(err, consensus.ErrBadCommit)
}

// Inbound is a message from a peer.
type Inbound struct {
	From PeerID
	Data []byte
	// Msg, when not nil, must be exactly Data's decoding (by wire.Decode or
	// wire.DecodeKnown): the replica acts on Msg but logs Data, which is
	// what a restart replays. A transport that decodes each frame to check
	// it before queueing (and to blame its sender, whom it knows) passes
	// the result on, so that the replica does not decode a proposal's block
	// a second time: a thousand transactions' hashes and copies per block,
	// on the driver's one goroutine. The transport must not touch Msg once
	// queued. A queued Inbound holds the decoding beside the frame; the
	// queue is mostly votes, and a proposal's transactions taken from the
	// mempool add no copy.
	Msg wire.Message
}

// Driver runs a Replica on one goroutine with real timers and a transport.
// It is the only concurrent part of consensus; everything it calls runs on
// its goroutine.
type Driver struct {
	r          *Replica
	t          Transport
	retransmit time.Duration
	fired      chan consensus.Timeout
	state      atomic.Pointer[consensus.State]
	rejected   atomic.Uint64
}

// New returns a driver for r over t that retransmits every retransmit
// interval (1s is a good default on a LAN, 2s over a WAN).
func New(r *Replica, t Transport, retransmit time.Duration) *Driver {
	d := &Driver{r: r, t: t, retransmit: retransmit, fired: make(chan consensus.Timeout, 64)}
	s := r.State()
	d.state.Store(&s)
	return d
}

// State returns the replica's state as of the last event; safe to call from
// any goroutine (for status pages and metrics).
func (d *Driver) State() consensus.State { return *d.state.Load() }

// Rejected counts messages rejected since start; safe from any goroutine.
func (d *Driver) Rejected() uint64 { return d.rejected.Load() }

// closedChan is always ready: Run selects on it when the replica has work
// pending.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Run drives the replica until ctx is done or storage fails. It returns
// ctx.Err() or the storage error. It closes the replica's WAL on return.
func (d *Driver) Run(ctx context.Context) error {
	defer d.r.Close()
	done := make(chan struct{})
	defer close(done)
	tick := time.NewTicker(d.retransmit)
	defer tick.Stop()
	flush := func() {
		out, timers := d.r.Outbox()
		for _, o := range out {
			if o.To == "" {
				d.t.Broadcast(o.Data)
			} else {
				d.t.Send(o.To, o.Data)
			}
		}
		// Timeouts are never cancelled: one that no longer matters is
		// ignored by the machine when it fires.
		for _, to := range timers {
			time.AfterFunc(to.Duration, func() {
				select {
				case d.fired <- to:
				case <-done:
				}
			})
		}
		s := d.r.State()
		d.state.Store(&s)
	}
	flush()
	in := d.t.Receive()
	for {
		var err error
		// With work pending (the next height, when this validator alone
		// decides), resume it; but select with the other inputs, so that
		// shutdown and waiting messages still get their turn.
		var pending <-chan struct{}
		if d.r.Pending() {
			pending = closedChan
		}
		select {
		case <-pending:
			err = d.r.Resume()
		case <-ctx.Done():
			return ctx.Err()
		case m, ok := <-in:
			if !ok {
				return errors.New("driver: transport closed its receive channel")
			}
			if err = d.r.receive(m.From, m.Data, m.Msg); err != nil && !errors.Is(err, ErrStorage) {
				d.rejected.Add(1)
				if SendersFault(err) {
					d.t.Penalise(m.From, err)
				}
				err = nil
			}
		case t := <-d.fired:
			err = d.r.Timeout(t)
		case <-tick.C:
			err = d.r.Tick()
		}
		if err != nil {
			return err
		}
		flush()
	}
}
