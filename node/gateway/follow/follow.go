// Package follow reads a chain's committed blocks from one node's HTTP API
// and believes none of it: each block's commit certificate is checked
// against the validator set of the genesis the caller holds, and each
// block's transaction results against the app hash that the next certified
// header carries. A block is handed on only once both checks pass, so a
// lying node can stall a follower but never feed it a block or an outcome
// the validators did not agree on.
//
// The results of height h are committed to by the app hash in header h+1
// (docs/state.md), so the follower hands on height h once h+1 exists: it
// runs one block behind the chain's tip.
package follow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
)

// Block is a committed height whose certificate and results verified.
type Block struct {
	Block    *ledger.Block
	Outcomes []*node.TxOutcome // one per transaction, in block order
}

// Height is the block's height.
func (b *Block) Height() uint64 { return b.Block.Header.Height }

// Time is the block time (EPCIS recordTime), Unix nanoseconds.
func (b *Block) Time() int64 { return b.Block.Header.Time }

// Untrusted is a verification failure: the node served data that genesis
// does not vouch for. The follower stops on it rather than skip the height.
type Untrusted struct {
	Height uint64
	Reason string
}

func (e *Untrusted) Error() string {
	return fmt.Sprintf("height %d does not verify against genesis: %s", e.Height, e.Reason)
}

// Follower fetches verified blocks in order. One goroutine calls Next.
type Follower struct {
	base   string
	client *http.Client
	chain  ledger.ChainIdentity // what every certificate must be signed over
	vals   *ledger.ValidatorSet
	// Poll is how often Next asks the node for its tip while waiting.
	Poll time.Duration

	tip     uint64
	checked bool         // the node's genesis hash was compared
	next    *verifiedRaw // height h+1, fetched while verifying h
}

// verifiedRaw is a fetched height whose own certificate verified.
type verifiedRaw struct {
	raw   api.RawBlock
	block *ledger.Block
}

// New returns a follower of the node at base for the chain of doc.
func New(base string, doc *genesis.Doc) (*Follower, error) {
	vals, err := doc.ValidatorSet()
	if err != nil {
		return nil, err
	}
	return &Follower{base: strings.TrimRight(base, "/"), client: &http.Client{Timeout: 60 * time.Second},
		chain: doc.Identity(), vals: vals, Poll: 50 * time.Millisecond}, nil
}

// Next returns height h once h+1 is committed and both verify. It waits
// (polling the node's tip) until then or until ctx ends.
func (f *Follower) Next(ctx context.Context, h uint64) (*Block, error) {
	if err := f.waitTip(ctx, h+1); err != nil {
		return nil, err
	}
	cur := f.next
	if cur == nil || cur.block.Header.Height != h {
		var err error
		if cur, err = f.fetch(ctx, h); err != nil {
			return nil, err
		}
	}
	nxt, err := f.fetch(ctx, h+1)
	if err != nil {
		return nil, err
	}
	f.next = nxt
	return f.results(cur, nxt)
}

// Tip is the node's height as last seen.
func (f *Follower) Tip() uint64 { return f.tip }

func (f *Follower) waitTip(ctx context.Context, want uint64) error {
	for f.tip < want {
		var st api.StatusResponse
		if err := f.get(ctx, "/v1/status", &st); err != nil {
			return err
		}
		if !f.checked {
			if st.Genesis != f.chain.GenesisHash() {
				return fmt.Errorf("the node at %s runs the chain of genesis %s, not %s", f.base, st.Genesis, f.chain.GenesisHash())
			}
			f.checked = true
		}
		f.tip = st.Height
		if f.tip >= want {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(f.Poll):
		}
	}
	return nil
}

// fetch reads height h and checks its block against its own certificate.
func (f *Follower) fetch(ctx context.Context, h uint64) (*verifiedRaw, error) {
	var raw api.RawBlock
	if err := f.get(ctx, fmt.Sprintf("/v1/blocks/%d/raw", h), &raw); err != nil {
		return nil, err
	}
	b, err := ledger.DecodeBlock(raw.Block)
	if err != nil {
		return nil, &Untrusted{h, fmt.Sprintf("block: %v", err)}
	}
	if b.Header.Height != h || b.Header.ChainID != f.chain.ChainID() {
		return nil, &Untrusted{h, fmt.Sprintf("the block is height %d of chain %q", b.Header.Height, b.Header.ChainID)}
	}
	if err := b.ValidateContents(); err != nil {
		return nil, &Untrusted{h, err.Error()}
	}
	c, err := ledger.DecodeCommit(raw.Commit)
	if err != nil {
		return nil, &Untrusted{h, fmt.Sprintf("commit: %v", err)}
	}
	if err := c.Verify(f.chain, f.vals, h, b.Hash()); err != nil {
		return nil, &Untrusted{h, err.Error()}
	}
	return &verifiedRaw{raw: raw, block: b}, nil
}

// results ties cur's result leaves to the app hash of the certified header
// after it, and decodes them.
func (f *Follower) results(cur, nxt *verifiedRaw) (*Block, error) {
	h := cur.block.Header.Height
	if len(cur.raw.Results) != len(cur.block.Txs) {
		return nil, &Untrusted{h, fmt.Sprintf("%d results for %d transactions", len(cur.raw.Results), len(cur.block.Txs))}
	}
	if cur.raw.WritesRoot == nil {
		return nil, &Untrusted{h, "the node keeps no writes root for this height, so its results cannot be checked; follow a node that does"}
	}
	leaves := make([]merkle.Hash, len(cur.raw.Results))
	for i, r := range cur.raw.Results {
		leaves[i] = merkle.LeafHash(r)
	}
	root := ledger.Hash(merkle.Root(leaves))
	if got := proof.AppHashLink(cur.block.Header.AppHash, h, *cur.raw.WritesRoot, root); got != nxt.block.Header.AppHash {
		return nil, &Untrusted{h, fmt.Sprintf("results and writes root give app hash %s, certified header %d carries %s", got.Short(), h+1, nxt.block.Header.AppHash.Short())}
	}
	out := &Block{Block: cur.block, Outcomes: make([]*node.TxOutcome, len(cur.raw.Results))}
	for i, r := range cur.raw.Results {
		o, err := node.DecodeOutcome(r)
		if err != nil {
			return nil, &Untrusted{h, fmt.Sprintf("result %d: %v", i, err)}
		}
		out.Outcomes[i] = o
	}
	return out, nil
}

func (f *Follower) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return fmt.Errorf("reach the node at %s: %w", f.base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 512<<20))
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e api.Error
		if json.Unmarshal(body, &e) == nil && e.Code != "" {
			return fmt.Errorf("GET %s: %s: %s", path, e.Code, e.Message)
		}
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// IsUntrusted reports whether err is a verification failure.
func IsUntrusted(err error) bool {
	var u *Untrusted
	return errors.As(err, &u)
}
