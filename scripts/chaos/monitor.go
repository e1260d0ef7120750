package main

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/qianchain/qianchain/ledger"
)

// sample is the last status the monitor read from a node.
type sample struct {
	Height  uint64 // last known height (kept while the node is down)
	AppHash ledger.Hash
	Fresh   bool      // read in the latest round
	At      time.Time // when Height was read
	Syncing bool
}

// snapshot is every node's latest sample at one moment.
type snapshot struct {
	At      time.Time
	Samples []sample
}

// monitor polls /v1/status of every running node every interval (nodes
// that are stopped or down are skipped, so a SIGSTOPped node does not hold
// up a round), and keeps the latest sample of each.
type monitor struct {
	c        *cluster
	interval time.Duration

	mu   sync.Mutex
	last []sample
}

func newMonitor(c *cluster, interval time.Duration) *monitor {
	return &monitor{c: c, interval: interval, last: make([]sample, len(c.Nodes))}
}

// Run polls until ctx ends.
func (m *monitor) Run(ctx context.Context) {
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		m.poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *monitor) poll(ctx context.Context) {
	var wg sync.WaitGroup
	for i, n := range m.c.Nodes {
		if n.State() != procRunning {
			m.mu.Lock()
			m.last[i].Fresh = false
			m.mu.Unlock()
			continue
		}
		wg.Add(1)
		go func(i int, n *node) {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, m.interval*5)
			defer cancel()
			st, err := n.API.Status(pctx)
			now := time.Now()
			m.mu.Lock()
			defer m.mu.Unlock()
			if err != nil {
				m.last[i].Fresh = false
				return
			}
			m.last[i] = sample{Height: st.Height, AppHash: st.AppHash, Fresh: true, At: now, Syncing: st.Syncing}
		}(i, n)
	}
	wg.Wait()
}

// Snapshot returns the latest samples.
func (m *monitor) Snapshot() snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return snapshot{At: time.Now(), Samples: append([]sample(nil), m.last...)}
}

// Forget resets node i's sample (after its data is wiped, its old height
// means nothing).
func (m *monitor) Forget(i int) {
	m.mu.Lock()
	m.last[i] = sample{}
	m.mu.Unlock()
}

// maxHeight is the highest height known among the nodes idx.
func (s snapshot) maxHeight(idx []int) uint64 {
	var h uint64
	for _, i := range idx {
		h = max(h, s.Samples[i].Height)
	}
	return h
}

// quorumHeight is the highest height that at least q of the nodes idx have
// reached: the height "committed by a majority".
func (s snapshot) quorumHeight(idx []int, q int) uint64 {
	hs := make([]uint64, 0, len(idx))
	for _, i := range idx {
		hs = append(hs, s.Samples[i].Height)
	}
	if len(hs) < q || q < 1 {
		return 0
	}
	sort.Slice(hs, func(a, b int) bool { return hs[a] > hs[b] })
	return hs[q-1]
}

// countAbove is how many of the nodes idx are past height h.
func (s snapshot) countAbove(idx []int, h uint64) int {
	n := 0
	for _, i := range idx {
		if s.Samples[i].Height > h {
			n++
		}
	}
	return n
}
