package view

import (
	"sync"

	"github.com/qianchain/qianchain/ledger"
)

// verifiedCache remembers final verifications by transaction. Every view of
// a consumer page verifies up to MaxLotChecks proof bundles (a commit
// certificate's signatures each), so without it one client within its read
// budget could keep the node's cores busy; and a final verification never
// changes: the transaction is committed, its certificate is the one the
// chain recorded (the next block's last commit), its result is proven
// through that block's app hash, and the validator-set transitions the
// bundle follows from genesis to the set of its height are committed
// history too. Only such verifications are kept, so a page view
// re-verifies what is new and nothing else.
//
// A verification is final for the anchor it was checked against (chain
// identity, starting set, trust points), which is why the key can be the
// transaction alone: a cache belongs to one Reader, whose anchor is fixed
// in New (genesis, no trust points) and never changed. Checking against
// another anchor needs another cache. Bounded: when full, the oldest entry
// goes. Safe for concurrent use (a Reader serves many requests at once).
type verifiedCache struct {
	mu    sync.Mutex
	max   int
	m     map[ledger.Hash]*Verification
	order []ledger.Hash // ring of keys, oldest at next
	next  int
}

// maxVerified bounds the cache: a few MB.
const maxVerified = 16384

func newVerifiedCache(max int) *verifiedCache {
	return &verifiedCache{max: max, m: map[ledger.Hash]*Verification{}}
}

// get returns a copy of the cached verification of h, the caller's to
// change.
func (c *verifiedCache) get(h ledger.Hash) (*Verification, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[h]
	if !ok {
		return nil, false
	}
	cp := *v
	return &cp, true
}

// put keeps a copy of v if it is final.
func (c *verifiedCache) put(v *Verification) {
	if !v.Verified || !v.InChain || !v.ResultProven {
		return
	}
	cp := *v
	cp.Records, cp.Failed, cp.Pruned = 0, 0, 0
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[v.TxHash]; ok {
		return
	}
	if len(c.order) < c.max {
		c.order = append(c.order, v.TxHash)
	} else {
		delete(c.m, c.order[c.next])
		c.order[c.next] = v.TxHash
		c.next = (c.next + 1) % c.max
	}
	c.m[v.TxHash] = &cp
}
