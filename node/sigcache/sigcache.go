// Package sigcache remembers which transaction signatures this node has
// verified, so each is verified once: at mempool admission, and then found
// here when the same transaction arrives in a proposed block.
//
// An entry is keyed by the transaction hash and the signature together.
// The hash alone would not do: it does not cover the signature (see
// docs/encoding.md), so a block carrying a known transaction with a forged
// signature must miss the cache and fail verification.
package sigcache

import (
	"sync"

	"github.com/qianchain/qianchain/ledger"
)

type key struct {
	hash ledger.Hash
	sig  ledger.Signature
}

// Cache is a bounded set of verified (hash, signature) pairs, evicting the
// oldest first. Safe for concurrent use.
type Cache struct {
	mu   sync.Mutex
	set  map[key]struct{}
	ring []key
	next int
	full bool
}

// New returns a cache holding up to size entries.
func New(size int) *Cache {
	if size < 1 {
		size = 1
	}
	return &Cache{set: make(map[key]struct{}, size), ring: make([]key, size)}
}

// Contains reports whether tx's signature was verified.
func (c *Cache) Contains(tx *ledger.Tx, hash ledger.Hash) bool {
	c.mu.Lock()
	_, ok := c.set[key{hash, tx.Sig}]
	c.mu.Unlock()
	return ok
}

// Add records that tx's signature verified.
func (c *Cache) Add(tx *ledger.Tx, hash ledger.Hash) {
	k := key{hash, tx.Sig}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.set[k]; ok {
		return
	}
	if c.full {
		delete(c.set, c.ring[c.next])
	}
	c.ring[c.next] = k
	c.set[k] = struct{}{}
	c.next++
	if c.next == len(c.ring) {
		c.next, c.full = 0, true
	}
}

// Verify checks tx's signature unless the cache already holds it, and
// remembers a success.
func (c *Cache) Verify(tx *ledger.Tx, hash ledger.Hash) error {
	if c.Contains(tx, hash) {
		return nil
	}
	if !tx.Sender.Verify(hash, tx.Sig) {
		return ledger.ErrBadSignature
	}
	c.Add(tx, hash)
	return nil
}

// Len is the number of entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.set)
}
