package schnorrbatch

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	mrand "math/rand/v2"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
)

// prepared is what the batch equation needs of one well-formed item; the
// lifted nonce R is bases[i] of the scratch and the lifted key is
// bases[len(items)+key].
type prepared struct {
	key  int32
	e, s btcec.ModNScalar
	a    btcec.ModNScalar // the item's random coefficient
	al   limbs            // the same, as an integer below 2^128
}

var challengeTag = sha256.Sum256([]byte("BIP0340/challenge"))

// batch is one verification in progress. It is owned by one goroutine.
type batch struct {
	*scratch
	h hash.Hash
}

var scratchPool = sync.Pool{New: func() any {
	return &batch{scratch: &scratch{keyIdx: make(map[[32]byte]int32)}, h: sha256.New()}
}}

func getBatch() *batch { return scratchPool.Get().(*batch) }

func putBatch(b *batch) {
	// A huge batch should not pin its buffers for ever.
	if cap(b.items) > 1<<16 {
		return
	}
	clear(b.keyIdx)
	scratchPool.Put(b)
}

// prepare checks the form of every item and computes what the batch equation
// needs: R = lift_x(r), P = lift_x(key), e and s. It reports in bad[i]
// whether item i is malformed (key not a valid x-only key, r not the x of a
// curve point, s >= n); a malformed item can never verify. When failFast is
// set it stops at the first malformed item and returns false.
func (b *batch) prepare(items []Item, cache *keyCache, bad []bool, failFast bool) bool {
	u := len(items)
	b.items = grow(b.items, u)
	clear(b.keyIdx)

	// Distinct keys, looked up in the cache under one lock and lifted
	// outside it.
	b.keyList = b.keyList[:0]
	for i := range items {
		k := [32]byte(items[i].Key)
		if _, ok := b.keyIdx[k]; !ok {
			b.keyIdx[k] = int32(len(b.keyList))
			b.keyList = append(b.keyList, k)
		}
	}
	nk := len(b.keyList)
	b.keys = grow(b.keys, nk)
	b.keyValid = grow(b.keyValid, nk)
	cache.lift(b.keyList, b.keys, b.keyValid)
	valid := b.keyValid

	b.bases = grow(b.bases, u+nk)
	copy(b.bases[u:], b.keys)
	allOK := true
	var ebuf [32]byte
	for i := range items {
		it := &items[i]
		p := &b.items[i]
		p.key = b.keyIdx[[32]byte(it.Key)]
		var sb, rb [32]byte
		copy(sb[:], it.Sig[32:])
		copy(rb[:], it.Sig[:32])
		var r affine
		ok := valid[p.key] && p.s.SetBytes(&sb) == 0 // the cheap checks first
		if ok {
			r, ok = liftX(&rb)
		}
		if !ok {
			allOK = false
			if bad != nil {
				bad[i] = true
			}
			if failFast {
				return false
			}
			continue
		}
		b.bases[i] = r
		// e = int(hash_BIP0340/challenge(bytes(r) || bytes(P) || m)) mod n
		b.h.Reset()
		b.h.Write(challengeTag[:])
		b.h.Write(challengeTag[:])
		b.h.Write(it.Sig[:32])
		b.h.Write(it.Key[:])
		b.h.Write(it.Msg[:])
		b.h.Sum(ebuf[:0])
		p.e.SetBytes(&ebuf)
	}
	return allOK
}

// drawCoefficients gives every item a coefficient a, uniform in [1, 2^128),
// from a ChaCha8 stream keyed by SHA-256 of 32 bytes of operating-system
// randomness and of the whole batch. Either source alone makes the
// coefficients unpredictable to whoever chose the signatures: the operating
// system's randomness by itself, the hash of the inputs as BIP-340 allows
// (an attacker who changes any input changes every coefficient).
func (b *batch) drawCoefficients(items []Item) {
	var osr [32]byte
	rand.Read(osr[:]) // never fails (crypto/rand.Read crashes the program instead)
	b.h.Reset()
	b.h.Write([]byte("qianchain/schnorrbatch/coefficients/v1"))
	b.h.Write(osr[:])
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(items)))
	b.h.Write(n[:])
	for i := range items {
		b.h.Write(items[i].Key[:])
		b.h.Write(items[i].Msg[:])
		b.h.Write(items[i].Sig[:])
	}
	var seed [32]byte
	b.h.Sum(seed[:0])
	src := mrand.NewChaCha8(seed)
	for i := range b.items {
		var lo, hi uint64
		for lo|hi == 0 {
			lo, hi = src.Uint64(), src.Uint64()
		}
		b.items[i].al = limbs{lo, hi, 0, 0}
		b.items[i].a = scalarOf(&b.items[i].al)
	}
}

