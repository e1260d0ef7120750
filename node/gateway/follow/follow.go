// Package follow reads a chain's committed blocks from one node's HTTP API
// and believes none of it: each block's commit certificate is checked
// against the validator set of its height, followed from the genesis the
// caller holds through every change of set the chain's headers announce
// (ledger.SetFollower, the rule of `qian verify` and the audit), and each
// block's transaction results against the app hash that the next certified
// header carries. A block is handed on only once both checks pass, so a
// lying node can stall a follower but never feed it a block or an outcome
// the validators did not agree on.
//
// A new validator set is read from the node (GET /v1/validators?height=H)
// and believed only when it hashes to the next_validators_hash of a header
// certified by the set before it. A follower that starts above height 1
// (a gateway restarting) first follows the changes of set below it: the
// node names the heights where the set changed, and each change is
// checked the same way, from genesis up; a change the node leaves out
// makes the next header fail to match.
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
// (and the changes of set followed from it) does not vouch for. The
// follower stops on it rather than skip the height.
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
	// sets follows the validator set from genesis; followed is the
	// highest height whose header's next set has been followed, so
	// sets.SetAt(h) is the chain's set for every h up to followed+1.
	sets     *ledger.SetFollower
	followed uint64
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
	chain := doc.Identity()
	return &Follower{base: strings.TrimRight(base, "/"), client: &http.Client{Timeout: 60 * time.Second},
		chain: chain, sets: ledger.NewSetFollower(chain, vals), Poll: 50 * time.Millisecond}, nil
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

// fetch reads height h and checks its block against its own certificate,
// by the validator set of h; then follows the change of set the header
// announces for h+1, if any.
func (f *Follower) fetch(ctx context.Context, h uint64) (*verifiedRaw, error) {
	set, err := f.setFor(ctx, h)
	if err != nil {
		return nil, err
	}
	raw, b, c, err := f.rawBlock(ctx, h)
	if err != nil {
		return nil, err
	}
	if err := b.ValidateContents(); err != nil {
		return nil, &Untrusted{h, err.Error()}
	}
	if b.Header.ValidatorsHash != set.Hash() {
		return nil, &Untrusted{h, fmt.Sprintf("the header names validator set %s; the set of this height, followed from genesis, is %s", b.Header.ValidatorsHash.Short(), set.Hash().Short())}
	}
	if err := c.Verify(f.chain, set, h, b.Hash()); err != nil {
		return nil, &Untrusted{h, err.Error()}
	}
	if err := f.learnNext(ctx, &b.Header, c); err != nil {
		return nil, err
	}
	return &verifiedRaw{raw: *raw, block: b}, nil
}

// rawBlock reads height h as the node stores it and decodes its block and
// certificate (verifying neither).
func (f *Follower) rawBlock(ctx context.Context, h uint64) (*api.RawBlock, *ledger.Block, *ledger.Commit, error) {
	var raw api.RawBlock
	if err := f.get(ctx, fmt.Sprintf("/v1/blocks/%d/raw", h), &raw); err != nil {
		return nil, nil, nil, err
	}
	b, err := ledger.DecodeBlock(raw.Block)
	if err != nil {
		return nil, nil, nil, &Untrusted{h, fmt.Sprintf("block: %v", err)}
	}
	if b.Header.Height != h || b.Header.ChainID != f.chain.ChainID() {
		return nil, nil, nil, &Untrusted{h, fmt.Sprintf("the block is height %d of chain %q", b.Header.Height, b.Header.ChainID)}
	}
	c, err := ledger.DecodeCommit(raw.Commit)
	if err != nil {
		return nil, nil, nil, &Untrusted{h, fmt.Sprintf("commit: %v", err)}
	}
	return &raw, b, c, nil
}

// learnNext follows the change of set that hdr, certified by c under the
// set of its height, announces for the height after it, unless it was
// followed already; then the set of that height must be the one hdr
// names.
func (f *Follower) learnNext(ctx context.Context, hdr *ledger.Header, c *ledger.Commit) error {
	h := hdr.Height
	if f.followed < h {
		if hdr.NextValidatorsHash != hdr.ValidatorsHash {
			if err := f.transition(ctx, hdr, c, nil); err != nil {
				return err
			}
		}
		f.followed = h
	}
	if got := f.sets.SetAt(h + 1).Hash(); got != hdr.NextValidatorsHash {
		return &Untrusted{h, fmt.Sprintf("the header names next validator set %s; the set of height %d, followed from genesis, is %s", hdr.NextValidatorsHash.Short(), h+1, got.Short())}
	}
	return nil
}

