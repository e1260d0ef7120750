package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/api"
)

// errUnreachable marks a failure to read from a node, which is no finding.
var errUnreachable = errors.New("node did not answer")

// reported is a block as a node first reported it committed.
type reported struct {
	Hash ledger.Hash
	Node int
}

// follower reads the chain as it grows, from whichever running node is
// far enough along, and records what the nodes report committed: each
// block's hash (checking that it chains onto the block reported before
// it) and each load transaction in it. Its headers fix the validator set
// of each height (setBook); the commit certificates it reads go to the
// voteBook. One goroutine runs Run; the other methods are safe to
// call from any goroutine.
type follower struct {
	c    *cluster
	mon  *monitor
	log  *txLog
	sets *setBook
	book *voteBook
	rng  *rand.Rand

	mu         sync.Mutex
	blocks     []reported // blocks[h-1]
	violations []string
	txsSeen    int // transactions in the followed blocks, load or not
}

func newFollower(c *cluster, mon *monitor, log *txLog, sets *setBook, book *voteBook) *follower {
	return &follower{c: c, mon: mon, log: log, sets: sets, book: book, rng: rand.New(rand.NewSource(time.Now().UnixNano()))}
}

// Height is the last height followed.
func (f *follower) Height() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return uint64(len(f.blocks))
}

// Reported returns the blocks reported so far.
func (f *follower) Reported() []reported {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]reported(nil), f.blocks...)
}

// Violations returns what the follower found wrong.
func (f *follower) Violations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.violations...)
}

func (f *follower) violate(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	f.mu.Lock()
	f.violations = append(f.violations, s)
	f.mu.Unlock()
	f.c.Logf("VIOLATION: %s", s)
}

// Run follows until ctx ends.
func (f *follower) Run(ctx context.Context) {
	for ctx.Err() == nil {
		if !f.step(ctx) {
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
}

// CatchUp waits (while Run follows) until the follower has reached height
// h or the deadline passes.
func (f *follower) CatchUp(ctx context.Context, h uint64, deadline time.Duration) bool {
	end := time.Now().Add(deadline)
	for f.Height() < h && time.Now().Before(end) && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
	}
	return f.Height() >= h
}

// step reads up to 100 new blocks from one node that has them, and reports
// whether it made progress.
func (f *follower) step(ctx context.Context) bool {
	next := f.Height() + 1
	snap := f.mon.Snapshot()
	var ahead []int
	for i, s := range snap.Samples {
		if s.Fresh && s.Height >= next && f.c.Nodes[i].State() == procRunning {
			ahead = append(ahead, i)
		}
	}
	if len(ahead) == 0 {
		return false
	}
	i := ahead[f.rng.Intn(len(ahead))]
	top := min(snap.Samples[i].Height, next+99)
	var page api.BlocksResponse
	gctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := f.c.Nodes[i].API.Get(gctx, fmt.Sprintf("/v1/blocks?before=%d&limit=%d", top+1, top-next+1), &page)
	cancel()
	if err != nil {
		return false
	}
	// Newest first: walk from the oldest.
	progressed := false
	for k := len(page.Blocks) - 1; k >= 0; k-- {
		b := page.Blocks[k]
		if b.Height != f.Height()+1 {
			break
		}
		if !f.accept(i, b) {
			break
		}
		progressed = true
	}
	return progressed
}

// accept checks block b, served by node i as the next height, and records
// it.
func (f *follower) accept(i int, b *api.BlockResponse) bool {
	name := f.c.Nodes[i].Name
	if got := b.Header.Hash(); got != b.Hash {
		f.violate("%s serves block %d with hash %s, but its header hashes to %s", name, b.Height, b.Hash.Short(), got.Short())
		return false
	}
	if b.Header.Height != b.Height {
		f.violate("%s serves block %d whose header says height %d", name, b.Height, b.Header.Height)
		return false
	}
	// The sets of this height and the next, before its certificates are
	// checked against them. A node that does not answer is asked again.
	err := f.sets.Learn(context.Background(), &b.Header, func(ctx context.Context, h uint64) (*ledger.ValidatorSet, error) {
		vals, err := f.c.fetchSet(ctx, i, h)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUnreachable, err)
		}
		return vals, nil
	})
	if errors.Is(err, errUnreachable) {
		return false
	}
	if err != nil {
		f.violate("%s block %d: %v", name, b.Height, err)
		return false
	}
	f.mu.Lock()
	if h := b.Height; h > 1 {
		prev := f.blocks[h-2]
		if b.Header.PrevBlockHash != prev.Hash {
			f.mu.Unlock()
			f.violate("fork: %s reports block %d (%s) on top of %s, but %s reported block %d as %s",
				name, h, b.Hash.Short(), b.Header.PrevBlockHash.Short(), f.c.Nodes[prev.Node].Name, h-1, prev.Hash.Short())
			return false
		}
	}
	f.blocks = append(f.blocks, reported{Hash: b.Hash, Node: i})
	f.txsSeen += len(b.Txs)
	f.mu.Unlock()
	for _, tx := range b.Txs {
		f.log.committed(tx.Hash, b.Height, b.Hash, i, tx.Code)
	}
	where := fmt.Sprintf("%s block %d", name, b.Height)
	f.book.AddCommit(b.LastCommit, where+" last_commit")
	f.book.AddCommit(b.Commit, where+" commit")
	f.book.Flush()
	if len(b.Evidence) > 0 {
		f.violate("block %d carries evidence of a double vote: %d item(s), first by validator %d", b.Height, len(b.Evidence), b.Evidence[0].A.Validator)
	}
	return true
}
