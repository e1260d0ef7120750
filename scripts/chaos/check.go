package main

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"sync"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/api"
)

// chainView is one node's chain as its API serves it: per height, the
// block hash and the transaction hashes.
type chainView struct {
	hashes []ledger.Hash              // hashes[h-1]
	prev   []ledger.Hash              // the parent that block h names, prev[h-1]
	txs    []map[ledger.Hash]struct{} // txs[h-1]
	appAt  map[uint64]ledger.Hash     // app hash of height h-1, from header h
}

// finalChecks is the end of a run: every node at one height with the same
// blocks and app hashes, every reported transaction on every chain, every
// certificate valid against the validator set of its height, no double
// signature. The network must be whole (all links healed, all nodes
// running but the one voted out and stopped, which is out of the checks)
// and the load stopped.
func (r *runner) finalChecks(ctx context.Context) (final uint64) {
	nodes := r.c.active()
	// 1. Convergence: every node reaches the height the highest had.
	target := r.mon.Snapshot().maxHeight(nodes)
	deadline := time.Now().Add(r.o.CatchUpLimit)
	for {
		s := r.mon.Snapshot()
		low := s.Samples[nodes[0]].Height
		ok := true
		for _, i := range nodes {
			x := s.Samples[i]
			ok = ok && x.Fresh
			low = min(low, x.Height)
		}
		if ok && low >= target {
			break
		}
		if time.Now().After(deadline) {
			r.violate("not every node reached height %d within %s after the last fault: %s", target, r.o.CatchUpLimit, r.heights())
			break
		}
		time.Sleep(200 * time.Millisecond)
	}

	// 2. The nodes' status at one common height: same block, same app hash.
	r.compareStatus(ctx)
	r.checkMempoolsDrain(ctx)

	// 3. Every node's chain up to the lowest height, block by block,
	// once the follower has fixed the validator sets up to there.
	s := r.mon.Snapshot()
	low := s.Samples[nodes[0]].Height
	for _, i := range nodes {
		low = min(low, s.Samples[i].Height)
	}
	final = low
	if !r.fol.CatchUp(ctx, low, time.Minute) {
		r.violate("the follower did not reach height %d within a minute (at %d): the validator sets are not known", low, r.fol.Height())
		return final
	}
	views := make([]*chainView, len(nodes))
	var wg sync.WaitGroup
	errs := make([]error, len(nodes))
	for k, i := range nodes {
		wg.Add(1)
		go func(k, i int) {
			defer wg.Done()
			views[k], errs[k] = r.readChain(ctx, i, low)
		}(k, i)
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			r.violate("read %s's chain: %v", r.c.Nodes[nodes[k]].Name, err)
			return final
		}
	}
	first := r.c.Nodes[nodes[0]].Name
	for h := uint64(1); h <= low; h++ {
		want := views[0].hashes[h-1]
		for k := 1; k < len(views); k++ {
			if got := views[k].hashes[h-1]; got != want {
				r.violate("fork at height %d: %s has %s, %s has %s", h, first, want.Short(), r.c.Nodes[nodes[k]].Name, got.Short())
				return final
			}
		}
		if a, ok := views[0].appAt[h]; ok {
			for k := 1; k < len(views); k++ {
				if b := views[k].appAt[h]; b != a {
					r.violate("app hash of height %d differs: %s has %s, %s has %s", h-1, first, a.Short(), r.c.Nodes[nodes[k]].Name, b.Short())
				}
			}
		}
	}
	r.logf("check: all %d nodes hold the same %d blocks (hashes, links and app hashes compared)", len(views), low)

	// 4. The blocks reported during the run are the final chain's.
	rep := r.fol.Reported()
	for h, b := range rep {
		if uint64(h+1) > low {
			break
		}
		if views[0].hashes[h] != b.Hash {
			r.violate("block %d was reported committed by %s as %s, but the final chain has %s", h+1, r.c.Nodes[b.Node].Name, b.Hash.Short(), views[0].hashes[h].Short())
		}
	}

	// 5. Every transaction reported committed is in that block on every
	// node; a sample is also looked up through each node's index.
	committed := r.log.committedList()
	missing := 0
	for h, rec := range committed {
		for k, v := range views {
			if rec.Height > low {
				r.violate("transaction %s was reported committed at height %d, above the final height %d", h.Short(), rec.Height, low)
				break
			}
			if _, ok := v.txs[rec.Height-1][h]; !ok {
				missing++
				if missing <= 10 {
					r.violate("transaction %s was reported committed at height %d by %s but is not in %s's block %d",
						h.Short(), rec.Height, r.c.Nodes[rec.SeenOn].Name, r.c.Nodes[nodes[k]].Name, rec.Height)
				}
			}
		}
	}
	if missing > 10 {
		r.violate("... %d transactions missing in all", missing)
	}
	r.checkTxIndex(ctx, committed)
	r.logf("check: %d committed load transactions found on all %d nodes", len(committed), len(views))
	return final
}