func scalarOf(l *limbs) btcec.ModNScalar {
	var buf [32]byte
	putWord(buf[24:32], l[0])
	putWord(buf[16:24], l[1])
	putWord(buf[8:16], l[2])
	putWord(buf[0:8], l[3])
	var s btcec.ModNScalar
	s.SetBytes(&buf)
	return s
}

// check reports whether Σ a_i·(s_i·G - R_i - e_i·P_i) = 0 over the listed
// (well-formed) items, with the first item's coefficient taken as 1. If every
// listed signature is valid every term is zero and check returns true. If
// one is invalid, its term is a non-zero multiple of G (the group has prime
// order n) and the sum is zero only if the coefficients happen to satisfy a
// linear equation they were drawn independently of: probability at most
// 2^-128 (see doc.go). For one item the check is exact: it is BIP-340
// verification.
func (b *batch) check(idx []int32) bool {
	if len(idx) == 0 {
		return true
	}
	u := int32(len(b.items))
	nk := len(b.keys)
	b.keyCoef = grow(b.keyCoef, nk)
	b.keyStamp = grow(b.keyStamp, nk)
	// keyStamp[k] == stamp marks key k as seen in this check. The counter
	// is 64 bits, so it cannot wrap in practice; if it ever does, every
	// entry up to the capacity is cleared, not just this check's keys: an
	// entry beyond them keeps an old stamp that a later, larger check would
	// take for its own, dropping that key's a·e·P term.
	b.stamp++
	if b.stamp == 0 {
		clear(b.keyStamp[:cap(b.keyStamp)])
		b.stamp = 1
	}
	b.keyUsed = b.keyUsed[:0]
	b.terms = b.terms[:0]

	// Negated sum of a_i·s_i, the coefficient of G.
	var sumS, ae, as btcec.ModNScalar
	for n, i := range idx {
		p := &b.items[i]
		if n == 0 {
			b.terms = append(b.terms, term{base: i, k: limbs{1}})
			ae.Set(&p.e)
			as.Set(&p.s)
		} else {
			b.terms = append(b.terms, term{base: i, k: p.al})
			ae.Mul2(&p.e, &p.a)
			as.Mul2(&p.s, &p.a)
		}
		sumS.Add(&as)
		// Signatures by the same key share one term: Σ a_i·e_i·P.
		if b.keyStamp[p.key] != b.stamp {
			b.keyStamp[p.key] = b.stamp
			b.keyCoef[p.key].Set(&ae)
			b.keyUsed = append(b.keyUsed, p.key)
		} else {
			b.keyCoef[p.key].Add(&ae)
		}
	}
	for _, j := range b.keyUsed {
		b.terms = appendSplit(b.terms, u+j, &b.keyCoef[j])
	}
	sumS.Negate()
	b.terms = appendSplit(b.terms, baseG, &sumS)

	r := msm(b.bases, b.terms, b.scratch)
	return isInfinity(&r)
}

// appendSplit appends k·Q as the two half-length terms k1·Q + k2·φ(Q).
func appendSplit(ts []term, base int32, k *btcec.ModNScalar) []term {
	k1, k2, n1, n2 := splitScalar(k)
	return append(ts,
		term{base: base, neg: n1, k: limbsOf(&k1)},
		term{base: base, endo: true, neg: n2, k: limbsOf(&k2)})
}

// leafSize is the size below which bisection verifies items one by one.
const leafSize = 4

// findInvalid appends to out the positions in idx of invalid items. known
// says idx is already known to contain one. Once many invalid items have
// turned up (budget spent) bisection stops paying and the rest of the
// subtree is checked item by item.
func (b *batch) findInvalid(idx []int32, known bool, budget *int, out []int32) []int32 {
	if len(idx) <= leafSize || *budget <= 0 {
		for _, i := range idx {
			one := [1]int32{i}
			if !b.check(one[:]) {
				out = append(out, i)
				*budget--
			}
		}
		return out
	}
	if !known && b.check(idx) {
		return out
	}
	mid := len(idx) / 2
	if b.check(idx[:mid]) {
		return b.findInvalid(idx[mid:], true, budget, out)
	}
	out = b.findInvalid(idx[:mid], true, budget, out)
	return b.findInvalid(idx[mid:], false, budget, out)
}
