package api

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/qianchain/qianchain/node/httpserver"
)

// LimitConfig is a per-client token bucket: each request (for submissions,
// each transaction, one in a batch too) takes a token; tokens refill at
// Rate per second up to Burst. A client out of tokens gets 429
// ERR_RATE_LIMITED with a Retry-After header. The API has two: one on
// transaction submissions (Options.Limit) and one on reads, GET and HEAD
// requests, pages included (Options.Read), so a flood of reads cannot
// spend a gateway's submission budget and the other way round.
//
// The client is the TCP peer's IPv4 address or IPv6 /64 (httpserver.Client;
// X-Forwarded-For is not trusted: put the limit in the proxy when there is
// one). Loopback clients are exempt unless LimitLoopback is set, so that
// `qian bench` and local tools on the node's own host are never throttled.
type LimitConfig struct {
	Rate          float64 // tokens per second; 0 means the default, negative disables the limit
	Burst         int     // bucket size; 0 means the default
	LimitLoopback bool
}

// Defaults: generous for an organisation's gateway, finite for a stranger;
// reads allow a person's browsing (a page is a few requests) and a tool's
// polling, not a crawl.
const (
	DefaultRate      = 200
	DefaultBurst     = 2000
	DefaultReadRate  = 20
	DefaultReadBurst = 100
)

type bucket struct {
	tokens float64
	last   time.Time
}

type limiter struct {
	rate, burst float64
	loopback    bool
	off         bool

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

// newLimiter returns the bucket of c, with rate and burst where c leaves
// them zero.
func newLimiter(c LimitConfig, rate float64, burst int) *limiter {
	l := &limiter{rate: c.Rate, burst: float64(c.Burst), loopback: c.LimitLoopback, buckets: map[string]*bucket{}}
	if l.rate == 0 {
		l.rate = rate
	}
	if l.burst == 0 {
		l.burst = float64(burst)
	}
	l.off = l.rate < 0
	return l
}

// take removes n tokens from ip's bucket; when there are not enough it
// takes none and says how long until there will be.
func (l *limiter) take(ip net.IP, n int, now time.Time) (bool, time.Duration) {
	if l.off || (ip != nil && ip.IsLoopback() && !l.loopback) {
		return true, 0
	}
	need := float64(n)
	if need > l.burst {
		// A batch bigger than the bucket could never pass; let it through
		// once the bucket is full rather than refusing it forever.
		need = l.burst
	}
	key := httpserver.Client(ip)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= need {
		b.tokens -= need
		return true, 0
	}
	wait := time.Duration((need - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// sweep forgets buckets that have refilled, once a minute, so the map
// holds only recently active clients.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// allow applies the submission limit to n transactions of r, writing the
// 429 itself.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, n int) bool {
	return s.limit.allow(w, r, n, "transactions")
}

// allow takes n tokens for r's client or writes the 429.
func (l *limiter) allow(w http.ResponseWriter, r *http.Request, n int, what string) bool {
	ip := httpserver.RemoteIP(r)
	ok, wait := l.take(ip, n, time.Now())
	if ok {
		return true
	}
	secs := strconv.Itoa(max(int(math.Ceil(wait.Seconds())), 1))
	w.Header().Set("Retry-After", secs)
	writeError(w, http.StatusTooManyRequests, "ERR_RATE_LIMITED",
		"too many "+what+" from "+httpserver.Client(ip)+"; retry after "+secs+" s")
	return false
}