// transition follows the change of set to height hdr.Height+1: the new set
// (v when the caller read it already, else read from the node) must hash
// to hdr's next_validators_hash, and c must certify hdr by more than two
// thirds of the set in force (ledger.SetFollower.Transition), every
// signature verified.
func (f *Follower) transition(ctx context.Context, hdr *ledger.Header, c *ledger.Commit, v *setAnswer) error {
	at := hdr.Height + 1
	if v == nil {
		var err error
		if v, err = f.validators(ctx, at); err != nil {
			return err
		}
	}
	next, err := validatorSet(v)
	if err != nil {
		return &Untrusted{at, fmt.Sprintf("the validator set the node gives for this height: %v", err)}
	}
	sigs, err := f.sets.Transition(&ledger.Transition{Header: hdr, Commit: c, Validators: next})
	if err != nil {
		return &Untrusted{at, err.Error()}
	}
	if i := ledger.VerifyEach(sigs); i >= 0 {
		return &Untrusted{at, fmt.Sprintf("the change of validator set: signature %d of the certificate of header %d does not verify", i, hdr.Height)}
	}
	return nil
}

// setFor returns the validator set of height h, first following the
// changes of set below h that the follower has not seen: it starts at
// height 1, or a gateway restarts at the height after the last it
// indexed. The node names where the set changed (each set's first
// height, walking down from h); each change is then followed from the
// lowest up, with the header before it and its certificate read from the
// node. A change left out, or a height misnamed, shows as a header that
// names another set than the one followed, and is refused there.
func (f *Follower) setFor(ctx context.Context, h uint64) (*ledger.ValidatorSet, error) {
	if h <= f.followed+1 {
		return f.sets.SetAt(h), nil
	}
	var changes []*setAnswer // highest first
	for at := h; at > f.followed+1; {
		v, err := f.validators(ctx, at)
		if err != nil {
			return nil, err
		}
		if v.From > at || v.From == 0 {
			return nil, &Untrusted{at, fmt.Sprintf("the node says the set of this height first signs height %d", v.From)}
		}
		if v.From <= f.followed+1 {
			break
		}
		changes = append(changes, v)
		at = v.From - 1
	}
	for i := len(changes) - 1; i >= 0; i-- {
		v := changes[i]
		_, b, c, err := f.rawBlock(ctx, v.From-1)
		if err != nil {
			return nil, err
		}
		if err := f.transition(ctx, &b.Header, c, v); err != nil {
			return nil, err
		}
	}
	f.followed = h - 1
	return f.sets.SetAt(h), nil
}

// setAnswer is what the follower reads of GET /v1/validators?height=H
// (api.ValidatorsResponse): the first height the set signs, and its keys
// and powers in index order, which is what the set's hash covers.
type setAnswer struct {
	From       uint64 `json:"from"`
	Validators []struct {
		Index  int              `json:"index"`
		PubKey ledger.PublicKey `json:"pub_key"`
		Power  uint64           `json:"power"`
	} `json:"validators"`
}

// validators reads the validator set of height h from the node.
func (f *Follower) validators(ctx context.Context, h uint64) (*setAnswer, error) {
	var v setAnswer
	if err := f.get(ctx, fmt.Sprintf("/v1/validators?height=%d", h), &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// validatorSet builds the ledger's set from the node's answer.
func validatorSet(v *setAnswer) (*ledger.ValidatorSet, error) {
	vals := make([]ledger.Validator, len(v.Validators))
	for i, x := range v.Validators {
		if x.Index != i {
			return nil, fmt.Errorf("validator %d has index %d", i, x.Index)
		}
		vals[i] = ledger.Validator{PubKey: x.PubKey, Power: x.Power}
	}
	return ledger.NewValidatorSet(vals)
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
