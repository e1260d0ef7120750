package httpserver

import (
	"bufio"
	"context"
	"net"
	"sync"
	"time"
)

// laneContext is a lane request's context: done when the handler returns,
// when base is, and — once the handler has waited on it (Done) and the body
// has been read whole — when the client closes its connection, as
// net/http's request context is. A client that gives up on a request held
// for room in the mempool (node.roomGate) so frees its place, as through
// net/http.
//
// The connection is watched only when something waits: a request answered
// without waiting (nearly all) starts no goroutine.
type laneContext struct {
	context.Context
	cancel context.CancelFunc

	conn net.Conn
	br   *bufio.Reader

	mu       sync.Mutex
	asked    bool          // Done was called
	read     bool          // the body was read whole
	stopped  bool          // stop was called: no watch starts
	watching chan struct{} // closed when the watch ends; nil when none began
}

func newLaneContext(base context.Context, conn net.Conn, br *bufio.Reader, bodyRead bool) *laneContext {
	ctx, cancel := context.WithCancel(base)
	return &laneContext{Context: ctx, cancel: cancel, conn: conn, br: br, read: bodyRead}
}

func (c *laneContext) Done() <-chan struct{} {
	c.mu.Lock()
	c.asked = true
	c.watchLocked()
	c.mu.Unlock()
	return c.Context.Done()
}

// bodyRead is told by laneBody that the body has been read whole.
func (c *laneContext) bodyRead() {
	c.mu.Lock()
	c.read = true
	c.watchLocked()
	c.mu.Unlock()
}

// watchLocked starts, once, when something waits and the body is read
// (before then the handler reads br), a watch beside the handler for the
// connection's next byte: an error other than stop's deadline means the
// client is gone. A byte (the client's next request, sent early) stays in
// br for the next request. As net/http's background read, it waits without
// the request's read deadline.
func (c *laneContext) watchLocked() {
	if !c.asked || !c.read || c.stopped || c.watching != nil {
		return
	}
	c.watching = make(chan struct{})
	_ = c.conn.SetReadDeadline(time.Time{})
	go func() {
		defer close(c.watching)
		if _, err := c.br.Peek(1); err != nil && !isTimeout(err) {
			c.cancel()
		}
	}()
}

// stop ends the request's context and the watch, if any, before the
// connection is read again. (The deadline it leaves is replaced before the
// next read.)
func (c *laneContext) stop() {
	c.cancel()
	c.mu.Lock()
	c.stopped = true
	w := c.watching
	c.mu.Unlock()
	if w != nil {
		_ = c.conn.SetReadDeadline(aLongTimeAgo)
		<-w
	}
}

// aLongTimeAgo is a deadline that has passed, which ends a blocked read.
var aLongTimeAgo = time.Unix(1, 0)

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