// checkMempoolsDrain waits (up to 30 s) for every node's mempool to empty
// now that the load has stopped. A transaction a node keeps is one it
// accepted (the client got 202) and will never commit: not one of the
// invariants, but a defect worth a warning.
func (r *runner) checkMempoolsDrain(ctx context.Context) {
	left := map[string]int{}
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		left = map[string]int{}
		for _, n := range r.c.activeNodes() {
			st, err := n.API.Status(ctx)
			if err != nil {
				left[n.Name] = -1
			} else if st.Mempool.Txs > 0 {
				left[n.Name] = st.Mempool.Txs
			}
		}
		if len(left) == 0 || time.Now().After(end) {
			break
		}
	}
	for name, n := range left {
		r.warn("%s's mempool still holds %d transaction(s) 30 s after the load stopped: accepted, and never committed", name, n)
	}
	if len(left) == 0 {
		r.logf("check: every mempool drained after the load stopped")
	}
}

// compareStatus reads every node's /v1/status at once until all report the
// same height (the chain makes an empty block a second, so this takes a
// few tries), then compares their last block hash and app hash.
func (r *runner) compareStatus(ctx context.Context) {
	nodes := r.c.activeNodes()
	for try := 0; try < 50; try++ {
		sts := make([]*api.StatusResponse, len(nodes))
		var wg sync.WaitGroup
		for i, n := range nodes {
			wg.Add(1)
			go func(i int, n *node) {
				defer wg.Done()
				if st, err := n.API.Status(ctx); err == nil {
					sts[i] = st
				}
			}(i, n)
		}
		wg.Wait()
		same := true
		for _, st := range sts {
			same = same && st != nil && st.Height == sts[0].Height
		}
		if !same {
			time.Sleep(time.Duration(50+rand.Intn(150)) * time.Millisecond)
			continue
		}
		for i, st := range sts[1:] {
			if st.AppHash != sts[0].AppHash || st.LastBlockHash != sts[0].LastBlockHash {
				r.violate("at height %d, %s reports block %s app hash %s, %s reports block %s app hash %s", st.Height,
					nodes[0].Name, sts[0].LastBlockHash.Short(), sts[0].AppHash.Short(), nodes[i+1].Name, st.LastBlockHash.Short(), st.AppHash.Short())
			}
		}
		r.statusHeight = sts[0].Height
		r.logf("check: all nodes report block %s and app hash %s at height %d", sts[0].LastBlockHash.Short(), sts[0].AppHash.Short(), sts[0].Height)
		return
	}
	r.logf("check: the nodes never reported the same height at once in 50 tries; app hashes are compared through the headers only")
}

// readPage is how many blocks the end-of-run checks read per request.
const readPage = 20

// readChain reads node i's blocks 1..top, readPage at a time, checking
// each block's hash against its header, its link to the previous block,
// its certificates (the previous block's, carried in it, and the node's
// own for it), against the validator set of their height, and that it
// carries no evidence of a double vote.

