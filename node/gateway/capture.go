package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/gateway/follow"
	"github.com/qianchain/qianchain/node/mempool"
)

// captures runs the capture jobs. A job's life:
//
//  1. POST /capture: the document is prepared (prepare.go), events whose
//     idempotency key is already taken are skipped, and the job with its
//     events and their keys is written (synced) before 202 is answered.
//  2. The worker signs each chunk, writes the signed bytes (synced), and
//     only then submits them. Resubmitting the same bytes is harmless: the
//     ledger executes a transaction hash at most once.
//  3. The block loop sees each transaction in a verified block and records
//     its outcome in the same batch as the index and the cursor.
//
// After a restart, running jobs are loaded again: signed chunks are
// resubmitted (a committed one is answered ERR_ALREADY_COMMITTED and the
// block loop, catching up from its cursor, records it), unsigned ones are
// signed. So an event is neither lost nor captured twice.
type captures struct {
	g *Gateway

	mu       sync.Mutex
	jobs     map[string]*job // running jobs
	pending  map[ledger.Hash]chunkRef
	lastSent map[ledger.Hash]time.Time
	queue    []string
	wake     chan struct{}
	changed  chan struct{} // closed and replaced whenever a job changes
	nonce    atomic.Uint64
}

type chunkRef struct {
	job   string
	chunk int
}

// ResendAfter is how long a submitted transaction may stay out of the
// chain before the worker submits it again (it may have been dropped by a
// node that restarted).
const ResendAfter = 10 * time.Second

func newCaptures(g *Gateway) (*captures, error) {
	c := &captures{g: g, jobs: map[string]*job{}, pending: map[ledger.Hash]chunkRef{}, lastSent: map[ledger.Hash]time.Time{},
		wake: make(chan struct{}, 1), changed: make(chan struct{})}
	err := scanJSON(g.db, []byte{tJob}, func(_ []byte, j *job) bool {
		if j.Running {
			c.jobs[j.ID] = j
			c.queue = append(c.queue, j.ID)
			for i, ch := range j.Chunks {
				if ch.State == chunkSent {
					c.pending[ch.Hash] = chunkRef{j.ID, i}
				}
			}
		}
		return true
	})
	// Jobs resume in the order they were created.
	sortByCreation(c.queue, c.jobs)
	return c, err
}

func sortByCreation(ids []string, jobs map[string]*job) {
	for i := 1; i < len(ids); i++ {
		for k := i; k > 0 && jobs[ids[k]].CreatedAt.Before(jobs[ids[k-1]].CreatedAt); k-- {
			ids[k], ids[k-1] = ids[k-1], ids[k]
		}
	}
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// start creates and persists a job for a prepared document.
func (c *captures) start(p *prepared, behaviour string) (*job, error) {
	now := time.Now().UTC()
	j := &job{ID: newID(), CreatedAt: now, Behaviour: behaviour, Running: true, Errors: []Problem{},
		Payloads: make([][]byte, len(p.Payloads)), Keys: p.Keys}
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.g.db.NewBatch()
	defer b.Close()
	taken := map[string]bool{}
	var todo []int
	for i, pl := range p.Payloads {
		if p.Problems[i] != nil {
			j.Errors = append(j.Errors, *p.Problems[i])
			continue
		}
		by, err := c.capturedBy(p.Keys[i], p.EventIDs[i], p.Declaring[i])
		if err != nil {
			return nil, err
		}
		if by != "" || taken[p.Keys[i]] {
			j.Skipped = append(j.Skipped, Skip{Event: i, Key: p.Keys[i], CapturedBy: by})
			continue
		}
		taken[p.Keys[i]] = true
		j.Payloads[i] = pl
		todo = append(todo, i)
	}
	if len(j.Errors) > 0 && behaviour == Rollback {
		todo = nil // all or nothing: nothing is signed
	}
	if err := c.g.writeDisclosures(j.ID, p, todo); err != nil {
		return nil, err
	}
	for _, i := range todo {
		_ = b.Set(key(tIdem, p.Keys[i]), []byte(j.ID), nil)
	}
	j.Chunks = c.chunks(j, todo)
	j.Sequential = behaviour == Rollback && len(j.Chunks) > 1
	j.finishIfDone(now)
	if err := setJSON(b, key(tJob, j.ID), j); err != nil {
		return nil, err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return nil, fmt.Errorf("persist %s: %w", j, err)
	}
	if j.Running {
		c.jobs[j.ID] = j
		c.queue = append(c.queue, j.ID)
		c.poke()
	}
	return j, nil
}

// capturedBy names who already captured an idempotency key: a job of this
// gateway, or "chain" when an event with that eventID (for a declaration:
// a declaration of the event with that eventID) is on the chain.
func (c *captures) capturedBy(k, eventID string, declaring bool) (string, error) {
	v, closer, err := c.g.db.Get(key(tIdem, k))
	if err == nil {
		by := string(v)
		closer.Close()
		return by, nil
	}
	if !errors.Is(err, pebble.ErrNotFound) {
		return "", err
	}
	if eventID != "" {
		get := c.g.ix.Get
		if declaring {
			get = c.g.ix.Declaration
		}
		e, err := get(eventID)
		if err != nil {
			return "", err
		}
		if e != nil {
			return "chain", nil
		}
	}
	return "", nil
}

// chunks splits events into transactions as the chain's limits allow: at
// most trace.MaxBatchEvents events and the genesis transaction size, less
// room for the transaction's own fields.
func (c *captures) chunks(j *job, events []int) []*chunk {
	limit := min(int(c.g.opt.Genesis.Consensus.MaxTxBytes), ledger.MaxPayloadBytes) - 1024
	var out []*chunk
	var cur *chunk
	size := 0
	for _, i := range events {
		n := len(j.Payloads[i]) + 4
		if cur == nil || len(cur.Events) == trace.MaxBatchEvents || size+n > limit {
			cur = &chunk{State: chunkNew}
			out = append(out, cur)
			size = 8
		}
		cur.Events = append(cur.Events, i)
		size += n
	}
	return out
}

func (c *captures) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// notifyLocked wakes everyone waiting for a job to change. c.mu is held.
func (c *captures) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// get returns a copy of a job's view, from memory while it runs, else
// from the store; nil when unknown.
func (c *captures) get(id string) (*JobView, <-chan struct{}, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if j, ok := c.jobs[id]; ok {
		return j.view(c.g.opt.NodeURL), c.changed, nil
	}
	var j job
	found, err := getJSON(c.g.db, key(tJob, id), &j)
	if err != nil || !found {
		return nil, nil, err
	}
	return j.view(c.g.opt.NodeURL), c.changed, nil
}

// run is the worker: it signs and submits the queued jobs' chunks in job
// order, and resubmits what stays out of the chain too long.
func (c *captures) run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		c.sendQueued(ctx)
		c.resend(ctx)
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-tick.C:
		}
	}
}

