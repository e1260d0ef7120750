// Package sigcache remembers which transaction signatures this node has
// verified, so each is verified once: at mempool admission, and then found
// here when the same transaction arrives in a proposed block.
//
// An entry is keyed by the transaction hash and the signature together.
// The hash alone would not do: it does not cover the signature (see
// docs/encoding.md), so a block carrying a known transaction with a forged
// signature must miss the cache and fail verification.
//
// VerifyBatch verifies the misses of many transactions at once with BIP-340
// batch verification (ledger/schnorrbatch), 3 to 5 times cheaper per
// signature than one by one at a few hundred, spread over the cores.
package sigcache

import (
	"runtime"
	"sync"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/schnorrbatch"
)

type key struct {
	hash ledger.Hash
	sig  ledger.Signature
}

// Cache is a bounded set of verified (hash, signature) pairs, evicting the
// oldest first. Safe for concurrent use.
type Cache struct {
	batch *schnorrbatch.Verifier

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
	return &Cache{set: make(map[key]struct{}, size), ring: make([]key, size), batch: schnorrbatch.NewVerifier(schnorrbatch.DefaultCacheKeys)}
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

// minChunk is the smallest batch worth giving a core of its own: below a
// few hundred signatures, splitting costs more in lost batching than the
// second core gains.
const minChunk = 256

// VerifyBatch checks the signatures of txs (whose hashes are given) and
// returns the positions of the invalid ones in increasing order, or nil.
// Cached signatures are not checked again; the rest are batch-verified on
// up to GOMAXPROCS goroutines, and the valid ones are cached.
func (c *Cache) VerifyBatch(txs []*ledger.Tx, hashes []ledger.Hash) []int {
	var miss []int
	c.mu.Lock()
	for i, tx := range txs {
		if _, ok := c.set[key{hashes[i], tx.Sig}]; !ok {
			miss = append(miss, i)
		}
	}
	c.mu.Unlock()
	if len(miss) == 0 {
		return nil
	}
	items := make([]schnorrbatch.Item, len(miss))
	for j, i := range miss {
		items[j] = schnorrbatch.Item{Key: txs[i].Sender, Msg: hashes[i], Sig: txs[i].Sig}
	}
	parts := min(runtime.GOMAXPROCS(0), max(1, len(items)/minChunk))
	badParts := make([][]int, parts)
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		lo, hi := p*len(items)/parts, (p+1)*len(items)/parts
		wg.Add(1)
		go func(p, lo, hi int) {
			defer wg.Done()
			for _, b := range c.batch.VerifyEach(items[lo:hi]) {
				badParts[p] = append(badParts[p], lo+b)
			}
		}(p, lo, hi)
	}
	wg.Wait()
	var bad []int
	isBad := make(map[int]bool)
	for _, bp := range badParts {
		for _, j := range bp {
			bad = append(bad, miss[j])
			isBad[j] = true
		}
	}
	for j, i := range miss {
		if !isBad[j] {
			c.Add(txs[i], hashes[i])
		}
	}
	return bad
}
