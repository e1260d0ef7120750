package p2p

import (
	"errors"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// invalidError marks a handler error as the sender's fault.
type invalidError struct{ err error }

func (e *invalidError) Error() string { return e.err.Error() }
func (e *invalidError) Unwrap() error { return e.err }

// Invalid marks err as caused by invalid data from the peer: returned from a
// handler, it penalises the sender.
func Invalid(err error) error { return &invalidError{err} }

// IsInvalid reports whether err was marked with Invalid.
func IsInvalid(err error) bool {
	var ie *invalidError
	return errors.As(err, &ie)
}

// Strikes before a peer is disconnected and banned, and how long a ban
// lasts. An honest peer never sends invalid data (all of it is checked
// before it is sent), so a few strikes are enough.
const (
	maxStrikes  = 3
	banDuration = time.Minute
)

// Penalise records that p sent invalid data. At maxStrikes the peer is
// disconnected and refused for banDuration.
func (n *Network) Penalise(p peer.ID, reason error) {
	n.penalties.add()
	n.mu.Lock()
	n.strikes[p]++
	strikes := n.strikes[p]
	if strikes >= maxStrikes {
		delete(n.strikes, p)
	}
	n.mu.Unlock()
	n.log.Warn("invalid message from peer", "peer", p, "strikes", strikes, "err", reason)
	if strikes >= maxStrikes {
		n.log.Warn("banning peer", "peer", p, "for", banDuration)
		n.gater.Ban(p, banDuration)
		_ = n.host.Network().ClosePeer(p)
	}
}
