package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pageProbe is the well-behaved client: it reads the consumer page from
// 127.0.0.1 ten times a second over a keep-alive connection, as a phone
// would reload it, and records each request's latency and phase. A request
// that fails (an error or a status other than 200) counts at the client's
// timeout.
type pageProbe struct {
	url   string
	phase func() int
	c     *http.Client

	mu      sync.Mutex
	samples []pageSample
}

type pageSample struct {
	at    time.Time
	phase int
	took  time.Duration
	ok    bool
}

const pageTimeout = 5 * time.Second

func newPageProbe(url string, phase func() int) *pageProbe {
	tr := &http.Transport{DialContext: (&net.Dialer{Timeout: pageTimeout}).DialContext, MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second}
	return &pageProbe{url: url, phase: phase, c: &http.Client{Transport: tr, Timeout: pageTimeout}}
}

func (p *pageProbe) run(ctx context.Context) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		phase := p.phase()
		t0 := time.Now()
		ok := p.get(ctx)
		took := time.Since(t0)
		if ctx.Err() != nil {
			return
		}
		if !ok {
			took = max(took, pageTimeout)
		}
		p.mu.Lock()
		p.samples = append(p.samples, pageSample{t0, phase, took, ok})
		p.mu.Unlock()
	}
}

func (p *pageProbe) get(ctx context.Context) bool {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := p.c.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err == nil && resp.StatusCode == http.StatusOK
}

// stats returns the percentiles, count and failures of the samples keep
// selects.
func (p *pageProbe) stats(keep func(pageSample) bool) (p50, p99 time.Duration, n, failed int) {
	p.mu.Lock()
	var ds []time.Duration
	for _, s := range p.samples {
		if keep(s) {
			ds = append(ds, s.took)
			if !s.ok {
				failed++
			}
		}
	}
	p.mu.Unlock()
	return percentile(ds, 0.5), percentile(ds, 0.99), len(ds), failed
}

func (p *pageProbe) recent(d time.Duration) (p50, p99 time.Duration, n, failed int) {
	since := time.Now().Add(-d)
	return p.stats(func(s pageSample) bool { return s.at.After(since) })
}

func (p *pageProbe) phaseStats(phase int) (p50, p99 time.Duration, n, failed int) {
	return p.stats(func(s pageSample) bool { return s.phase == phase })
}

func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = append([]time.Duration(nil), ds...)
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[int(q*float64(len(ds)-1))]
}

// rssProbe samples node0's resident memory (VmRSS) twice a second.
type rssProbe struct {
	pid   func() int
	phase func() int

	mu      sync.Mutex
	samples []rssSample
}

type rssSample struct {
	phase int
	bytes int64
}

func newRSSProbe(pid func() int, phase func() int) *rssProbe {
	return &rssProbe{pid: pid, phase: phase}
}

func (p *rssProbe) run(ctx context.Context) {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		if b := rss(p.pid()); b > 0 {
			p.mu.Lock()
			p.samples = append(p.samples, rssSample{p.phase(), b})
			p.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// last is the latest sample.
func (p *rssProbe) last() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.samples) == 0 {
		return 0
	}
	return p.samples[len(p.samples)-1].bytes
}

// phaseStats returns the mean, peak and last sample of a phase.
func (p *rssProbe) phaseStats(phase int) (mean, peak, last int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var sum, n int64
	for _, s := range p.samples {
		if s.phase != phase {
			continue
		}
		sum += s.bytes
		n++
		peak = max(peak, s.bytes)
		last = s.bytes
	}
	if n > 0 {
		mean = sum / n
	}
	return mean, peak, last
}

// rss reads a process's resident set size from /proc (0 when unknown).
func rss(pid int) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) >= 1 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