func (c *captures) sendQueued(ctx context.Context) {
	for ctx.Err() == nil {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.mu.Unlock()
			return
		}
		id := c.queue[0]
		c.queue = c.queue[1:]
		j := c.jobs[id]
		var txs []*ledger.Tx
		if j != nil {
			var err error
			if txs, err = c.signLocked(j); err != nil {
				c.g.log.Error("sign capture transactions", "job", id, "err", err)
			}
		}
		c.mu.Unlock()
		for _, tx := range txs {
			c.submit(ctx, tx)
		}
	}
}

// signLocked signs the job's next chunks (the next one only for a
// sequential job with nothing in flight), persists them, and returns them
// to submit.
func (c *captures) signLocked(j *job) ([]*ledger.Tx, error) {
	var txs []*ledger.Tx
	b := c.g.db.NewBatch()
	defer b.Close()
	for i, ch := range j.Chunks {
		if ch.State == chunkSent && j.Sequential {
			return nil, nil // wait for it
		}
		if ch.State != chunkNew {
			continue
		}
		payloads := make([][]byte, len(ch.Events))
		for k, e := range ch.Events {
			payloads[k] = j.Payloads[e]
		}
		method, payload := trace.MethodCaptureBatch, trace.EncodeCaptureBatch(payloads)
		if len(payloads) == 1 {
			method, payload = trace.MethodCapture, payloads[0]
		}
		tx := &ledger.Tx{ChainID: c.g.opt.Genesis.ChainID, Nonce: uint64(time.Now().UnixNano()) + c.nonce.Add(1),
			Contract: trace.Contract, Method: method, Payload: payload}
		if err := tx.Sign(c.g.opt.Key); err != nil {
			return nil, err
		}
		ch.Tx, ch.Hash, ch.State = tx.Encode(), tx.Hash(), chunkSent
		c.pending[ch.Hash] = chunkRef{j.ID, i}
		txs = append(txs, tx)
		if j.Sequential {
			break
		}
	}
	if len(txs) == 0 {
		return nil, nil
	}
	if err := setJSON(b, key(tJob, j.ID), j); err != nil {
		return nil, err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		// Not durable: do not send what a restart would not know of.
		for _, tx := range txs {
			delete(c.pending, tx.Hash())
		}
		return nil, fmt.Errorf("persist %s: %w", j, err)
	}
	return txs, nil
}

// submit sends one signed transaction. A refusal at admission (other than
// "already pending" or "already committed") fails its chunk at once; a
// network error leaves it to resend.
func (c *captures) submit(ctx context.Context, tx *ledger.Tx) {
	h := tx.Hash()
	c.mu.Lock()
	c.lastSent[h] = time.Now()
	c.mu.Unlock()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err := c.g.node.Submit(sctx, tx)
	var ce *client.Error
	switch {
	case err == nil:
	case errors.As(err, &ce) && ce.Code != "ERR_HTTP" && ce.Code != mempool.ErrDuplicateTx && ce.Code != mempool.ErrAlreadyCommitted &&
		ce.Code != mempool.ErrMempoolFull && ce.Code != mempool.ErrSenderLimit:
		c.mu.Lock()
		defer c.mu.Unlock()
		if ref, ok := c.pending[h]; ok {
			b := c.g.db.NewBatch()
			defer b.Close()
			c.outcomeLocked(b, ref, 0, ce.Code, ce.Message)
			if err := b.Commit(pebble.Sync); err != nil {
				c.g.log.Error("persist a refused capture transaction", "tx", h, "err", err)
			}
			c.afterLocked()
		}
	default:
		c.g.log.Warn("submit capture transaction; will resend", "tx", h, "err", err)
	}
}

