package gateway

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/gateway/follow"
	"github.com/qianchain/qianchain/node/gateway/index"
)

// Options configure a gateway.
type Options struct {
	// Home holds the gateway's store (HOME/data).
	Home string
	// NodeURL is the node the gateway submits to and follows.
	NodeURL string
	// Genesis is the chain the gateway trusts: blocks are checked against
	// its validator set.
	Genesis *genesis.Doc
	// Key signs the organisation's transactions. It never leaves the
	// process.
	Key ledger.PrivateKey
	// Auth decides who may call the gateway (auth.go).
	Auth Auth
	// Schema, when set, validates captured documents against GS1's EPCIS
	// JSON schema (400 when they fail).
	Schema *epcis.Schema
	// CaptureLimit is the most events one POST /capture may hold
	// (GS1-EPCIS-Capture-Limit); FileSizeLimit the most bytes
	// (GS1-EPCIS-Capture-File-Size-Limit).
	CaptureLimit  int
	FileSizeLimit int64
	// Log receives the gateway's operational messages.
	Log *slog.Logger
	// Webhook is the client that delivers subscriptions (nil: a default
	// with a 30 s timeout).
	Webhook *http.Client
}

// Defaults.
const (
	DefaultCaptureLimit  = 10_000
	DefaultFileSizeLimit = 64 << 20
	DefaultPerPage       = 30
	MaxPerPage           = 1000
)

// Gateway is one organisation's EPCIS 2.0 gateway. Open it, serve
// Handler, and Run it until its context ends; then Close.
type Gateway struct {
	opt    Options
	log    *slog.Logger
	db     *pebble.DB
	ix     *index.Index
	fol    *follow.Follower
	node   *client.Client
	cap    *captures
	subs   *subscriptions
	height atomic.Uint64 // last height indexed
	// indexed is closed and replaced after each block is indexed.
	indexed atomic.Pointer[chan struct{}]
}

// Open opens (or creates) the gateway's home and store.
func Open(opt Options) (*Gateway, error) {
	if opt.Genesis == nil {
		return nil, errors.New("gateway: no genesis")
	}
	if opt.CaptureLimit <= 0 {
		opt.CaptureLimit = DefaultCaptureLimit
	}
	if opt.FileSizeLimit <= 0 {
		opt.FileSizeLimit = DefaultFileSizeLimit
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Webhook == nil {
		opt.Webhook = &http.Client{Timeout: 30 * time.Second}
	}
	if err := os.MkdirAll(opt.Home, 0o700); err != nil {
		return nil, err
	}
	db, err := openStore(opt.Home, opt.Log)
	if err != nil {
		return nil, err
	}
	g := &Gateway{opt: opt, log: opt.Log, db: db, node: client.New(opt.NodeURL)}
	ch := make(chan struct{})
	g.indexed.Store(&ch)
	fail := func(err error) (*Gateway, error) {
		db.Close()
		return nil, err
	}
	if g.ix, err = index.Open(db); err != nil {
		return fail(err)
	}
	if g.fol, err = follow.New(opt.NodeURL, opt.Genesis); err != nil {
		return fail(err)
	}
	h, err := readCursor(db)
	if err != nil {
		return fail(err)
	}
	g.height.Store(h)
	if g.cap, err = newCaptures(g); err != nil {
		return fail(err)
	}
	if g.subs, err = newSubscriptions(g); err != nil {
		return fail(err)
	}
	return g, nil
}

// Close closes the store. Run must have returned.
func (g *Gateway) Close() error { return g.db.Close() }

// Height is the last height indexed.
func (g *Gateway) Height() uint64 { return g.height.Load() }

// Events is how many trace events the index holds.
func (g *Gateway) Events() uint64 { return g.ix.Count() }

// Run follows the chain, runs the capture worker and delivers
// subscriptions until ctx ends. It returns ctx's error, or the reason it
// stopped following: a block that does not verify stops the gateway
// rather than be skipped.
func (g *Gateway) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{}, 2)
	go func() { g.cap.run(ctx); done <- struct{}{} }()
	go func() { g.subs.run(ctx); done <- struct{}{} }()
	err := g.follow(ctx)
	cancel()
	<-done
	<-done
	return err
}

// follow indexes verified blocks, one synced batch per block. Fetching
// and verifying run one goroutine ahead of indexing (up to followAhead
// blocks), so a gateway catching up overlaps the node's answers and the
// signature checks with its own writes.
func (g *Gateway) follow(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	blocks := make(chan *follow.Block, followAhead)
	fetchErr := make(chan error, 1)
	go func() {
		defer close(blocks)
		fetchErr <- g.fetch(ctx, g.height.Load()+1, blocks)
	}()
	for blk := range blocks {
		if err := g.apply(blk); err != nil {
			cancel()
			for range blocks { // let the fetcher end
			}
			return err
		}
	}
	return <-fetchErr
}

// followAhead is how many verified blocks may wait to be indexed.
const followAhead = 16

// fetch sends verified blocks from height h on, retrying what fails for
// want of the node; a block that does not verify ends it.
func (g *Gateway) fetch(ctx context.Context, h uint64, out chan<- *follow.Block) error {
	for ; ; h++ {
		blk, err := g.fol.Next(ctx, h)
		for err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if follow.IsUntrusted(err) {
				g.log.Error("the node served a block that does not verify; stopping", "err", err)
				return err
			}
			g.log.Warn("follow the chain; retrying", "height", h, "err", err)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second):
			}
			blk, err = g.fol.Next(ctx, h)
		}
		select {
		case out <- blk:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (g *Gateway) apply(blk *follow.Block) error {
	b := g.db.NewBatch()
	defer b.Close()
	entries, err := g.ix.Apply(b, blk)
	if err != nil {
		return fmt.Errorf("index height %d: %w", blk.Height(), err)
	}
	_ = b.Set([]byte{tCursor}, binary.BigEndian.AppendUint64(nil, blk.Height()), nil)
	g.cap.mu.Lock()
	defer g.cap.mu.Unlock()
	g.cap.onBlock(b, blk)
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store height %d: %w", blk.Height(), err)
	}
	g.ix.Committed(entries)
	g.height.Store(blk.Height())
	g.cap.afterLocked()
	old := g.indexed.Swap(func() *chan struct{} { c := make(chan struct{}); return &c }())
	close(*old)
	if len(entries) > 0 {
		g.subs.poke()
	}
	return nil
}

// WaitHeight waits until height h is indexed or ctx ends.
func (g *Gateway) WaitHeight(ctx context.Context, h uint64) error {
	for {
		ch := g.indexed.Load()
		if g.height.Load() >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-*ch:
		}
	}
}
