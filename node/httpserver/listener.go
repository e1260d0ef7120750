package httpserver

import (
	"net"
	"sync"
	"sync/atomic"
)

// Listener caps the connections it hands out: at most max open in all and
// perClient from one client (Client), loopback clients exempt from the
// latter unless limitLoopback. A connection over either cap is closed as
// soon as it is accepted, without a response, and counted; Accept goes on
// to the next. Safe for concurrent use.
type Listener struct {
	net.Listener
	max, perClient int
	limitLoopback  bool

	mu       sync.Mutex
	open     int
	byClient map[string]int

	refused atomic.Uint64
}

// NewListener wraps ln with the caps; a cap of 0 is none.
func NewListener(ln net.Listener, max, perClient int, limitLoopback bool) *Listener {
	return &Listener{Listener: ln, max: max, perClient: perClient, limitLoopback: limitLoopback, byClient: map[string]int{}}
}

// Accept returns the next connection within the caps.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := addrIP(c.RemoteAddr().String())
		key := Client(ip)
		perClient := l.perClient > 0 && (l.limitLoopback || ip == nil || !ip.IsLoopback())
		l.mu.Lock()
		if (l.max > 0 && l.open >= l.max) || (perClient && l.byClient[key] >= l.perClient) {
			l.mu.Unlock()
			l.refused.Add(1)
			_ = c.Close()
			continue
		}
		l.open++
		if perClient {
			l.byClient[key]++
		} else {
			key = ""
		}
		l.mu.Unlock()
		return &conn{Conn: c, l: l, key: key, counted: perClient}, nil
	}
}

// Open is the number of connections open; Refused counts those closed at
// accept for being over a cap.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// Refused is the number of connections closed at accept.
func (l *Listener) Refused() uint64 { return l.refused.Load() }

// conn gives its slot back when it is closed, once.
type conn struct {
	net.Conn
	l       *Listener
	key     string
	counted bool
	once    sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		if c.counted {
			if c.l.byClient[c.key]--; c.l.byClient[c.key] <= 0 {
				delete(c.l.byClient, c.key)
			}
		}
		c.l.mu.Unlock()
	})
	return err
}

// CloseWrite ends the sending side of the connection when it has one (a
// TCP connection), so that a server closing a connection whose request it
// did not read whole can let the client read the answer first (net/http's
// closeWriteAndWait, the lane's): without it the close could reset the
// connection and lose the answer.
func (c *conn) CloseWrite() error { return closeWrite(c.Conn) }

// closeWrite is CloseWrite on c if it has one.
func closeWrite(c net.Conn) error {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
