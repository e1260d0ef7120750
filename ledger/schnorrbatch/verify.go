package schnorrbatch

import (
	"github.com/qianchain/qianchain/ledger"
)

// Item is one signature to check: Sig must be a BIP-340 signature of Msg by
// Key.
type Item struct {
	Key ledger.PublicKey
	Msg ledger.Hash
	Sig ledger.Signature
}

// DefaultCacheKeys is the number of lifted public keys that the package-level
// Verify and VerifyEach remember (about 150 bytes each).
const DefaultCacheKeys = 16384

// Verifier verifies batches of signatures, remembering lifted public keys in
// a bounded cache of its own. It is safe for concurrent use; each call works
// on one goroutine, so a caller with several cores splits a large batch and
// calls Verify on the parts in parallel.
type Verifier struct {
	cache *keyCache
}

// NewVerifier returns a Verifier that caches up to cacheKeys lifted public
// keys; cacheKeys <= 0 disables the cache.
func NewVerifier(cacheKeys int) *Verifier {
	return &Verifier{cache: newKeyCache(cacheKeys)}
}

var defaultVerifier = NewVerifier(DefaultCacheKeys)

// Verify reports whether every signature in items is valid, using a
// package-wide Verifier with a cache of DefaultCacheKeys keys. See
// (*Verifier).Verify.
func Verify(items []Item) bool { return defaultVerifier.Verify(items) }

// VerifyEach reports which signatures in items are invalid, using a
// package-wide Verifier. See (*Verifier).VerifyEach.
func VerifyEach(items []Item) []int { return defaultVerifier.VerifyEach(items) }

// Verify reports whether every signature in items is valid under BIP-340:
// it is true exactly when ledger.PublicKey.Verify (BIP-340 Verify) accepts
// each item on its own, except that the probability that a batch containing
// an invalid signature is accepted is at most 2^-128 (over this call's
// random coefficients, whatever the inputs). A malformed key (x >= p or not
// on the curve), r >= p or not an x coordinate on the curve, or s >= n fails
// the batch. An empty batch is valid. items is only read.
func (v *Verifier) Verify(items []Item) bool {
	if len(items) == 0 {
		return true
	}
	b := getBatch()
	defer putBatch(b)
	if !b.prepare(items, v.cache, nil, true) {
		return false
	}
	b.drawCoefficients(items)
	idx := b.allIndexes(len(items))
	return b.check(idx)
}

// VerifyEach returns the positions of the invalid signatures in items, in
// increasing order, or nil when all are valid. It checks the whole batch
// first, so when all signatures are valid (the common case) it costs what
// Verify costs. Otherwise it bisects: halves that pass are accepted, halves
// that fail are split again, and groups of a few items are verified one by
// one; once many invalid signatures have turned up it verifies the rest one
// by one. A reported item is certainly invalid; an unreported one is valid
// except with probability at most 2^-128 per batch check.
func (v *Verifier) VerifyEach(items []Item) []int {
	if len(items) == 0 {
		return nil
	}
	b := getBatch()
	defer putBatch(b)
	bad := make([]bool, len(items))
	b.prepare(items, v.cache, bad, false)
	b.drawCoefficients(items)
	idx := b.allIndexes(len(items))
	cand := idx[:0]
	for i := range items {
		if !bad[i] {
			cand = append(cand, int32(i))
		}
	}
	budget := 1 + len(cand)/64
	var found []int32
	if !b.check(cand) {
		found = b.findInvalid(cand, true, &budget, nil)
	}
	for _, i := range found {
		bad[i] = true
	}
	var out []int
	for i, isBad := range bad {
		if isBad {
			out = append(out, i)
		}
	}
	return out
}

func (b *batch) allIndexes(n int) []int32 {
	b.idx = grow(b.idx, n)
	for i := range b.idx {
		b.idx[i] = int32(i)
	}
	return b.idx
}
