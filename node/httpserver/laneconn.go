package httpserver

import (
	"bufio"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"time"
)

// headBytes is the most of a request's head the lane reads before it
// decides; a longer head is handed to net/http (which allows 64 KiB).
const headBytes = 4 << 10

// maxLaneBody is the largest Content-Length the lane accepts (Lane.MaxBody
// at most); a larger body goes to net/http. It also bounds what the lane
// discards of a body the handler did not read, as net/http's 256 KiB does.
const maxLaneBody = 256 << 10

// serveConn serves c's requests until it closes, fails, times out or meets
// a request of another shape, which hands it to net/http.
func (s *Server) serveConn(raw net.Conn) {
	c := &laneConn{Conn: raw}
	if !s.track(c) {
		_ = raw.Close()
		return
	}
	br := bufio.NewReaderSize(raw, headBytes)
	req := laneRequest{remote: raw.RemoteAddr().String()}
	for first := true; ; first = false {
		if !first {
			// Between requests: the idle timeout (net/http: ReadTimeout
			// when IdleTimeout is zero) until the next one's first byte.
			idle := s.c.IdleTimeout
			if idle == 0 {
				idle = s.c.ReadTimeout
			}
			_ = raw.SetReadDeadline(deadline(time.Now(), idle))
			// As net/http: four bytes, and up to four stray CR or LF a
			// client sent after the last body skipped, under the idle
			// deadline, before the request counts as begun.
			peek, err := br.Peek(4)
			if err != nil {
				s.drop(c)
				return
			}
			_, _ = br.Discard(leadingCRLF(peek))
		}
		if !s.setBusy(c, true) {
			s.drop(c)
			return
		}
		start := time.Now()
		headEnd := deadline(start, s.header)
		_ = raw.SetReadDeadline(headEnd)
		head, ok := s.readHead(br)
		if !ok {
			if head.err != nil && br.Buffered() == 0 {
				s.drop(c)
				return
			}
			// (A head cut short by an error goes to net/http too, which
			// reads the same bytes, meets the same error and answers as
			// it does.)
			s.hand(c, &handedConn{Conn: c.Conn, r: br, caps: []time.Time{headEnd, deadline(start, s.c.ReadTimeout)}})
			return
		}
		req.read(head)
		_, _ = br.Discard(head.size)
		_ = raw.SetReadDeadline(deadline(start, s.c.ReadTimeout))
		_ = raw.SetWriteDeadline(deadline(time.Now(), s.c.WriteTimeout))
		keep, unread := s.serveOne(c, br, &req)
		s.served.Add(1)
		if !keep {
			if unread {
				// As net/http: the client may still be sending the body;
				// closing with it unread would reset the connection and
				// could lose the answer.
				closeWriteAndWait(raw)
			}
			s.drop(c)
			return
		}
		if !s.setBusy(c, false) {
			s.drop(c)
			return
		}
	}
}

// leadingCRLF counts the CR and LF bytes b starts with.
func leadingCRLF(b []byte) int {
	n := 0
	for n < len(b) && (b[n] == '\r' || b[n] == '\n') {
		n++
	}
	return n
}

// closeWriteAndWait ends the answer's side of c and gives the client a
// moment to read it, as net/http does before it closes a connection whose
// request body it did not read whole.
func closeWriteAndWait(c net.Conn) {
	_ = closeWrite(c)
	time.Sleep(rstAvoidanceDelay)
}

// rstAvoidanceDelay is net/http's.
const rstAvoidanceDelay = 500 * time.Millisecond

// deadline is d after t, or none when d is zero.
func deadline(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return t.Add(d)
}

// drop closes c and forgets it.
func (s *Server) drop(c *laneConn) {
	_ = c.Close()
	s.untrack(c)
}

// readHead reads the next request's head: ok when it is the lane's; when
// not ok, err says the connection failed (otherwise net/http takes it).
func (s *Server) readHead(br *bufio.Reader) (laneHead, bool) {
	for {
		b, _ := br.Peek(br.Buffered())
		h, more := parseHead(b, s.lines, s.paths, s.maxBody)
		switch {
		case h.size > 0:
			return h, true
		case !more || len(b) >= headBytes:
			return laneHead{}, false
		}
		if _, err := br.Peek(len(b) + 1); err != nil {
			return laneHead{err: err}, false
		}
	}
}

// laneRequest is what a connection's lane requests share: the client's
// address, and the last request's head as strings (a client sends the same
// Host and Content-Type every time, so they are made once).
type laneRequest struct {
	remote, path, host, contentType string
	contentLength                   int64
}

// read takes h's fields, before the bytes they point into are read over.
func (q *laneRequest) read(h laneHead) {
	q.path, q.contentLength = h.path, h.contentLength
	if string(h.host) != q.host {
		q.host = string(h.host)
	}
	if string(h.contentType) != q.contentType {
		q.contentType = string(h.contentType)
	}
}

// serveOne answers q (its body is next in br) with the handler, and
// reports whether the connection may carry another request and, when not,
// whether the request's body was left unread.
func (s *Server) serveOne(c *laneConn, br *bufio.Reader, q *laneRequest) (keep, unread bool) {
	body := &laneBody{r: br, n: q.contentLength}
	ctx := newLaneContext(s.base, c.Conn, br, q.contentLength == 0)
	body.ctx = ctx
	header := http.Header{}
	if q.contentType != "" {
		header["Content-Type"] = []string{q.contentType}
	}
	r := (&http.Request{
		Method: http.MethodPost, URL: &url.URL{Path: q.path}, RequestURI: q.path,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        header,
		Body:          body,
		ContentLength: q.contentLength,
		Host:          q.host,
		RemoteAddr:    q.remote,
	}).WithContext(ctx)
	w := &laneWriter{conn: c.Conn, header: http.Header{}}
	ok := s.call(w, r, q.remote)
	ctx.stop()
	if !ok {
		return false, body.n > 0
	}
	// What the handler left of the body is read and dropped (at most
	// maxLaneBody), so that the next request starts where it should; when
	// it cannot be (the read timeout passed), the answer says the
	// connection closes, as net/http's does.
	if body.n > 0 && !w.close {
		if _, err := io.CopyN(io.Discard, body, body.n); err != nil {
			w.close = true
		}
	}
	if s.isClosing() {
		w.close = true // as net/http's answers once Shutdown began
	}
	if err := w.finish(); err != nil {
		return false, false
	}
	return !w.close, body.n > 0
}

// call runs the handler, recovering a panic as net/http does (logged unless
// http.ErrAbortHandler; the connection is closed without an answer).
func (s *Server) call(w *laneWriter, r *http.Request, remote string) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			ok = false
			if p != http.ErrAbortHandler {
				buf := make([]byte, 64<<10)
				buf = buf[:runtime.Stack(buf, false)]
				log.Printf("http: panic serving %s: %v\n%s", remote, p, buf)
			}
		}
	}()
	s.handler.ServeHTTP(w, r)
	return true
}

// laneBody is a request body of n bytes still to come from r.
type laneBody struct {
	r *bufio.Reader
	n int64
	// ctx is told when the body has been read whole (it may then watch
	// r for the client leaving).
	ctx *laneContext
}

func (b *laneBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	k, err := b.r.Read(p)
	b.n -= int64(k)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if b.n == 0 {
		b.ctx.bodyRead()
		if err == nil {
			err = io.EOF
		}
	}
	return k, err
}

func (b *laneBody) Close() error { return nil }
