package p2p

import (
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"
)

// DefaultPeerBudget is the memory one peer's unfinished frames may hold at
// once, across all its streams, when Config.PeerBudget is zero. An honest
// peer's largest frames in flight together are a consensus message (64 MiB
// + 256 KiB at the ledger's largest block), a block sync response
// (max_block_bytes + 1 MiB) and a transaction batch (about 1 MiB): 131 MiB
// at most, so it never meets the budget.
const DefaultPeerBudget = 160 << 20

// budget tracks the bytes held by frames being read, per peer. Frames are
// charged as their buffers grow (readFrame) and discharged when read.
type budget struct {
	limit int

	mu      sync.Mutex
	held    map[peer.ID]int
	total   int
	pending int // frames whose length is read and payload is not
}

func newBudget(limit int) *budget {
	return &budget{limit: limit, held: map[peer.ID]int{}}
}

// account returns the account of p's frames.
func (b *budget) account(p peer.ID) *account { return &account{b: b, p: p} }

// usage returns the bytes held by unfinished frames and their number.
func (b *budget) usage() (bytes, frames int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total, b.pending
}

// account is one peer's share of a budget. A nil account charges nothing.
type account struct {
	b *budget
	p peer.ID
}

func (a *account) begin() {
	if a == nil {
		return
	}
	a.b.mu.Lock()
	a.b.pending++
	a.b.mu.Unlock()
}

// take charges n more bytes to the peer if its budget holds them.
func (a *account) take(n int) bool {
	if a == nil {
		return true
	}
	a.b.mu.Lock()
	defer a.b.mu.Unlock()
	if a.b.held[a.p]+n > a.b.limit {
		return false
	}
	a.b.held[a.p] += n
	a.b.total += n
	return true
}

// end returns the n bytes one frame held.
func (a *account) end(n int) {
	if a == nil {
		return
	}
	a.b.mu.Lock()
	defer a.b.mu.Unlock()
	a.b.pending--
	a.b.total -= n
	if a.b.held[a.p] -= n; a.b.held[a.p] <= 0 {
		delete(a.b.held, a.p)
	}
}

// held is what the peer's frames hold now.
func (a *account) held() int {
	if a == nil {
		return 0
	}
	a.b.mu.Lock()
	defer a.b.mu.Unlock()
	return a.b.held[a.p]
}
