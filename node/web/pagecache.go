package web

import (
	"sync"

	"github.com/qianchain/qianchain/node/view"
)

// pageCache keeps consumer pages as rendered, for the same view of a lot at
// the same height. A lot's view is shared until the next block
// (api.Server.LotView), and the page is a function of that view, the serial
// asked, the origin the links are written with and the height in its
// footer, so the bytes are the same for every request that agrees on those.
// A QR code on a popular product, or a flood of it, costs one render per
// block instead of one per request (a render is about a millisecond of
// html/template; 14 % of an attacked node's CPU in the attack run before
// this). Bounded: at maxPages, the pages of past heights go first, then any.
// Safe for concurrent use.
type pageCache struct {
	mu sync.Mutex
	m  map[pageKey][]byte
}

// pageKey is what a cached page depends on. The view's identity stands for
// its contents: views are never changed once built.
type pageKey struct {
	name   string // template
	lot    *view.Lot
	serial string
	origin string
	height uint64
}

const maxPages = 256

func newPageCache() *pageCache { return &pageCache{m: map[pageKey][]byte{}} }

func (c *pageCache) get(k pageKey) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *pageCache) put(k pageKey, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxPages {
		for old := range c.m {
			if old.height < k.height {
				delete(c.m, old)
			}
		}
		for old := range c.m {
			if len(c.m) < maxPages {
				break
			}
			delete(c.m, old)
		}
	}
	c.m[k] = b
}
