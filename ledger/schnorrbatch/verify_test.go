package schnorrbatch

import (
	"math/big"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"pgregory.net/rapid"
)

// notOnCurveX is an x < p with x³ + 7 not a square mod p (BIP-340 vector 5).
var notOnCurveX = mustBytes32("EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34")

func mustBytes32(s string) [32]byte {
	var b [32]byte
	mustBig(s).FillBytes(b[:])
	return b
}

func put32(dst []byte, v *big.Int) {
	v.FillBytes(dst[:32])
}

// corrupt applies one drawn corruption to items[pos]. Some keep the item
// valid (duplicating another item); most make it invalid or malformed.
func corrupt(t *rapid.T, items []Item, pos int) {
	it := &items[pos]
	switch kind := rapid.IntRange(0, 13).Draw(t, "corruption"); kind {
	case 0: // flip a bit of r
		b := rapid.IntRange(0, 255).Draw(t, "bit")
		it.Sig[b/8] ^= 1 << (b % 8)
	case 1: // flip a bit of s
		b := rapid.IntRange(0, 255).Draw(t, "bit")
		it.Sig[32+b/8] ^= 1 << (b % 8)
	case 2: // flip a bit of the key
		b := rapid.IntRange(0, 255).Draw(t, "bit")
		it.Key[b/8] ^= 1 << (b % 8)
	case 3: // flip a bit of the message
		b := rapid.IntRange(0, 255).Draw(t, "bit")
		it.Msg[b/8] ^= 1 << (b % 8)
	case 4: // r >= p
		r := new(big.Int).Add(bigP, big.NewInt(int64(rapid.IntRange(0, 1000).Draw(t, "d"))))
		put32(it.Sig[:32], r)
	case 5: // s >= n
		s := new(big.Int).Add(bigN, big.NewInt(int64(rapid.IntRange(0, 1000).Draw(t, "d"))))
		put32(it.Sig[32:], s)
	case 6: // s + n where that still fits 256 bits is impossible for random s; use s = 2^256-1
		for i := 32; i < 64; i++ {
			it.Sig[i] = 0xff
		}
	case 7: // key not on the curve
		it.Key = notOnCurveX
	case 8: // key >= p
		k := new(big.Int).Add(bigP, big.NewInt(int64(rapid.IntRange(0, 1000).Draw(t, "d"))))
		put32(it.Key[:], k)
	case 9: // r not an x coordinate on the curve
		copy(it.Sig[:32], notOnCurveX[:])
	case 10: // another item's signature
		other := items[rapid.IntRange(0, len(items)-1).Draw(t, "other")]
		it.Sig = other.Sig
	case 11: // a copy of another item (valid stays valid: duplicates are allowed)
		*it = items[rapid.IntRange(0, len(items)-1).Draw(t, "other")]
	case 12: // s negated: the "negated s value" vector
		var s btcec.ModNScalar
		var sb [32]byte
		copy(sb[:], it.Sig[32:])
		s.SetBytes(&sb)
		s.Negate()
		b := s.Bytes()
		copy(it.Sig[32:], b[:])
	case 13: // s + δ here and s - δ on another item: a cancelling pair
		other := rapid.IntRange(0, len(items)-1).Draw(t, "other")
		d := genScalar().Draw(t, "delta")
		addToS(it, &d)
		d.Negate()
		addToS(&items[other], &d)
	}
}

func addToS(it *Item, d *btcec.ModNScalar) {
	var s btcec.ModNScalar
	var sb [32]byte
	copy(sb[:], it.Sig[32:])
	s.SetBytes(&sb)
	s.Add(d)
	b := s.Bytes()
	copy(it.Sig[32:], b[:])
}

