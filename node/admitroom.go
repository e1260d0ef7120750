package node

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/qianchain/qianchain/node/mempool"
)

// roomGate holds a client's submission while the mempool has no room for
// clients' transactions, until a commit frees some or wait passes
// (mempool.full_wait), so that a client is refused ERR_MEMPOOL_FULL only
// when the chain stayed full for that long.
//
// Refused at once, a client retries after a pause of its own choosing:
// clients that each wait for their answer (a gateway's workers) sent most
// transactions two or three times — the side-by-side's 16 workers per node
// at 50 per request were refused 600,000-740,000 transactions a minute
// while committing 350,000-390,000, each refusal read, decoded, hashed and
// answered by the node and encoded and read again by the client. Held, the
// request is admitted on the first commit after it arrived (a block's
// interval under load), and its client sends nothing in between: refusals
// fell a hundredfold and 50 per request committed 5-8 % more
// (docs/benchmarks.md, "Held, not refused").
//
// Requests let through and not yet admitted count against the room
// (entering), so that a commit that frees room for 2,000 transactions lets
// through requests for about 2,000, not every one waiting. A request never
// waits for more room than the clients' share could ever hold.
type roomGate struct {
	pool *mempool.Mempool
	wait time.Duration // mempool.full_wait; 0: never hold
	// onHold, when set, is told of each request held (the
	// qian_admission_held_total metric).
	onHold func()

	mu       sync.Mutex
	entering int // transactions let through and not yet admitted
	// held counts the requests held here from clients' connections: they
	// cannot join a gathering batch either (clientSet), so the batch need
	// not wait for them.
	held atomic.Int64
}

// enter holds a client's submission of n transactions, from the
// connection from ("" for the node's own callers), until the mempool has
// room for them, g.wait passes, or stop is closed; leave(n) must follow
// once they are admitted or refused. A nil gate holds nothing.
func (g *roomGate) enter(n int, from string, stop <-chan struct{}) {
	if g == nil {
		return
	}
	var deadline <-chan time.Time
	for {
		room, capacity, freed := g.pool.ClientRoom()
		g.mu.Lock()
		if g.wait <= 0 || room-g.entering >= min(n, capacity) {
			g.entering += n
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		if deadline == nil {
			t := time.NewTimer(g.wait)
			defer t.Stop()
			deadline = t.C
			if from != "" {
				g.held.Add(1)
				defer g.held.Add(-1)
			}
			if g.onHold != nil {
				g.onHold()
			}
		}
		select {
		case <-freed:
		case <-deadline:
			g.mu.Lock()
			g.entering += n
			g.mu.Unlock()
			return
		case <-stop:
			g.mu.Lock()
			g.entering += n
			g.mu.Unlock()
			return
		}
	}
}

// leave ends what enter(n) began.
func (g *roomGate) leave(n int) {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.entering -= n
	g.mu.Unlock()
}

// heldClients is how many requests from clients' connections are held.
func (g *roomGate) heldClients() int { return int(g.held.Load()) }
