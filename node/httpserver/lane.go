package httpserver

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server is net/http's server (New) with a lane in front of it: requests of
// exactly one plain shape — POST to one of a few paths over HTTP/1.1
// keep-alive, with a Content-Length, a Host and only the common headers
// (parseHead) — are read and answered by the lane itself, and handed to
// the same handler; a connection's first request of any other shape hands
// the whole connection, bytes already read included, to net/http, which
// serves it from then on. The handler cannot tell the two apart, save that
// a lane request's header map holds Content-Type alone.
//
// Why: a client sending one transaction per request (a farm's phone, a
// sensor, `qian bench --batch 1`) costs net/http's per-request machinery —
// header maps, a context and a background-read goroutine per request, the
// response's buffering and header cloning — about as much as the node's
// admission of the transaction (docs/benchmarks.md, "A lane for one
// transaction per request"). The lane keeps the two syscalls and the
// handler and drops the rest.
//
// The lane bounds time as net/http does with the same Config: the request's
// head within the header timeout, the whole request within ReadTimeout, the
// response within WriteTimeout (from the end of the head), an idle
// connection within IdleTimeout. The request's context ends when the
// handler returns, with base, or when the client leaves while the handler
// waits on it (laneContext).
type Server struct {
	http    *http.Server
	handler http.Handler
	lines   [][]byte // "POST <path> HTTP/1.1\r\n" per lane path
	paths   []string
	maxBody int64
	base    context.Context
	c       Config
	header  time.Duration // header timeout, as New gives net/http

	handoff *handoffListener

	mu      sync.Mutex
	ln      net.Listener
	conns   map[*laneConn]struct{}
	closing bool

	served, handed atomic.Uint64
}

// Lane is what a Server's lane serves: POSTs to Paths (none: net/http
// serves everything) with a Content-Length of at most MaxBody (at most
// 256 KiB; 0 is 256 KiB). MaxBody is the handler's own limit, so that a
// body over it is answered by net/http, whose answer (413, then the
// connection closed) the lane cannot give.
type Lane struct {
	Paths   []string
	MaxBody int64
}

// NewServer returns New's server for h with lane.
func NewServer(h http.Handler, c Config, base context.Context, lane Lane) *Server {
	s := &Server{http: New(h, c, base), handler: h, base: base, c: c,
		handoff: newHandoffListener(), conns: map[*laneConn]struct{}{}}
	s.header = s.http.ReadHeaderTimeout
	s.maxBody = lane.MaxBody
	if s.maxBody <= 0 || s.maxBody > maxLaneBody {
		s.maxBody = maxLaneBody
	}
	for _, p := range lane.Paths {
		s.lines = append(s.lines, []byte("POST "+p+" HTTP/1.1\r\n"))
		s.paths = append(s.paths, p)
	}
	return s
}

// Laned is a handler that names the paths whose POSTs it answers from the
// request's body and Content-Type alone, and its limit on their bodies.
type Laned interface {
	Lane() Lane
}

// Served is the number of requests the lane answered itself; Handed the
// number of connections it handed to net/http.
func (s *Server) Served() uint64 { return s.served.Load() }

// Handed is the number of connections handed to net/http.
func (s *Server) Handed() uint64 { return s.handed.Load() }

// Serve accepts connections on ln until Shutdown or Close (then
// http.ErrServerClosed) or an accept error.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		_ = ln.Close()
		return http.ErrServerClosed
	}
	s.ln = ln
	s.mu.Unlock()
	go func() { _ = s.http.Serve(s.handoff) }()
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if closing {
				return http.ErrServerClosed
			}
			// As net/http: a temporary failure (out of file descriptors)
			// is waited out, growing from 5 ms to 1 s.
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		if len(s.lines) == 0 {
			s.hand(nil, c)
			continue
		}
		go s.serveConn(c)
	}
}

func isTemporary(err error) bool {
	t, ok := err.(interface{ Temporary() bool })
	return ok && t.Temporary()
}

