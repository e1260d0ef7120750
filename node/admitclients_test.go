package node

import (
	"testing"
	"time"
)

// TestClientSetCountsRecentConnections: a connection counts for clientSpan
// after its latest submission; the node's own callers ("") never count.
func TestClientSetCountsRecentConnections(t *testing.T) {
	c := clientSet{span: clientSpan}
	t0 := time.Unix(1_000_000, 0)
	c.saw("10.0.0.1:4000", t0)
	c.saw("10.0.0.2:4000", t0.Add(300*time.Millisecond))
	c.saw("", t0.Add(300*time.Millisecond))
	c.saw("10.0.0.1:4000", t0.Add(600*time.Millisecond)) // the same connection again
	for _, s := range []struct {
		at   time.Duration
		want int
	}{
		{600 * time.Millisecond, 2},
		{1450 * time.Millisecond, 1}, // .2's submission at 0.3 s is 1.15 s old
		{1550 * time.Millisecond, 1}, // forgets again (0.1 s on): .1's at 0.6 s is within the span
		{1620 * time.Millisecond, 1}, // .1's is 1.02 s old, but the set last forgot at 1.55 s
		{1660 * time.Millisecond, 0}, // a tenth of the span later it forgets .1
		{5 * time.Second, 0},
	} {
		if got := c.count(t0.Add(s.at)); got != s.want {
			t.Errorf("at %v: %d connections, want %d", s.at, got, s.want)
		}
	}
}

// TestClientsBatchGoesWhenEveryClientWaits: with a busy chain's long window
// the clients' batch goes at once when every connection that submitted
// lately has a request in it — none of them can send more until answered —
// and waits while one of them has not. The gatherer asks for the backlog
// after taking each job in; the test waits for that before the next.
func TestClientsBatchGoesWhenEveryClientWaits(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	a := newAdmitter(nil, stop)
	a.clientWindow, a.busyWindow, a.clientMin = 0, time.Hour, admitMaxTxs
	a.clientSpan = time.Hour // a stalled test machine forgets no client
	g := startWithBacklog(t, a)
	submit := func(from string) {
		a.submit(admitJob{raws: make([][]byte, 1), from: from})
		g.waitAsked() // taken in, and sent if due
	}
	// On an idle chain (window 0) three clients' first requests go at once
	// and the node learns their connections.
	for _, from := range []string{"a", "b", "c"} {
		submit(from)
		if b := g.next(); len(b) != 1 {
			t.Fatalf("idle: a batch of %d jobs, want %s's at once", len(b), from)
		}
	}
	// The chain is busy: the window is an hour.
	g.backlog.Store(busyPending)
	// One request from each of the three: the third completes the set.
	submit("a")
	submit("b")
	submit("c")
	if b := g.next(); len(b) != 3 {
		t.Fatalf("first batch: %d jobs, want the 3 clients'", len(b))
	}
	// Two of them again, and the node's own submission, which counts for
	// no one: c submitted lately and may still send, so the batch waits
	// (its window is an hour) ...
	submit("a")
	submit("b")
	submit("")
	select {
	case b := <-a.batches:
		t.Fatalf("a batch of %d jobs went while client c could still join", len(b))
	case <-time.After(200 * time.Millisecond):
	}
	// ... until c's comes.
	submit("c")
	if b := g.next(); len(b) != 4 {
		t.Fatalf("second batch: %d jobs, want a's, b's, the node's own and c's", len(b))
	}
}
