package api

import (
	"net"
	"sync"
	"time"

	"github.com/qianchain/qianchain/node/httpserver"
)

// StreamLimits cap the event stream (GET /v1/events). A subscriber beyond
// Max in all, or PerClient from one client (an IPv4 address or IPv6 /64;
// loopback exempt unless LimitLoopback), gets 503 ERR_TOO_MANY_STREAMS.
// WriteTimeout is the time each write to a subscriber may take: one that
// stops reading is dropped within it (the next block or the 15 s
// heartbeat writes). Zero values take the defaults.
type StreamLimits struct {
	Max, PerClient int
	LimitLoopback  bool
	WriteTimeout   time.Duration
}

// Defaults of StreamLimits.
const (
	DefaultMaxStreams          = 256
	DefaultMaxStreamsPerClient = 8
	DefaultStreamWriteTimeout  = 60 * time.Second
)

// streamCap counts subscribers, in all and per client.
type streamCap struct {
	StreamLimits

	mu       sync.Mutex
	total    int
	byClient map[string]int
}

func newStreamCap(l StreamLimits) *streamCap {
	if l.Max == 0 {
		l.Max = DefaultMaxStreams
	}
	if l.PerClient == 0 {
		l.PerClient = DefaultMaxStreamsPerClient
	}
	if l.WriteTimeout == 0 {
		l.WriteTimeout = DefaultStreamWriteTimeout
	}
	return &streamCap{StreamLimits: l, byClient: map[string]int{}}
}

// acquire takes a subscriber's place for ip's client and returns the
// function that gives it back, or false when the stream is full for it.
func (c *streamCap) acquire(ip net.IP) (func(), bool) {
	key := httpserver.Client(ip)
	perClient := c.LimitLoopback || ip == nil || !ip.IsLoopback()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total >= c.Max || (perClient && c.byClient[key] >= c.PerClient) {
		return nil, false
	}
	c.total++
	if perClient {
		c.byClient[key]++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.total--
			if perClient {
				if c.byClient[key]--; c.byClient[key] <= 0 {
					delete(c.byClient, key)
				}
			}
		})
	}, true
}
