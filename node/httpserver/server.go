package httpserver

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Config is the server's limits (node/config's http.* keys). A zero value
// is no limit, as in net/http.
type Config struct {
	ReadTimeout       time.Duration // whole request, body included
	WriteTimeout      time.Duration // response (streams set their own per write)
	IdleTimeout       time.Duration // keep-alive connection between requests
	MaxConns          int           // open connections in all
	MaxConnsPerClient int           // open connections of one client
	LimitLoopback     bool          // apply MaxConnsPerClient to loopback clients too
}

// Header limits: a client has this long to send its request line and
// headers (at most ReadTimeout), and this many bytes.
const (
	readHeaderTimeout = 10 * time.Second
	maxHeaderBytes    = 64 << 10
)

// New returns the server for h with c's timeouts (a zero timeout is none,
// as in net/http; node/config never gives one). Requests run under base,
// so cancelling it ends long-lived ones (the event stream) at once.
func New(h http.Handler, c Config, base context.Context) *http.Server {
	header := readHeaderTimeout
	if c.ReadTimeout > 0 {
		header = min(header, c.ReadTimeout)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: header,
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
}

// Listen wraps ln in c's connection caps.
func Listen(ln net.Listener, c Config) *Listener {
	return NewListener(ln, c.MaxConns, c.MaxConnsPerClient, c.LimitLoopback)
}