// TestBatchMatchesSingle is the main property: for random batches of 1..300
// items, some corrupted, Verify is true exactly when every item verifies on
// its own, and VerifyEach names exactly the items that do not.
func TestBatchMatchesSingle(t *testing.T) {
	pool := itemPool(t)
	cached, uncached := NewVerifier(64), NewVerifier(0)
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 300).Draw(t, "n")
		items := make([]Item, n)
		for i := range items {
			items[i] = pool[rapid.IntRange(0, len(pool)-1).Draw(t, "item")]
		}
		for c := rapid.IntRange(0, 4).Draw(t, "corruptions"); c > 0; c-- {
			corrupt(t, items, rapid.IntRange(0, n-1).Draw(t, "pos"))
		}
		// Items equal to a pool item are valid (TestPoolValid); only the
		// others need the slow single verification.
		var want []int
		for i := range items {
			if !inPool(items[i]) && !refVerify(items[i]) {
				want = append(want, i)
			}
		}
		v := uncached
		if rapid.Bool().Draw(t, "cache") {
			v = cached
		}
		if got := v.Verify(items); got != (len(want) == 0) {
			t.Fatalf("Verify = %v, invalid items %v", got, want)
		}
		if got := v.VerifyEach(items); !equalInts(got, want) {
			t.Fatalf("VerifyEach = %v, want %v", got, want)
		}
	})
}

var (
	poolSetOnce sync.Once
	poolSet     map[Item]bool
)

func inPool(it Item) bool {
	poolSetOnce.Do(func() {
		poolSet = make(map[Item]bool, len(pool))
		for _, p := range pool {
			poolSet[p] = true
		}
	})
	return poolSet[it]
}

// TestPoolValid: the property test above trusts that pool items are valid.
func TestPoolValid(t *testing.T) {
	pool := itemPool(t)
	for i, it := range pool {
		if !refVerify(it) {
			t.Fatalf("pool item %d does not verify", i)
		}
	}
	if bad := VerifyEach(pool); bad != nil {
		t.Fatalf("VerifyEach(pool) = %v", bad)
	}
}

// TestReferenceIsBIP340 checks the reference single verification itself
// against the math/big transcription of BIP-340 on corrupted items.
func TestReferenceIsBIP340(t *testing.T) {
	pool := itemPool(t)
	rapid.Check(t, func(t *rapid.T) {
		items := []Item{pool[rapid.IntRange(0, len(pool)-1).Draw(t, "a")], pool[rapid.IntRange(0, len(pool)-1).Draw(t, "b")]}
		if rapid.Bool().Draw(t, "corrupt") {
			corrupt(t, items, 0)
		}
		if got, want := refVerify(items[0]), bigVerify(items[0]); got != want {
			t.Fatalf("reference %v, math/big BIP-340 %v", got, want)
		}
	})
}

// TestEdgeBatches: empty, duplicated, single-key and all-invalid batches.
func TestEdgeBatches(t *testing.T) {
	pool := itemPool(t)
	if !Verify(nil) || VerifyEach(nil) != nil {
		t.Error("empty batch must be valid")
	}
	same := make([]Item, 200)
	for i := range same {
		same[i] = pool[3]
	}
	if !Verify(same) || VerifyEach(same) != nil {
		t.Error("200 copies of one valid item must be valid")
	}
	var oneKey []Item
	for i := 0; i < len(pool); i += poolKeys {
		oneKey = append(oneKey, pool[i])
	}
	if !Verify(oneKey) {
		t.Error("batch by a single key must be valid")
	}
	bad := append([]Item{}, pool[:100]...)
	var want []int
	for i := range bad {
		bad[i].Msg[0] ^= 1
		want = append(want, i)
	}
	if Verify(bad) {
		t.Error("all-invalid batch accepted")
	}
	if got := VerifyEach(bad); !equalInts(got, want) {
		t.Errorf("all-invalid VerifyEach = %v", got)
	}
	// An invalid copy of a valid item: same key and r, one flipped s bit.
	mixed := append([]Item{}, pool[:50]...)
	dup := pool[10]
	dup.Sig[63] ^= 1
	mixed = append(mixed, dup)
	if got := VerifyEach(mixed); !equalInts(got, []int{50}) {
		t.Errorf("VerifyEach with a corrupted duplicate = %v", got)
	}
}
