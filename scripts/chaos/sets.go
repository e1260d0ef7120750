package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/api"
)

// setsAt gives the validator set of a height, when it is known.
type setsAt interface {
	At(h uint64) (*ledger.ValidatorSet, bool)
}

// setBook is the validator set of each height as the orchestrator has
// followed it from genesis (docs/consensus.md section 10): header h names
// the sets of h and h+1 by hash; a set that differs from the one before is
// read from a node (GET /v1/validators?height=H) and believed only if it
// hashes to what the header names, the rule of ledger.SetFollower. The
// headers themselves are certified by the commits the end-of-run checks
// verify against these sets. Safe for concurrent use.
type setBook struct {
	mu      sync.Mutex
	records []setRecord // by from, ascending
	known   uint64      // the sets of heights 1..known are known
	changes int         // records after genesis
}

type setRecord struct {
	from uint64
	vals *ledger.ValidatorSet
	hash ledger.Hash
}

func newSetBook(genesis *ledger.ValidatorSet) *setBook {
	return &setBook{records: []setRecord{{from: 1, vals: genesis, hash: genesis.Hash()}}, known: 1}
}

// At returns the set of height h, if the followed headers have fixed it.
func (b *setBook) At(h uint64) (*ledger.ValidatorSet, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if h == 0 || h > b.known {
		return nil, false
	}
	return b.at(h).vals, true
}

func (b *setBook) at(h uint64) setRecord {
	r := b.records[0]
	for _, x := range b.records {
		if x.from > h {
			break
		}
		r = x
	}
	return r
}

// Known is the last height whose set is known.
func (b *setBook) Known() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.known
}

// Changes is how many times the set changed in the followed chain.
func (b *setBook) Changes() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.changes
}

// Learn takes header hd (the next one after those learned, or an earlier
// one, which is checked) and fixes the sets of its height and the next.
// fetch reads a set from a node. An error means the chain names a set the
// node does not serve, or one that disagrees with what was learned.
func (b *setBook) Learn(ctx context.Context, hd *ledger.Header, fetch func(ctx context.Context, h uint64) (*ledger.ValidatorSet, error)) error {
	for _, x := range []struct {
		h    uint64
		want ledger.Hash
	}{{hd.Height, hd.ValidatorsHash}, {hd.Height + 1, hd.NextValidatorsHash}} {
		b.mu.Lock()
		known, cur := b.known, b.at(x.h)
		b.mu.Unlock()
		switch {
		case x.h <= known:
			if cur.hash != x.want {
				return fmt.Errorf("header %d names validator set %s for height %d, which followed the chain as %s", hd.Height, x.want.Short(), x.h, cur.hash.Short())
			}
			continue
		case x.h > known+1:
			return fmt.Errorf("header %d learned before the sets of heights %d..%d", hd.Height, known+1, x.h-1)
		}
		if cur.hash == x.want {
			b.mu.Lock()
			b.known = max(b.known, x.h)
			b.mu.Unlock()
			continue
		}
		vals, err := fetch(ctx, x.h)
		if err != nil {
			return fmt.Errorf("the validator set of height %d: %w", x.h, err)
		}
		if got := vals.Hash(); got != x.want {
			return fmt.Errorf("the node serves a validator set of height %d hashing to %s; header %d names %s", x.h, got.Short(), hd.Height, x.want.Short())
		}
		b.mu.Lock()
		if x.h == b.known+1 {
			b.records = append(b.records, setRecord{from: x.h, vals: vals, hash: x.want})
			b.known, b.changes = x.h, b.changes+1
		}
		b.mu.Unlock()
	}
	return nil
}

// fetchSet reads the validator set of height h from node i's API.
func (c *cluster) fetchSet(ctx context.Context, i int, h uint64) (*ledger.ValidatorSet, error) {
	var v api.ValidatorsResponse
	gctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Nodes[i].API.Get(gctx, fmt.Sprintf("/v1/validators?height=%d", h), &v); err != nil {
		return nil, err
	}
	vals := make([]ledger.Validator, len(v.Validators))
	for k, x := range v.Validators {
		vals[k] = ledger.Validator{PubKey: x.PubKey, Power: x.Power}
	}
	return ledger.NewValidatorSet(vals)
}
