package p2p

import (
	"bufio"
	"context"
	"errors"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Deadlines on stream I/O, so a stalled peer cannot hold a goroutine.
const (
	writeTimeout = 10 * time.Second
	idleTimeout  = 2 * time.Minute
	dialTimeout  = 5 * time.Second
)

// Handler receives one frame of a broadcast protocol. It runs on the
// stream's reader goroutine: frames from one peer arrive in order. An error
// marked Invalid penalises the peer; other errors are logged.
type Handler func(from peer.ID, frame []byte) error

// Handle registers h for inbound frames of proto, each at most maxFrame
// bytes. A frame over the limit, or over what the peer's unfinished frames
// may hold together (Config.PeerBudget), penalises the peer and resets the
// stream.
func (n *Network) Handle(proto protocol.ID, maxFrame int, h Handler) {
	n.host.SetStreamHandler(proto, func(s network.Stream) {
		defer s.Close()
		from := s.Conn().RemotePeer()
		acct := n.frames.account(from)
		r := bufio.NewReaderSize(s, 64<<10)
		for {
			_ = s.SetReadDeadline(time.Now().Add(idleTimeout))
			frame, err := readFrame(r, maxFrame, acct)
			if err != nil {
				if peersFault(err) {
					n.Penalise(from, err)
					_ = s.Reset()
				}
				return
			}
			if err := h(from, frame); err != nil {
				if IsInvalid(err) {
					n.Penalise(from, err)
				} else {
					n.log.Debug("handler error", "proto", proto, "peer", from, "err", err)
				}
			}
		}
	})
}

// peersFault reports whether a frame failed by the sender's doing (rather
// than a closed stream or a deadline).
func peersFault(err error) bool {
	return errors.Is(err, ErrFrameTooLarge) || errors.Is(err, ErrPeerBudget)
}

// Broadcast queues frame for every connected peer on proto. It never
// blocks: a peer whose queue is full misses the frame.
func (n *Network) Broadcast(proto protocol.ID, frame []byte) {
	for _, p := range n.Peers() {
		n.Send(p, proto, frame)
	}
}

// Send queues frame for peer p on proto, without blocking.
func (n *Network) Send(p peer.ID, proto protocol.ID, frame []byte) {
	s := n.senderFor(p, proto)
	if s == nil {
		return
	}
	select {
	case s.queue <- frame:
	default:
		n.dropped.add()
	}
}

// sender owns one outbound stream to one peer for one protocol, and the
// goroutine that writes its queue to it.
type sender struct {
	n     *Network
	peer  peer.ID
	proto protocol.ID
	queue chan []byte
	done  chan struct{}
}

func (n *Network) senderFor(p peer.ID, proto protocol.ID) *sender {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ctx.Err() != nil {
		return nil
	}
	byProto := n.senders[p]
	if byProto == nil {
		byProto = map[protocol.ID]*sender{}
		n.senders[p] = byProto
	}
	s := byProto[proto]
	if s == nil {
		s = &sender{n: n, peer: p, proto: proto, queue: make(chan []byte, n.cfg.QueueLen), done: make(chan struct{})}
		byProto[proto] = s
		n.wg.Add(1)
		go s.run()
	}
	return s
}

func (n *Network) dropSenders(p peer.ID) {
	n.mu.Lock()
	n.dropSendersLocked(p)
	n.mu.Unlock()
}

func (n *Network) dropSendersLocked(p peer.ID) {
	for _, s := range n.senders[p] {
		close(s.done)
	}
	delete(n.senders, p)
}

// run writes queued frames to the stream, opening it on demand and
// reopening it after an error; frames that fail are dropped (the protocols
// above tolerate loss). It flushes whenever the queue is empty, so bursts
// leave in few packets.
func (s *sender) run() {
	defer s.n.wg.Done()
	var st network.Stream
	var w *bufio.Writer
	defer func() {
		if st != nil {
			_ = st.Close()
		}
	}()
	for {
		var frame []byte
		select {
		case <-s.done:
			return
		case frame = <-s.queue:
		}
		if st == nil {
			ctx, cancel := context.WithTimeout(s.n.ctx, dialTimeout)
			var err error
			st, err = s.n.host.NewStream(ctx, s.peer, s.proto)
			cancel()
			if err != nil {
				s.n.dropped.add()
				st = nil
				continue
			}
			w = bufio.NewWriterSize(st, 64<<10)
		}
		_ = st.SetWriteDeadline(time.Now().Add(writeTimeout))
		err := writeFrame(w, frame)
		if err == nil && len(s.queue) == 0 {
			err = w.Flush()
		}
		if err != nil {
			s.n.dropped.add()
			_ = st.Reset()
			st = nil
		}
	}
}

// Responder answers one request. It writes response frames through reply
// and returns when done; the stream is closed after it returns.
type Responder func(from peer.ID, req []byte, reply func(frame []byte) error) error

// HandleRequest registers r for request/response protocol proto.
func (n *Network) HandleRequest(proto protocol.ID, maxReq int, r Responder) {
	n.host.SetStreamHandler(proto, func(s network.Stream) {
		from := s.Conn().RemotePeer()
		_ = s.SetReadDeadline(time.Now().Add(writeTimeout))
		req, err := readFrame(bufio.NewReader(s), maxReq, n.frames.account(from))
		if err != nil {
			if peersFault(err) {
				n.Penalise(from, err)
			}
			_ = s.Reset()
			return
		}
		w := bufio.NewWriterSize(s, 64<<10)
		reply := func(frame []byte) error {
			_ = s.SetWriteDeadline(time.Now().Add(writeTimeout))
			return writeFrame(w, frame)
		}
		if err := r(from, req, reply); err != nil {
			if IsInvalid(err) {
				n.Penalise(from, err)
			}
			_ = s.Reset()
			return
		}
		if err := w.Flush(); err != nil {
			_ = s.Reset()
			return
		}
		_ = s.Close()
	})
}

// Request sends req to p on proto and calls each for every response frame
// (at most maxFrame bytes) until the responder closes the stream or each
// returns false or an error.
func (n *Network) Request(ctx context.Context, p peer.ID, proto protocol.ID, req []byte, maxFrame int, each func(frame []byte) (more bool, err error)) error {
	st, err := n.host.NewStream(ctx, p, proto)
	if err != nil {
		return err
	}
	defer st.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = st.SetDeadline(dl)
	}
	if err := writeFrame(st, req); err != nil {
		_ = st.Reset()
		return err
	}
	_ = st.CloseWrite()
	r := bufio.NewReaderSize(st, 64<<10)
	acct := n.frames.account(p)
	for {
		frame, err := readFrame(r, maxFrame, acct)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			_ = st.Reset()
			return err
		}
		more, err := each(frame)
		if err != nil || !more {
			_ = st.Reset()
			return err
		}
	}
}
