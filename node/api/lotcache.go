package api

import (
	"sync"

	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/node/view"
)

// lotCache keeps each lot's view (its history, lineage, timeline and
// verification: a few hundred store reads) as built at a height, and serves
// it until the store moves past that height. A lot changes only with a
// committed block, so this is the same answer; and a consumer page is what
// anyone who scans a package's QR code requests, so a flood of it, from
// many clients each within its read budget, costs one build per block
// instead of one per request. Views are shared and never changed after
// they are built. Bounded: at maxLots, the entries of past heights go
// first, then any. Safe for concurrent use.
type lotCache struct {
	mu  sync.Mutex
	max int
	m   map[gs1.ObjectID]cachedLot
}

type cachedLot struct {
	height uint64
	lot    *view.Lot
}

const maxLots = 1024

func newLotCache(max int) *lotCache { return &lotCache{max: max, m: map[gs1.ObjectID]cachedLot{}} }

// get returns id's view at height, building it with build when the cache
// holds none for that height. Errors are not kept.
func (c *lotCache) get(id gs1.ObjectID, height uint64, build func() (*view.Lot, error)) (*view.Lot, error) {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && e.height == height {
		return e.lot, nil
	}
	l, err := build()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k, e := range c.m {
			if e.height < height {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < c.max {
				break
			}
			delete(c.m, k)
		}
	}
	if e, ok := c.m[id]; !ok || e.height <= height {
		c.m[id] = cachedLot{height, l}
	}
	return l, nil
}
