package bench

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/view"
)

// blockSeen is a committed block as the bench saw it.
type blockSeen struct {
	height uint64
	at     time.Time // when the bench saw it (for latency)
	time   int64     // the header's time (for intervals: the bench may see blocks in bursts)
	txs    int
}

// How the watcher learns of blocks: told by the node's event stream, with
// a slow poll beside it for a line the stream lost, or polling every
// pollDown while the stream is down.
const (
	pollDown = 10 * time.Millisecond
	pollUp   = time.Second
)

// watcher learns which of the bench's transactions each block of the first
// node commits. It is told of each block by the node's event stream (GET
// /v1/events?types=block: block lines only) and then reads the block's
// transaction hashes (GET /v1/blocks/{h}/txhashes). It used to ask for the
// next height every 10 ms: about a hundred requests a second, most of them
// answered 404, which cost the first node 5–22 µs of CPU per transaction
// more than the others at 2,500 tx/s (docs/benchmarks.md, "The bench's
// footprint"). It falls back to that polling while the stream is down.
type watcher struct {
	c    *client.Client
	next uint64 // the first height not yet read
	// seen is called with each block's transaction hashes as they are read.
	seen   func(now time.Time, b *view.BlockTxHashes)
	blocks []blockSeen
	// up is whether the event stream is connected.
	up atomic.Bool
}

// run reads blocks until stop is closed. tips carries the heights the
// stream announces.
func (w *watcher) run(ctx context.Context, stop <-chan struct{}) error {
	tips := make(chan uint64, 64)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go w.follow(sctx, tips)
	for {
		wait := pollDown
		if w.up.Load() {
			wait = pollUp
		}
		tip := uint64(math.MaxUint64) // read until the node has no next block
		select {
		case <-stop:
			return nil
		case tip = <-tips:
		case <-time.After(wait):
		}
		if err := w.readUpTo(ctx, tip); err != nil {
			return err
		}
	}
}

// readUpTo reads the blocks from w.next to tip, stopping early at the first
// one the node cannot give (not yet committed, or an error: read again on
// the next signal).
func (w *watcher) readUpTo(ctx context.Context, tip uint64) error {
	for ; w.next <= tip; w.next++ {
		var b view.BlockTxHashes
		if err := w.c.Get(ctx, fmt.Sprintf("/v1/blocks/%d/txhashes", w.next), &b); err != nil {
			return nil
		}
		now := time.Now()
		w.seen(now, &b)
		bt, err := time.Parse(time.RFC3339Nano, b.Time)
		if err != nil {
			return fmt.Errorf("block %d: time %q: %w", w.next, b.Time, err)
		}
		w.blocks = append(w.blocks, blockSeen{w.next, now, bt.UnixNano(), len(b.TxHashes)})
	}
	return nil
}

// follow reads the node's event stream and sends each announced height to
// tips, reconnecting until ctx ends. A full tips channel drops the height:
// the next one read covers it.
func (w *watcher) follow(ctx context.Context, tips chan<- uint64) {
	hc := &http.Client{} // no timeout: the stream has no end
	for ctx.Err() == nil {
		w.stream(ctx, hc, tips)
		w.up.Store(false)
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stream reads one connection of the event stream until it fails.
func (w *watcher) stream(ctx context.Context, hc *http.Client, tips chan<- uint64) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.c.Base+"/v1/events?types=block", nil)
	if err != nil {
		return
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return
	}
	w.up.Store(true)
	// Blocks committed before the stream connected were announced to no
	// one: read up to the node's latest now.
	select {
	case tips <- math.MaxUint64:
	default:
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// Only block events carry an id: "id: <height>".
		v, ok := strings.CutPrefix(sc.Text(), "id: ")
		if !ok {
			continue
		}
		h, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			continue
		}
		select {
		case tips <- h:
		default:
		}
	}
}
