package schnorrbatch

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// forgedPair returns two items, each invalid on its own, whose errors cancel
// under the coefficients (1, a2): the first has s1 + a2·δ, the second
// s2 - δ, so a2·(s2 - δ) + (s1 + a2·δ) = s1 + a2·s2 and the weighted batch
// equation holds exactly as for the two genuine signatures.
func forgedPair(t *testing.T, a2 *btcec.ModNScalar) []Item {
	pool := itemPool(t)
	items := []Item{pool[1], pool[2]}
	var d btcec.ModNScalar
	d.SetInt(123456789)
	var ad btcec.ModNScalar
	ad.Mul2(&d, a2)
	addToS(&items[0], &ad)
	d.Negate()
	addToS(&items[1], &d)
	if refVerify(items[0]) || refVerify(items[1]) {
		t.Fatal("forged items verify on their own")
	}
	return items
}

// checkWith runs the batch equation with fixed coefficients (the first
// item's is always 1), as a naive batch verifier would.
func checkWith(t *testing.T, items []Item, coef uint64) bool {
	b := getBatch()
	defer putBatch(b)
	if !b.prepare(items, nil, nil, true) {
		t.Fatal("forged items are well formed, prepare must accept them")
	}
	for i := range b.items {
		b.items[i].al = limbs{coef}
		b.items[i].a = scalarOf(&b.items[i].al)
	}
	return b.check(b.allIndexes(len(items)))
}

// TestForgeryCancelsWithFixedCoefficients: a pair of invalid signatures
// crafted for known coefficients passes a batch check that uses those
// coefficients (plain summation, a2 = 1, or any other value the attacker can
// predict), and is rejected by Verify and reported by VerifyEach because
// Verify's coefficients are fresh random 128-bit values.
func TestForgeryCancelsWithFixedCoefficients(t *testing.T) {
	for _, a2 := range []uint64{1, 2, 0xdeadbeef} {
		var a btcec.ModNScalar
		a.SetByteSlice([]byte{byte(a2 >> 56), byte(a2 >> 48), byte(a2 >> 40), byte(a2 >> 32), byte(a2 >> 24), byte(a2 >> 16), byte(a2 >> 8), byte(a2)})
		items := forgedPair(t, &a)
		if !checkWith(t, items, a2) {
			t.Fatalf("a2=%d: the forgery does not cancel with the coefficients it was made for; the test proves nothing", a2)
		}
		if checkWith(t, items, a2+1) {
			t.Fatalf("a2=%d: the forgery cancels with other coefficients too", a2)
		}
		for round := 0; round < 20; round++ {
			if Verify(items) {
				t.Fatalf("a2=%d: forged batch accepted", a2)
			}
		}
		if got := VerifyEach(items); !equalInts(got, []int{0, 1}) {
			t.Fatalf("a2=%d: VerifyEach = %v, want [0 1]", a2, got)
		}
		// Hidden among valid signatures.
		big := append(append([]Item{}, itemPool(t)[10:200]...), items...)
		if Verify(big) {
			t.Fatalf("a2=%d: forged pair among 190 valid accepted", a2)
		}
		if got := VerifyEach(big); !equalInts(got, []int{190, 191}) {
			t.Fatalf("a2=%d: VerifyEach = %v", a2, got)
		}
	}
}

// TestCoefficients: nonzero, below 2^128, different on every call even for
// the same batch.
func TestCoefficients(t *testing.T) {
	items := itemPool(t)[:50]
	draw := func() []limbs {
		b := getBatch()
		defer putBatch(b)
		b.prepare(items, nil, nil, true)
		b.drawCoefficients(items)
		out := make([]limbs, len(items))
		for i := range b.items {
			out[i] = b.items[i].al
			if out[i].isZero() || out[i][2] != 0 || out[i][3] != 0 {
				t.Fatalf("coefficient %d = %x: want 1 <= a < 2^128", i, out[i])
			}
			if s := limbsOf(&b.items[i].a); s != out[i] {
				t.Fatalf("coefficient %d: scalar and integer differ", i)
			}
		}
		return out
	}
	a, b := draw(), draw()
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	if same != 0 {
		t.Fatalf("%d of %d coefficients repeat across calls", same, len(a))
	}
}
