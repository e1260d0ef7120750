package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// Config describes a node's place in the permissioned network.
type Config struct {
	// Key is the node's libp2p identity (keys/node.key).
	Key crypto.PrivKey
	// Listen holds multiaddrs to listen on, e.g. /ip4/127.0.0.1/tcp/26656
	// and /ip4/127.0.0.1/udp/26656/quic-v1.
	Listen []string
	// Peers are dialled at start and redialled whenever they drop.
	Peers []peer.AddrInfo
	// Admitted are the peer ids allowed to connect at all: the validators
	// of the chain (of the next height and any scheduled) and the node's
	// p2p.allowed_peers. A configured peer outside them is dialled only
	// once SetAdmitted admits it (a validator voted in later).
	Admitted []peer.ID
	// Log receives connection events; nil discards them.
	Log *slog.Logger
	// QueueLen bounds each peer's outbound queue per protocol, in frames;
	// when it is full, new frames to that peer are dropped (and counted).
	// Zero means 4096.
	QueueLen int
	// PeerBudget bounds the bytes one peer's unfinished inbound frames may
	// hold at once, across its streams; a frame that would exceed it is
	// refused and the peer penalised. Zero means DefaultPeerBudget.
	PeerBudget int
}

// Network is a running libp2p host with the node's protocols. All methods
// are safe for concurrent use.
type Network struct {
	host  host.Host
	gater *Gater
	log   *slog.Logger
	cfg   Config

	frames *budget // memory held by inbound frames being read

	mu        sync.Mutex
	senders   map[peer.ID]map[protocol.ID]*sender
	strikes   map[peer.ID]int
	onConnect []func(peer.ID)

	dropped   counter
	penalties counter

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type counter struct {
	mu sync.Mutex
	n  uint64
}

func (c *counter) add() { c.mu.Lock(); c.n++; c.mu.Unlock() }
func (c *counter) get() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// New starts the host: it listens, but dials nobody until Start.
func New(cfg Config) (*Network, error) {
	if cfg.Key == nil {
		return nil, errors.New("p2p: no node key")
	}
	if cfg.QueueLen == 0 {
		cfg.QueueLen = 4096
	}
	if cfg.PeerBudget == 0 {
		cfg.PeerBudget = DefaultPeerBudget
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	admitted := map[peer.ID]bool{}
	for _, p := range cfg.Admitted {
		admitted[p] = true
	}
	for _, p := range cfg.Peers {
		if !admitted[p.ID] {
			log.Warn("configured peer is not admitted: not a validator of the chain as this node has it, nor in p2p.allowed_peers; it is dialled once the chain makes it a validator", "peer", p.ID)
		}
	}
	gater := NewGater(cfg.Admitted)
	h, err := libp2p.New(
		libp2p.Identity(cfg.Key),
		libp2p.ListenAddrStrings(cfg.Listen...),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.ConnectionGater(gater),
		libp2p.DisableRelay(),
		libp2p.Ping(false),
		libp2p.DisableMetrics(),
		// Announce no addresses: peers are dialled only at the addresses
		// configured for them (p2p.peers), never at addresses learned
		// through identify. In a permissioned network with static peers
		// nothing is lost, and an operator's (or the chaos test's) routing
		// through proxies or firewalls is respected.
		libp2p.AddrsFactory(func([]ma.Multiaddr) []ma.Multiaddr { return nil }),
	)
	if err != nil {
		return nil, fmt.Errorf("p2p: start host: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Network{
		host: h, gater: gater, log: log, cfg: cfg, frames: newBudget(cfg.PeerBudget),
		senders: map[peer.ID]map[protocol.ID]*sender{},
		strikes: map[peer.ID]int{},
		ctx:     ctx, cancel: cancel,
	}
	for _, p := range cfg.Peers {
		h.Peerstore().AddAddrs(p.ID, p.Addrs, time.Hour*24*365)
	}
	h.Network().Notify(&network.NotifyBundle{
		ConnectedF: func(nw network.Network, c network.Conn) {
			n.log.Debug("peer connected", "peer", c.RemotePeer(), "addr", c.RemoteMultiaddr())
			// A second connection to a peer already connected is not news.
			if len(nw.ConnsToPeer(c.RemotePeer())) > 1 {
				return
			}
			n.mu.Lock()
			hooks := append([]func(peer.ID){}, n.onConnect...)
			n.mu.Unlock()
			for _, f := range hooks {
				go f(c.RemotePeer())
			}
		},
		DisconnectedF: func(nw network.Network, c network.Conn) {
			if nw.Connectedness(c.RemotePeer()) != network.Connected {
				n.log.Debug("peer disconnected", "peer", c.RemotePeer())
				n.dropSenders(c.RemotePeer())
			}
		},
	})
	return n, nil
}

// SetAdmitted replaces the peers allowed to connect (Config.Admitted) and
// closes the connections of those no longer admitted: a validator removed
// from the set, or a rotated-away node identity. A peer newly admitted may
// connect at once, and a configured one is dialled within a second.
func (n *Network) SetAdmitted(ids []peer.ID) {
	for _, p := range n.gater.SetAllowed(ids) {
		if n.host.Network().Connectedness(p) == network.Connected {
			n.log.Info("peer no longer admitted; disconnecting", "peer", p)
			_ = n.host.Network().ClosePeer(p)
		}
	}
}

// Admits reports whether p may connect now.
func (n *Network) Admits(p peer.ID) bool { return n.gater.Admits(p) }

// OnConnect registers f to run (on a goroutine of its own) whenever a peer
// connects that was not connected.
func (n *Network) OnConnect(f func(peer.ID)) {
	n.mu.Lock()
	n.onConnect = append(n.onConnect, f)
	n.mu.Unlock()
}

// Start begins keeping the configured peers connected.
func (n *Network) Start() {
	n.wg.Add(1)
	go n.keepConnected()
}

// Close stops every goroutine and the host.
func (n *Network) Close() error {
	n.cancel()
	n.mu.Lock()
	for p := range n.senders {
		n.dropSendersLocked(p)
	}
	n.mu.Unlock()
	err := n.host.Close()
	n.wg.Wait()
	return err
}

// ID is this node's peer id.
func (n *Network) ID() peer.ID { return n.host.ID() }

// ListenAddrs are the multiaddrs the host listens on (resolved ports).
func (n *Network) ListenAddrs() []ma.Multiaddr { return n.host.Network().ListenAddresses() }

// Addrs are the listen multiaddrs with /p2p/ID.
func (n *Network) Addrs() []ma.Multiaddr {
	info := peer.AddrInfo{ID: n.host.ID(), Addrs: n.ListenAddrs()}
	out, _ := peer.AddrInfoToP2pAddrs(&info)
	return out
}

// Host exposes the libp2p host (tests use it to build outsiders).
func (n *Network) Host() host.Host { return n.host }

// Peers returns the connected peers.
func (n *Network) Peers() []peer.ID { return n.host.Network().Peers() }

// Stats are counters for metrics.
type Stats struct {
	Peers          int
	DroppedFrames  uint64 // outbound frames dropped on a full queue
	Penalties      uint64 // invalid messages received
	ConfiguredPeer int
	// FramesPending are inbound frames whose length has been read and whose
	// payload has not (all arrived); FrameBytes is the memory they hold.
	FramesPending int
	FrameBytes    int
}

// Stats returns the current counters.
func (n *Network) Stats() Stats {
	bytes, pending := n.frames.usage()
	return Stats{Peers: len(n.Peers()), DroppedFrames: n.dropped.get(), Penalties: n.penalties.get(), ConfiguredPeer: len(n.cfg.Peers),
		FramesPending: pending, FrameBytes: bytes}
}

// keepConnected dials every configured peer that is not connected, once a
// second, each with a short timeout. The gater refuses banned peers.
func (n *Network) keepConnected() {
	defer n.wg.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		for _, p := range n.cfg.Peers {
			if n.host.Network().Connectedness(p.ID) == network.Connected || !n.gater.Admits(p.ID) {
				continue
			}
			// Bypass the swarm's dial backoff (5 s, growing to 5 min after
			// repeated failures): this loop is the retry policy, and a
			// validator back from an outage must be redialled within a
			// second, not minutes later.
			ctx, cancel := context.WithTimeout(network.WithForceDirectDial(n.ctx, "permissioned peer"), 3*time.Second)
			if err := n.host.Connect(ctx, p); err != nil && n.ctx.Err() == nil {
				n.log.Debug("dial failed", "peer", p.ID, "err", err)
			}
			cancel()
		}
		select {
		case <-n.ctx.Done():
			return
		case <-tick.C:
		}
	}
}