// Shutdown stops accepting, closes idle connections, lets requests being
// served finish, and returns once every connection is closed or ctx is done
// (then ctx's error), as http.Server.Shutdown.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeListener(false)
	err := s.http.Shutdown(ctx)
	for tick := time.NewTicker(10 * time.Millisecond); ; {
		s.mu.Lock()
		n := len(s.conns)
		s.mu.Unlock()
		if n == 0 {
			tick.Stop()
			return err
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			tick.Stop()
			return ctx.Err()
		}
	}
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	s.closeListener(true)
	return s.http.Close()
}

// closeListener marks the server closing, closes its listener and the
// hand-off listener, and closes the lane's idle connections (all of them
// when all).
func (s *Server) closeListener(all bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing = true
	if s.ln != nil {
		_ = s.ln.Close()
	}
	s.handoff.Close()
	for c := range s.conns {
		if all || !c.busy {
			_ = c.Close()
		}
	}
}

// laneConn is a connection the lane is serving.
type laneConn struct {
	net.Conn
	busy bool // with Server.mu: a request is being read or answered
}

// track adds c to the lane's connections, false when the server is closing.
func (s *Server) track(c *laneConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c *laneConn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// setBusy marks c busy or idle; false when the server is closing and c
// should close rather than start (or wait for) another request.
func (s *Server) setBusy(c *laneConn, busy bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.busy = busy
	return !s.closing
}

// hand gives c to net/http.
func (s *Server) hand(lc *laneConn, c net.Conn) {
	if lc != nil {
		s.untrack(lc)
	}
	s.handed.Add(1)
	s.handoff.hand(c)
}

// isClosing reports whether Shutdown or Close began.
func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// handedConn is a connection the lane hands to net/http after reading the
// start of its next request into r.
type handedConn struct {
	net.Conn
	r *bufio.Reader // nil once its bytes are read
	// caps are when the head and the whole request were due under the
	// lane (zero: none): net/http's first two read deadlines — its header
	// timeout and its whole-request timeout, counted from the hand-off —
	// are held to them, so that a slow request does not get either
	// timeout twice. (net/http 1.26 sets these two first: server.go's
	// conn.serve, then readRequest.)
	caps []time.Time
}

func (c *handedConn) Read(p []byte) (int, error) {
	if c.r != nil {
		if c.r.Buffered() > 0 {
			return c.r.Read(p)
		}
		c.r = nil // from here on, straight from the connection
	}
	return c.Conn.Read(p)
}

func (c *handedConn) SetReadDeadline(t time.Time) error {
	if len(c.caps) > 0 {
		if limit := c.caps[0]; !limit.IsZero() && (t.IsZero() || t.After(limit)) {
			t = limit
		}
		c.caps = c.caps[1:]
	}
	return c.Conn.SetReadDeadline(t)
}

// CloseWrite lets net/http end its side of the connection before closing
// it (closeWriteAndWait), as on a plain TCP connection.
func (c *handedConn) CloseWrite() error { return closeWrite(c.Conn) }

func (c *handedConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

// handoffListener is the listener net/http serves: it accepts the
// connections the lane hands it.
type handoffListener struct {
	conns  chan net.Conn
	done   chan struct{}
	closed sync.Once
}

func newHandoffListener() *handoffListener {
	return &handoffListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// hand waits for net/http to accept c, or closes c when the listener is
// closed.
func (l *handoffListener) hand(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		_ = c.Close()
	}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		// Both cases may have been ready: a connection handed after
		// Close must not reach a server that has shut down.
		select {
		case <-l.done:
			_ = c.Close()
			return nil, net.ErrClosed
		default:
			return c, nil
		}
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.closed.Do(func() { close(l.done) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return laneAddr{} }

type laneAddr struct{}

func (laneAddr) Network() string { return "lane" }
func (laneAddr) String() string  { return "lane" }