// resend submits again what was sent more than ResendAfter ago and is not
// yet in a verified block.
func (c *captures) resend(ctx context.Context) {
	now := time.Now()
	var txs []*ledger.Tx
	c.mu.Lock()
	for h, ref := range c.pending {
		if now.Sub(c.lastSent[h]) < ResendAfter {
			continue
		}
		ch := c.jobs[ref.job].Chunks[ref.chunk]
		tx, err := ledger.DecodeTx(ch.Tx)
		if err != nil {
			c.g.log.Error("stored capture transaction does not decode", "tx", h, "err", err)
			continue
		}
		txs = append(txs, tx)
	}
	c.mu.Unlock()
	for _, tx := range txs {
		c.submit(ctx, tx)
	}
}

// onBlock records the outcomes of the jobs' transactions in blk, in b.
// The caller holds c.mu from here until the batch is committed and
// afterLocked is called.
func (c *captures) onBlock(b *pebble.Batch, blk *follow.Block) {
	for i, tx := range blk.Block.Txs {
		ref, ok := c.pending[tx.Hash()]
		if !ok {
			continue
		}
		o := blk.Outcomes[i]
		c.outcomeLocked(b, ref, blk.Height(), o.Code, o.Message)
	}
}

// outcomeLocked applies a transaction's outcome (height 0: refused at
// admission) to its job and writes the job to b.
func (c *captures) outcomeLocked(b *pebble.Batch, ref chunkRef, height uint64, code, msg string) {
	j := c.jobs[ref.job]
	ch := j.Chunks[ref.chunk]
	delete(c.pending, ch.Hash)
	delete(c.lastSent, ch.Hash)
	ch.Height, ch.Code, ch.Message = height, code, msg
	now := time.Now().UTC()
	if code == "OK" {
		ch.State = chunkCommitted
	} else {
		ch.State = chunkFailed
		c.failLocked(b, j, ch, code, msg)
	}
	if j.Running && len(j.Chunks) > 0 {
		c.queue = append(c.queue, j.ID) // a sequential job's next chunk, or a proceed job's retry
	}
	j.finishIfDone(now)
	if !j.Running {
		delete(c.jobs, j.ID)
	}
	if err := setJSON(b, key(tJob, j.ID), j); err != nil {
		c.g.log.Error("encode job", "job", j.ID, "err", err)
	}
}

// failLocked handles a refused chunk. Under rollback the job stops: the
// refused event is reported, every event not yet committed is rejected and
// its idempotency key released. Under proceed only the refused event is
// dropped and the chunk's other events are sent again.
func (c *captures) failLocked(b *pebble.Batch, j *job, ch *chunk, code, msg string) {
	bad := -1
	if k, tail, ok := failedEvent(msg); ok && k < len(ch.Events) {
		bad, msg = ch.Events[k], tail
	} else if len(ch.Events) == 1 {
		bad = ch.Events[0]
	}
	release := func(e int) { _ = b.Delete(key(tIdem, j.Keys[e]), nil) }
	if j.Behaviour == Proceed && bad < 0 {
		for _, e := range ch.Events {
			j.Errors = append(j.Errors, eventProblem(e, eventIDOf(j, e), code, msg))
			release(e)
		}
		return
	}
	if j.Behaviour == Rollback || bad < 0 {
		if bad >= 0 {
			j.Errors = append(j.Errors, eventProblem(bad, eventIDOf(j, bad), code, msg))
		}
		for _, other := range j.Chunks {
			if other.State == chunkNew || other == ch {
				if bad < 0 {
					for _, e := range other.Events {
						j.Errors = append(j.Errors, eventProblem(e, eventIDOf(j, e), code, msg))
					}
				}
				for _, e := range other.Events {
					release(e)
				}
				if other.State == chunkNew {
					other.State = chunkFailed
					other.Code, other.Message = "NOT_SENT", "an earlier transaction of this rollback job was refused"
				}
			}
		}
		return
	}
	j.Errors = append(j.Errors, eventProblem(bad, eventIDOf(j, bad), code, msg))
	release(bad)
	var rest []int
	for _, e := range ch.Events {
		if e != bad {
			rest = append(rest, e)
		}
	}
	if len(rest) > 0 {
		j.Chunks = append(j.Chunks, &chunk{Events: rest, State: chunkNew})
	}
}

// eventIDOf is the eventID of event e, read back from its payload.
func eventIDOf(j *job, e int) string {
	if k := j.Keys[e]; len(k) > 3 && k[:3] == "id:" {
		return k[3:]
	}
	return ""
}

// afterLocked wakes the worker and the waiters once a batch with job
// changes is committed.
func (c *captures) afterLocked() {
	c.notifyLocked()
	c.poke()
}
