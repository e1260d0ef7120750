package node

import "time"

// clientSpan is how recently a connection must have submitted to count
// among the clients a gathering batch may wait for.
const clientSpan = time.Second

// clientSet counts the connections that submitted to this node in the last
// clientSpan: the clients that could still add to a gathering batch.
//
// An HTTP/1.1 connection carries one request at a time, so a client whose
// request waits in the clients' lane sends nothing more until it is
// answered. When every connection that submitted lately has a request in
// the lane, nobody the node knows of can join the batch, and waiting out
// the window only delays every answer: the batch goes at once. Clients
// that each wait for their answer (a closed loop: a service's workers, the
// side-by-side's 16 per node) were held for the window on every request —
// one per request at --max, 16 workers per node committed 3,927 tx/s at
// about 16 ms a request with nearly half a core idle (docs/benchmarks.md,
// "The clients' lane waited for clients that could not come"). Many clients
// sending now and then (phones, sensors) are far more connections than a
// window gathers, so their batches still gather for the whole window.
//
// The set lives on the gatherer's goroutine; it is not safe for concurrent
// use.
type clientSet struct {
	span   time.Duration        // how recently (clientSpan in a node)
	last   map[string]time.Time // connection → its latest submission
	pruned time.Time
}

// saw records a submission from the connection from ("" is not counted:
// the node's own callers, which wait for no one).
func (c *clientSet) saw(from string, now time.Time) {
	if from == "" {
		return
	}
	if c.last == nil {
		c.last = map[string]time.Time{}
	}
	c.last[from] = now
}

// count is how many connections submitted within the span of now. The set
// forgets the older ones at most every tenth of the span, so a count may
// include connections up to that much older.
func (c *clientSet) count(now time.Time) int {
	if now.Sub(c.pruned) >= c.span/10 {
		for from, t := range c.last {
			if now.Sub(t) > c.span {
				delete(c.last, from)
			}
		}
		c.pruned = now
	}
	return len(c.last)
}
