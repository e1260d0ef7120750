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
// instead of one per request. The requests that arrive while a height's
// view is being built wait for that build rather than start their own: at a
// new height a flood's requests all miss at once. Views are shared and
// never changed after they are built. Bounded: at maxLots, the entries of
// past heights go first, then any. Safe for concurrent use.
type lotCache struct {
	mu  sync.Mutex
	max int
	m   map[gs1.ObjectID]*cachedLot
}

// cachedLot is one lot's view at one height; lot and err are set before
// ready is closed and never after.
type cachedLot struct {
	height uint64
	ready  chan struct{}
	lot    *view.Lot
	err    error
	json   lotJSON // the view as the API writes it, encoded on first request
}

// lotJSON is a view's indented JSON, encoded once: the lot-JSON route
// answers a flood of one lot with the same bytes until the next height.
type lotJSON struct {
	once sync.Once
	b    []byte
}

const maxLots = 1024

func newLotCache(max int) *lotCache { return &lotCache{max: max, m: map[gs1.ObjectID]*cachedLot{}} }

// get returns id's view at height, building it with build when the cache
// holds none for that height. Errors are not kept.
func (c *lotCache) get(id gs1.ObjectID, height uint64, build func() (*view.Lot, error)) (*view.Lot, error) {
	e, err := c.entry(id, height, build)
	if err != nil {
		return nil, err
	}
	return e.lot, nil
}

// json is get's view as indented JSON (WriteJSON's bytes), encoded once per
// view.
func (c *lotCache) json(id gs1.ObjectID, height uint64, build func() (*view.Lot, error)) ([]byte, error) {
	e, err := c.entry(id, height, build)
	if err != nil {
		return nil, err
	}
	e.json.once.Do(func() { e.json.b = indentedJSON(e.lot) })
	return e.json.b, nil
}

// entry returns id's entry at height once it is built: the one in the
// cache, or a new one this call builds. A failed build is removed, so the
// next request builds again; those that waited for it get its error.
func (c *lotCache) entry(id gs1.ObjectID, height uint64, build func() (*view.Lot, error)) (*cachedLot, error) {
	c.mu.Lock()
	if e, ok := c.m[id]; ok && e.height == height {
		c.mu.Unlock()
		<-e.ready
		return e, e.err
	}
	e := &cachedLot{height: height, ready: make(chan struct{})}
	c.insert(id, e)
	c.mu.Unlock()

	e.lot, e.err = build()
	close(e.ready)
	if e.err != nil {
		c.mu.Lock()
		if c.m[id] == e {
			delete(c.m, id)
		}
		c.mu.Unlock()
		return nil, e.err
	}
	return e, nil
}

// insert puts e in the cache under id unless it holds a later height there,
// within the bound. c.mu is held.
func (c *lotCache) insert(id gs1.ObjectID, e *cachedLot) {
	if old, ok := c.m[id]; ok && old.height > e.height {
		return
	}
	if len(c.m) >= c.max {
		for k, old := range c.m {
			if old.height < e.height {
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
	c.m[id] = e
}