func (r *runner) readChain(ctx context.Context, i int, top uint64) (*chainView, error) {
	n := r.c.Nodes[i]
	v := &chainView{hashes: make([]ledger.Hash, top), prev: make([]ledger.Hash, top), txs: make([]map[ledger.Hash]struct{}, top), appAt: map[uint64]ledger.Hash{}}
	for hi := top; hi >= 1; {
		// Pages of readPage blocks, each asked up to three times: a page
		// of full blocks is megabytes of JSON, and on a loaded machine one
		// request can outlast the client's timeout (5 s). That is no
		// finding; a node that keeps failing is.
		lo := max(1, int64(hi)-readPage+1)
		var page api.BlocksResponse
		var err error
		for try := 0; try < 3; try++ {
			page = api.BlocksResponse{}
			gctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			err = n.API.Get(gctx, fmt.Sprintf("/v1/blocks?before=%d&limit=%d", hi+1, hi-uint64(lo)+1), &page)
			cancel()
			if err == nil || ctx.Err() != nil {
				break
			}
		}
		if err != nil {
			return nil, err
		}
		if len(page.Blocks) == 0 || len(page.Blocks) > int(hi-uint64(lo)+1) {
			return nil, fmt.Errorf("asked for blocks %d..%d, got %d", lo, hi, len(page.Blocks))
		}
		// A page ends early after the block that brings it to
		// api.MaxListedTxs transactions: read on below its last block.
		lo = int64(hi) - int64(len(page.Blocks)) + 1
		for k, b := range page.Blocks {
			h := b.Height
			if h != hi-uint64(k) || b.Header.Height != h {
				return nil, fmt.Errorf("asked for blocks %d..%d, got height %d (header %d)", lo, hi, h, b.Header.Height)
			}
			if got := b.Header.Hash(); got != b.Hash {
				r.violate("%s block %d: hash %s but the header hashes to %s", n.Name, h, b.Hash.Short(), got.Short())
			}
			v.hashes[h-1] = b.Hash
			v.prev[h-1] = b.Header.PrevBlockHash
			v.appAt[h] = b.Header.AppHash
			v.txs[h-1] = make(map[ledger.Hash]struct{}, len(b.Txs))
			for _, tx := range b.Txs {
				v.txs[h-1][tx.Hash] = struct{}{}
			}
			if len(b.Evidence) > 0 {
				r.violate("%s block %d carries %d item(s) of double-vote evidence", n.Name, h, len(b.Evidence))
			}
			where := fmt.Sprintf("%s block %d", n.Name, h)
			vals, ok := r.sets.At(h)
			if !ok {
				return nil, fmt.Errorf("the validator set of height %d is not known (the follower fixed %d)", h, r.sets.Known())
			}
			if b.Commit == nil {
				r.violate("%s has no commit certificate for block %d", n.Name, h)
			} else {
				if err := b.Commit.Verify(r.c.Chain, vals, h, b.Hash); err != nil {
					r.violate("%s's certificate for block %d: %v", n.Name, h, err)
				}
				r.book.AddCommit(b.Commit, where+" commit")
			}
			if h > 1 {
				if b.LastCommit == nil {
					r.violate("%s block %d carries no certificate for block %d", n.Name, h, h-1)
				} else {
					prevVals, _ := r.sets.At(h - 1)
					if err := b.LastCommit.Verify(r.c.Chain, prevVals, h-1, b.Header.PrevBlockHash); err != nil {
						r.violate("%s block %d's certificate for block %d: %v", n.Name, h, h-1, err)
					}
					r.book.AddCommit(b.LastCommit, where+" last_commit")
				}
			}
		}
		if uint64(lo) == 1 {
			break
		}
		hi = uint64(lo) - 1
	}
	for h := uint64(2); h <= top; h++ {
		if v.prev[h-1] != v.hashes[h-2] {
			r.violate("%s block %d names %s as its parent, but block %d is %s", n.Name, h, v.prev[h-1].Short(), h-1, v.hashes[h-2].Short())
		}
	}
	return v, nil
}

// checkTxIndex looks up a sample of the committed transactions through
// every node's GET /v1/txs/{hash}: each must be committed at the height
// the run recorded. (Block contents were compared in full; this checks
// the index a client reads, including on a node that was wiped and
// rebuilt it from block sync.)
func (r *runner) checkTxIndex(ctx context.Context, committed map[ledger.Hash]txRec) {
	hashes := make([]ledger.Hash, 0, len(committed))
	for h := range committed {
		hashes = append(hashes, h)
	}
	sort.Slice(hashes, func(i, j int) bool { return string(hashes[i][:]) < string(hashes[j][:]) })
	rng := rand.New(rand.NewSource(r.o.Seed))
	rng.Shuffle(len(hashes), func(i, j int) { hashes[i], hashes[j] = hashes[j], hashes[i] })
	if len(hashes) > r.o.IndexSample {
		hashes = hashes[:r.o.IndexSample]
	}
	bad := 0
	for _, n := range r.c.activeNodes() {
		for _, h := range hashes {
			o, err := n.API.Outcome(ctx, h)
			if err != nil || o.Height != committed[h].Height {
				bad++
				if bad <= 10 {
					got := "error: " + fmt.Sprint(err)
					if err == nil {
						got = fmt.Sprintf("height %d", o.Height)
					}
					r.violate("%s GET /v1/txs/%s: %s, want committed at height %d", n.Name, h.Short(), got, committed[h].Height)
				}
			}
		}
	}
	r.logf("check: %d sampled transactions looked up on every node's index (%d wrong)", len(hashes), bad)
}
