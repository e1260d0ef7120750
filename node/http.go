package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/httpserver"
)

// listenHTTP opens the HTTP address and serves what handler builds (only
// /metrics when nil) with the limits of c: timeouts and connection caps
// (node/httpserver). Requests run under the node's context, so Stop ends
// long-lived ones (the event stream) at once instead of waiting them out.
func (n *Node) listenHTTP(c config.HTTP, handler func(*Node) http.Handler) error {
	var h http.Handler = promhttp.HandlerFor(n.Metrics.Registry, promhttp.HandlerOpts{})
	if handler != nil {
		h = handler(n)
	}
	raw, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("http listen %s: %w", c.Listen, err)
	}
	// A handler that names lane paths (node/api: POST /v1/txs) has their
	// plain requests read and answered without net/http's per-request
	// machinery (httpserver.Server).
	var lane httpserver.Lane
	if l, ok := h.(httpserver.Laned); ok {
		lane = l.Lane()
	}
	h = n.counted(h)
	sc := httpServerConfig(c)
	ln := httpserver.Listen(raw, sc)
	n.httpAddr = ln.Addr().String()
	n.http = httpserver.NewServer(h, sc, n.ctx, lane)
	n.Metrics.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "qian", Name: "http_connections", Help: "Open HTTP connections."},
			func() float64 { return float64(ln.Open()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "qian", Name: "http_connections_refused_total",
			Help: "HTTP connections closed as they arrived, over http.max_connections or http.max_connections_per_client."},
			func() float64 { return float64(ln.Refused()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "qian", Name: "http_lane_requests_total",
			Help: "HTTP requests the lane answered without net/http (plain POSTs of one transaction; node/httpserver)."},
			func() float64 { return float64(n.http.Served()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "qian", Name: "http_lane_handoffs_total",
			Help: "HTTP connections the lane handed to net/http at their first request of another shape."},
			func() float64 { return float64(n.http.Handed()) }))
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := n.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("http server stopped", "err", err)
		}
	}()
	return nil
}

// httpServerConfig is the server part of the http.* keys.
func httpServerConfig(c config.HTTP) httpserver.Config {
	return httpserver.Config{
		ReadTimeout: c.ReadTimeout, WriteTimeout: c.WriteTimeout, IdleTimeout: c.IdleTimeout,
		MaxConns: c.MaxConnections, MaxConnsPerClient: c.MaxConnectionsPerClient, LimitLoopback: c.LimitLoopback,
	}
}

// counted wraps h so that Stop can wait for requests still being served:
// a handler that reads the store after Stop closed it panics in Pebble
// ("pebble: closed") and leaves its iterator unclosed, which fails the
// store's Close and made a node stopped under load exit 1.
func (n *Node) counted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.serving.Add(1)
		defer n.serving.Add(-1)
		h.ServeHTTP(w, r)
	})
}

// stopHTTP stops the HTTP server and returns once no request is being
// served, or after wait: Shutdown lets requests finish for up to grace,
// then the connections are closed, which ends what reads or writes them;
// requests run under the node's context, already cancelled, so the event
// stream ends at once.
func (n *Node) stopHTTP(grace, wait time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	err := n.http.Shutdown(ctx)
	cancel()
	if err != nil {
		_ = n.http.Close()
	}
	// A counter polled, not a WaitGroup: a request accepted just before
	// Close may still begin, and a WaitGroup must not grow while waited on.
	for deadline := time.Now().Add(wait); n.serving.Load() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			n.log.Warn("stopping with HTTP requests still being served", "requests", n.serving.Load(), "waited", wait)
			return
		}
	}
}
