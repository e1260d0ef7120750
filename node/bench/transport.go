package bench

import (
	"net"
	"net/http"
	"time"
)

// newTransport keeps enough idle connections for every worker, so the load
// is not spent on TCP handshakes.
func newTransport(workers int) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        4 * workers,
		MaxIdleConnsPerHost: 2 * workers,
		IdleConnTimeout:     90 * time.Second,
	}
}
