package node

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/qianchain/qianchain/node/mempool"
)

// roomGate holds a client's submission while the mempool has no room for
// clients' transactions, until room frees or wait passes
// (mempool.full_wait); then it goes on to admission, which may still refuse
// it ERR_MEMPOOL_FULL (validators' relays, which are not held, may take the
// room first; a mempool full by bytes is not waited for).
//
// Refused at once, a client retries after a pause of its own choosing:
// clients that each wait for their answer (a gateway's workers) sent most
// transactions two or three times — the side-by-side's 16 workers per node
// at 50 per request were refused 600,000-740,000 transactions a minute
// while committing 350,000-390,000, each refusal read, decoded, hashed and
// answered by the node and encoded and read again by the client. Held, a
// request goes in as soon as a commit frees room for it, and its client
// sends nothing in between: refusals fell a hundredfold and 50 per request
// committed 5-8 % more (docs/benchmarks.md, "Held, not refused").
//
// Held requests go in arrival order: only the oldest watches the mempool,
// and each one let through hands the turn to the next (so a large request
// at the front, waiting for room for all of it, keeps smaller ones behind
// it waiting too, for a commit or two). Requests let through
// and not yet admitted count against the room (entering), so that a commit
// that frees room for 2,000 transactions lets through requests for about
// 2,000, and the rest wait for the next. A request never waits for more
// room than the clients' share could ever hold.
type roomGate struct {
	pool *mempool.Mempool
	wait time.Duration // mempool.full_wait; 0: never hold
	// onHold, when set, is told of each request held (the
	// qian_admission_held_total metric).
	onHold func()

	mu       sync.Mutex
	entering int           // transactions let through and not yet admitted
	queue    []*roomWaiter // held requests, oldest first
}

// roomWaiter is a held request.
type roomWaiter struct {
	n int
	// turn is signalled when the request may have become the oldest, or
	// when room may have grown without a commit (leave).
	turn chan struct{}
}

// enter holds a client's submission of n transactions until the mempool
// has room for them (and every request held before it has gone), g.wait
// passes, ctx is done (the client went away), or stop is closed; leave(n)
// must follow once they are admitted or refused. A nil gate holds nothing.
func (g *roomGate) enter(ctx context.Context, n int, stop <-chan struct{}) {
	if g == nil {
		return
	}
	g.mu.Lock()
	if n == 0 || g.wait <= 0 || len(g.queue) == 0 && g.fitsLocked(n) {
		g.entering += n
		g.mu.Unlock()
		return
	}
	w := &roomWaiter{n: n, turn: make(chan struct{}, 1)}
	g.queue = append(g.queue, w)
	g.mu.Unlock()
	if g.onHold != nil {
		g.onHold()
	}
	deadline := time.NewTimer(g.wait)
	defer deadline.Stop()
	for {
		// Only the oldest watches the mempool: a commit wakes one request,
		// which lets the next through if there is room for it too.
		var freed <-chan struct{}
		g.mu.Lock()
		if g.queue[0] == w {
			var fits bool
			if fits, freed = g.roomLocked(n); fits {
				g.leaveQueueLocked(w)
				g.mu.Unlock()
				return
			}
		}
		g.mu.Unlock()
		select {
		case <-freed:
			continue
		case <-w.turn:
			continue
		case <-deadline.C:
		case <-ctx.Done():
		case <-stop:
		}
		g.mu.Lock()
		g.leaveQueueLocked(w)
		g.mu.Unlock()
		return
	}
}

// fitsLocked reports, with g.mu held, whether n more transactions fit.
func (g *roomGate) fitsLocked(n int) bool {
	fits, _ := g.roomLocked(n)
	return fits
}

// roomLocked reports, with g.mu held, whether n more transactions fit in
// the clients' room less what is entering, and returns the mempool's
// channel closed when it frees room. (The mempool never calls the gate, so
// taking its lock under g.mu cannot deadlock.)
func (g *roomGate) roomLocked(n int) (bool, <-chan struct{}) {
	room, capacity, freed := g.pool.ClientRoom()
	return room-g.entering >= min(n, capacity), freed
}

// leaveQueueLocked takes w out of the queue, with g.mu held, and counts its
// transactions as entering; if it was the oldest, the next one gets the
// turn. The oldest leaves without copying the queue (a commit may let
// thousands through one by one); one that gave up waiting is looked for.
func (g *roomGate) leaveQueueLocked(w *roomWaiter) {
	g.entering += w.n
	if g.queue[0] == w {
		g.queue[0] = nil
		g.queue = g.queue[1:]
		g.signalOldestLocked()
		return
	}
	if i := slices.Index(g.queue, w); i >= 0 {
		g.queue = slices.Delete(g.queue, i, i+1)
	}
}

// signalOldestLocked gives the oldest held request, if any, a look at the
// room.
func (g *roomGate) signalOldestLocked() {
	if len(g.queue) > 0 {
		select {
		case g.queue[0].turn <- struct{}{}:
		default:
		}
	}
}

// leave ends what enter(n) began, and the oldest held request looks at the
// room again. Transactions refused (duplicates, bad signatures) leave room
// no commit announces; and those admitted were counted twice between their
// admission and this leave — in the mempool and as entering — so a request
// that arrived then saw too little room and was held, which no commit may
// ever follow on a quiet chain (.ci/run of 6eb7ed6 held the second of two
// requests into an empty mempool until the test gave up).
func (g *roomGate) leave(n int) {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.entering -= n
	g.signalOldestLocked()
	g.mu.Unlock()
}

// held is how many requests are held.
func (g *roomGate) held() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}
