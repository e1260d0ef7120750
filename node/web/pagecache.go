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
// this). A page of a past height is never asked for again (the height is in
// the key), so the cache holds the latest height's pages only, at most
// maxPages of them. Safe for concurrent use.
type pageCache struct {
	mu     sync.Mutex
	height uint64 // of the pages held
	m      map[pageKey][]byte
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

// put keeps b under k. A page of a height below the latest one kept is not
// kept; one of a later height replaces all that are.
func (c *pageCache) put(k pageKey, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case k.height < c.height:
		return
	case k.height > c.height:
		clear(c.m)
		c.height = k.height
	case len(c.m) >= maxPages:
		return
	}
	c.m[k] = b
}
