package p2p

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Gater admits only the peers it is told about (the validators of the
// chain as the node's executed state has them, and the node's allowed
// observers; SetAllowed changes them as the set changes) and refuses banned
// peers. The peer's identity
// is known when we dial (InterceptPeerDial) and, for inbound connections,
// once the security handshake has authenticated it (InterceptSecured); an
// outsider is refused there, before any stream can be opened.
type Gater struct {
	mu      sync.RWMutex
	allowed map[peer.ID]bool
	banned  map[peer.ID]time.Time // until
	now     func() time.Time
}

// NewGater admits exactly the peers in allowed.
func NewGater(allowed []peer.ID) *Gater {
	g := &Gater{allowed: map[peer.ID]bool{}, banned: map[peer.ID]time.Time{}, now: time.Now}
	for _, p := range allowed {
		g.allowed[p] = true
	}
	return g
}

// SetAllowed replaces the admitted peers by allowed and returns those no
// longer admitted.
func (g *Gater) SetAllowed(allowed []peer.ID) (dropped []peer.ID) {
	next := make(map[peer.ID]bool, len(allowed))
	for _, p := range allowed {
		next[p] = true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for p := range g.allowed {
		if !next[p] {
			dropped = append(dropped, p)
		}
	}
	g.allowed = next
	return dropped
}

// Admits reports whether p may connect now.
func (g *Gater) Admits(p peer.ID) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if !g.allowed[p] {
		return false
	}
	if until, ok := g.banned[p]; ok && g.now().Before(until) {
		return false
	}
	return true
}

// Ban refuses p until the given duration has passed.
func (g *Gater) Ban(p peer.ID, d time.Duration) {
	g.mu.Lock()
	g.banned[p] = g.now().Add(d)
	g.mu.Unlock()
}

func (g *Gater) InterceptPeerDial(p peer.ID) bool { return g.Admits(p) }

func (g *Gater) InterceptAddrDial(p peer.ID, _ ma.Multiaddr) bool { return g.Admits(p) }

// InterceptAccept cannot know the peer yet; InterceptSecured decides.
func (g *Gater) InterceptAccept(network.ConnMultiaddrs) bool { return true }

func (g *Gater) InterceptSecured(_ network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	return g.Admits(p)
}

func (g *Gater) InterceptUpgraded(c network.Conn) (bool, control.DisconnectReason) {
	return g.Admits(c.RemotePeer()), 0
}
