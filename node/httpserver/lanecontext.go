package httpserver

import (
	"bufio"
	"context"
	"net"
	"sync"
	"time"
)

// laneContext is a lane request's context: done when the handler returns,
// when base is, and — once the handler waits on it (Done) with the body
// read whole — when the client closes its connection, as net/http's
// request context is. A client that gives up on a request held for room in
// the mempool (node.roomGate) so frees its place, as through net/http.
//
// The connection is watched only while something waits: a request answered
// without waiting (nearly all) starts no goroutine.
type laneContext struct {
	context.Context
	cancel context.CancelFunc

	conn net.Conn
	br   *bufio.Reader
	body *laneBody

	once     sync.Once
	watching chan struct{} // closed when the watch ends; nil when there was none
}

func newLaneContext(base context.Context, conn net.Conn, br *bufio.Reader, body *laneBody) *laneContext {
	ctx, cancel := context.WithCancel(base)
	return &laneContext{Context: ctx, cancel: cancel, conn: conn, br: br, body: body}
}

func (c *laneContext) Done() <-chan struct{} {
	c.once.Do(c.watch)
	return c.Context.Done()
}

// watch waits, beside the handler, for the connection's next byte: an
// error other than stop's deadline means the client is gone. A byte (the
// client's next request, sent early) stays in br for the next request. Not
// while the body is still to be read: the handler reads br then.
func (c *laneContext) watch() {
	if !c.body.whole.Load() {
		return
	}
	c.watching = make(chan struct{})
	go func() {
		defer close(c.watching)
		// (Under the request's read deadline, as net/http's watch.)
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
	c.once.Do(func() {})
	if c.watching != nil {
		_ = c.conn.SetReadDeadline(aLongTimeAgo)
		<-c.watching
	}
}

// aLongTimeAgo is a deadline that has passed, which ends a blocked read.
var aLongTimeAgo = time.Unix(1, 0)

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
