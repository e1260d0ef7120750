package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// attacks are the attack goroutines of a run and what they met, counted by
// outcome: "open" (held now), "accepted", "refused" (closed by node0 before
// it answered anything), "closed" (closed by node0 later), HTTP statuses
// with their codes ("429 ERR_RATE_LIMITED"), and so on.
type attacks struct {
	wg sync.WaitGroup

	mu     sync.Mutex
	counts map[string]map[string]*atomic.Int64 // attack, outcome
	order  []string
}

func newAttacks() *attacks { return &attacks{counts: map[string]map[string]*atomic.Int64{}} }

// counter returns the counter of an attack's outcome.
func (a *attacks) counter(attack, outcome string) *atomic.Int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.counts[attack]
	if m == nil {
		m = map[string]*atomic.Int64{}
		a.counts[attack] = m
		a.order = append(a.order, attack)
	}
	c := m[outcome]
	if c == nil {
		c = new(atomic.Int64)
		m[outcome] = c
	}
	return c
}

func (a *attacks) add(attack, outcome string, n int64) { a.counter(attack, outcome).Add(n) }

// start runs f on a goroutine of the attack.
func (a *attacks) start(f func()) {
	a.wg.Add(1)
	go func() { defer a.wg.Done(); f() }()
}

// wait returns when every attack goroutine has ended (and closed what it
// held).
func (a *attacks) wait() { a.wg.Wait() }

// snapshot returns the counts by attack and outcome.
func (a *attacks) snapshot() map[string]map[string]int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]map[string]int64{}
	for k, m := range a.counts {
		out[k] = map[string]int64{}
		for o, c := range m {
			out[k][o] = c.Load()
		}
	}
	return out
}

// brief is a one-line account for the progress lines.
func (a *attacks) brief() string {
	s := a.snapshot()
	a.mu.Lock()
	order := append([]string(nil), a.order...)
	a.mu.Unlock()
	var parts []string
	for _, k := range order {
		parts = append(parts, k+" "+outcomes(s[k], 3))
	}
	return strings.Join(parts, "; ")
}

// outcomes prints the largest counts first, at most n (0: all).
func outcomes(m map[string]int64, n int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if n > 0 && len(keys) > n {
		keys = keys[:n]
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
