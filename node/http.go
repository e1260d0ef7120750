package node

import (
	"errors"
	"fmt"
	"net"
	"net/http"

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
	sc := httpServerConfig(c)
	ln := httpserver.Listen(raw, sc)
	n.httpAddr = ln.Addr().String()
	n.http = httpserver.New(h, sc, n.ctx)
	n.Metrics.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "qian", Name: "http_connections", Help: "Open HTTP connections."},
			func() float64 { return float64(ln.Open()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "qian", Name: "http_connections_refused_total",
			Help: "HTTP connections closed as they arrived, over http.max_connections or http.max_connections_per_client."},
			func() float64 { return float64(ln.Refused()) }))
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
