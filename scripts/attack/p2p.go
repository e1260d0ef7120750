package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/node"
)

// garbage connects to the p2p port from src and sends 4 KiB of random
// bytes every 100 ms until the node drops the connection, again and again:
// an outsider who does not even speak libp2p.
func garbage(ctx context.Context, a *attacks, src, addr string) {
	const name = "p2p-garbage"
	buf := make([]byte, 4096)
	for ctx.Err() == nil {
		c, ok := dialOrWait(ctx, a, name, src, addr, 0)
		if !ok {
			continue
		}
		a.add(name, "connections", 1)
		for ctx.Err() == nil {
			rand.Read(buf)
			_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write(buf); err != nil {
				a.add(name, "dropped by node0", 1)
				break
			}
			a.add(name, "KiB sent", 4)
			sleep(ctx, 100*time.Millisecond)
		}
		c.Close()
		sleep(ctx, 200*time.Millisecond)
	}
}

// newHost is a libp2p host that dials over TCP and listens nowhere.
func newHost(key crypto.PrivKey) (host.Host, error) {
	return libp2p.New(libp2p.Identity(key), libp2p.NoListenAddrs, libp2p.Transport(tcp.NewTCPTransport),
		libp2p.DisableRelay(), libp2p.Ping(false), libp2p.DisableMetrics())
}

// attackHost is a libp2p host with key (newHost) and node0's address for it
// to dial; without them ok is false and the reason is counted under name.
func attackHost(a *attacks, name string, key crypto.PrivKey, tgt target) (h host.Host, node0 peer.AddrInfo, ok bool) {
	h, err := newHost(key)
	if err != nil {
		a.add(name, "no host", 1)
		return nil, peer.AddrInfo{}, false
	}
	info, err := targetInfo(tgt)
	if err != nil {
		h.Close()
		a.add(name, "bad target", 1)
		return nil, peer.AddrInfo{}, false
	}
	return h, info, true
}

func targetInfo(tgt target) (peer.AddrInfo, error) {
	id, err := peer.Decode(tgt.PeerID)
	if err != nil {
		return peer.AddrInfo{}, err
	}
	addr, err := ma.NewMultiaddr("/ip4/127.0.0.1/tcp/" + portOf(tgt.P2P))
	if err != nil {
		return peer.AddrInfo{}, err
	}
	return peer.AddrInfo{ID: id, Addrs: []ma.Multiaddr{addr}}, nil
}

func portOf(hostport string) string {
	for i := len(hostport) - 1; i >= 0; i-- {
		if hostport[i] == ':' {
			return hostport[i+1:]
		}
	}
	return hostport
}

// outsider is a libp2p host with a key nobody admitted: once a second it
// dials node0 and tries to open a consensus stream and send a frame.
func outsider(ctx context.Context, a *attacks, tgt target) {
	const name = "p2p-outsider"
	key, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		a.add(name, "no key", 1)
		return
	}
	h, info, ok := attackHost(a, name, key, tgt)
	if !ok {
		return
	}
	defer h.Close()
	for ctx.Err() == nil {
		dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := h.Connect(network.WithForceDirectDial(dctx, "attack"), info)
		if err == nil {
			s, serr := h.NewStream(dctx, info.ID, node.ConsensusProtocol)
			if serr == nil {
				_, werr := s.Write(frameOf([]byte("outsider's frame")))
				if werr == nil {
					a.add(name, "frame written (the node must drop it)", 1)
				}
				s.Reset()
			} else {
				a.add(name, "stream refused", 1)
			}
		} else if ctx.Err() == nil {
			a.add(name, "dial refused", 1)
		}
		cancel()
		_ = h.Network().ClosePeer(info.ID)
		sleep(ctx, time.Second)
	}
}

func frameOf(payload []byte) []byte {
	var hdr [binary.MaxVarintLen64]byte
	return append(hdr[:binary.PutUvarint(hdr[:], uint64(len(payload)))], payload...)
}

// frames connects to node0 as the admitted observer and holds n consensus
// streams, each announcing the largest frame node0 accepts and sending
// nothing; fillers of them also send the frame's bytes at 1 MiB/s, so that
// what the observer's frames hold meets node0's per-peer budget; and one
// more stream announces a frame over the cap (the ledger's 64 MiB). Each of
// these costs the observer a strike; at three node0 bans it for a minute,
// after which it comes back.
func frames(ctx context.Context, a *attacks, key crypto.PrivKey, tgt target, n, fillers int) {
	const name = "p2p-frames"
	h, info, ok := attackHost(a, name, key, tgt)
	if !ok {
		return
	}
	defer h.Close()
	for ctx.Err() == nil {
		dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := h.Connect(network.WithForceDirectDial(dctx, "attack"), info)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				a.add(name, "dial refused (banned)", 1)
			}
			sleep(ctx, 5*time.Second)
			continue
		}
		a.add(name, "connected", 1)
		var wg sync.WaitGroup
		for i := 0; i <= n; i++ {
			size, fill := tgt.FrameCap, i < fillers
			if i == n {
				size, fill = wire.MaxMessageBytes, false
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				announced(ctx, a, h, info.ID, size, fill)
			}()
		}
		wg.Wait()
		sleep(ctx, time.Second)
	}
}

// announced opens one consensus stream and announces a frame of size
// bytes. Without fill it then waits: node0 closes the stream after its
// 2-minute idle deadline (at once for a frame over its cap). With fill it
// sends the frame's bytes at 1 MiB/s, then announces and fills the next,
// until node0 resets the stream.
func announced(ctx context.Context, a *attacks, h host.Host, id peer.ID, size int, fill bool) {
	const name = "p2p-frames"
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	s, err := h.NewStream(sctx, id, node.ConsensusProtocol)
	cancel()
	if err != nil {
		return
	}
	defer s.Reset()
	var hdr [binary.MaxVarintLen64]byte
	prefix := hdr[:binary.PutUvarint(hdr[:], uint64(size))]
	if _, err := s.Write(prefix); err != nil {
		return
	}
	a.add(name, fmt.Sprintf("%d MiB frames announced", size>>20), 1)
	if !fill {
		done := make(chan struct{})
		go func() { io.Copy(io.Discard, s); close(done) }()
		select {
		case <-ctx.Done():
		case <-done:
			a.add(name, "streams closed by node0", 1)
		}
		return
	}
	chunk := make([]byte, 256<<10)
	tick := time.NewTicker(time.Second / 4) // 4 chunks a second: 1 MiB/s
	defer tick.Stop()
	for sent := 0; ; {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		part := chunk[:min(len(chunk), size-sent)]
		if sent == size {
			part, sent = prefix, 0 // the frame is whole (and invalid): the next one
			a.add(name, fmt.Sprintf("%d MiB frames announced", size>>20), 1)
		} else {
			sent += len(part)
		}
		_ = s.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := s.Write(part); err != nil {
			a.add(name, "filling streams reset by node0", 1)
			return
		}
		a.add(name, "KiB filled", int64(len(part)>>10))
	}
}
