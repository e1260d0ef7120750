package schnorrbatch

import (
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"pgregory.net/rapid"
)

func bigOfLimbs(l limbs) *big.Int {
	v := new(big.Int)
	for i := 3; i >= 0; i-- {
		v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(l[i]))
	}
	return v
}

func bigOfScalar(s *btcec.ModNScalar) *big.Int {
	b := s.Bytes()
	return new(big.Int).SetBytes(b[:])
}

// genLimbs draws 256-bit integers biased towards the edges: zero, one,
// all-ones words, powers of two and short values.
func genLimbs() *rapid.Generator[limbs] {
	word := rapid.OneOf(
		rapid.Uint64(),
		rapid.SampledFrom([]uint64{0, 1, 2, 1 << 63, ^uint64(0), ^uint64(0) - 1, 0x8000000000000001}),
	)
	return rapid.Custom(func(t *rapid.T) limbs {
		l := limbs{word.Draw(t, "w0"), word.Draw(t, "w1"), word.Draw(t, "w2"), word.Draw(t, "w3")}
		// Keep only the low bits bits to get short values as often as long ones.
		bits := rapid.IntRange(0, 256).Draw(t, "bits")
		for i := range l {
			lo := 64 * i
			switch {
			case bits <= lo:
				l[i] = 0
			case bits < lo+64:
				l[i] &= 1<<uint(bits-lo) - 1
			}
		}
		return l
	})
}

// genScalar draws scalars mod n, biased towards edge values.
func genScalar() *rapid.Generator[btcec.ModNScalar] {
	return rapid.Custom(func(t *rapid.T) btcec.ModNScalar {
		l := genLimbs().Draw(t, "k")
		s := scalarOf(&l) // reduced mod n
		switch rapid.IntRange(0, 9).Draw(t, "edge") {
		case 0:
			s.Negate() // n - k: just below n
		case 1:
			s.Set(endoNegLambda)
			s.Negate() // λ
		}
		return s
	})
}

func TestLimbsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLimbs().Draw(t, "l")
		v := bigOfLimbs(l)
		if l.bitLen() != v.BitLen() {
			t.Fatalf("bitLen %d, want %d", l.bitLen(), v.BitLen())
		}
		c := rapid.IntRange(1, 32).Draw(t, "c")
		pos := rapid.IntRange(0, 300).Draw(t, "pos")
		want := new(big.Int).Rsh(v, uint(pos))
		want.And(want, new(big.Int).SetUint64(1<<uint(c)-1))
		if got := l.window(pos, c); uint64(got) != want.Uint64() {
			t.Fatalf("window(%d, %d) = %x, want %x", pos, c, got, want)
		}
		if v.Cmp(bigN) < 0 {
			s := scalarOf(&l)
			if limbsOf(&s) != l {
				t.Fatal("scalarOf/limbsOf do not round-trip")
			}
		}
	})
}

// TestEndomorphismConstants checks every constant against its definition.
func TestEndomorphismConstants(t *testing.T) {
	beta := bigOfField(&endoBeta)
	lambda := new(big.Int).Sub(bigN, bigOfScalar(endoNegLambda))
	if new(big.Int).Exp(beta, big.NewInt(3), bigP).Cmp(big.NewInt(1)) != 0 || beta.Cmp(big.NewInt(1)) == 0 {
		t.Fatal("β is not a non-trivial cube root of unity mod p")
	}
	if new(big.Int).Exp(lambda, big.NewInt(3), bigN).Cmp(big.NewInt(1)) != 0 || lambda.Cmp(big.NewInt(1)) == 0 {
		t.Fatal("λ is not a non-trivial cube root of unity mod n")
	}
	// λ·G = φ(G) = (β·Gx, Gy)
	var lam btcec.ModNScalar
	lam.Set(endoNegLambda).Negate()
	var lg btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&lam, &lg)
	lga := affineOf(&lg)
	e := generator.endo()
	if !lga.x.Equal(&e.x) || !lga.y.Equal(&e.y) {
		t.Fatal("λ·G != (β·Gx, Gy)")
	}
	// splitScalar's rounding constants: z1 = 2^320·b2/n and z2 = 2^320·(-b1)/n
	// (rounded or floored; decred floors), where -b1 = negB1 and b2 = -negB2.
	negB1 := bigOfScalar(endoNegB1)
	b2 := new(big.Int).Sub(bigN, bigOfScalar(endoNegB2))
	two320 := new(big.Int).Lsh(big.NewInt(1), 320)
	roundDiv := func(a *big.Int) *big.Int {
		q := new(big.Int).Mul(a, two320)
		q.Add(q, new(big.Int).Rsh(bigN, 1))
		return q.Div(q, bigN)
	}
	floorDiv := func(a *big.Int) *big.Int {
		return new(big.Int).Div(new(big.Int).Mul(a, two320), bigN)
	}
	z1, z2 := bigOfLimbs(endoZ1), bigOfLimbs(endoZ2)
	if z1.Cmp(roundDiv(b2)) != 0 && z1.Cmp(floorDiv(b2)) != 0 {
		t.Fatalf("z1 = %x is not 2^320·b2/n", z1)
	}
	if z2.Cmp(roundDiv(negB1)) != 0 && z2.Cmp(floorDiv(negB1)) != 0 {
		t.Fatalf("z2 = %x is not 2^320·(-b1)/n", z2)
	}
}

func TestMulShift320Round(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genLimbs().Draw(t, "a")
		b := genLimbs().Draw(t, "b")
		b[3] = 0 // b < 2^192
		got := mulShift320Round(&a, &b)
		prod := new(big.Int).Mul(bigOfLimbs(a), bigOfLimbs(b))
		want := new(big.Int).Rsh(prod, 320)
		if prod.Bit(319) == 1 {
			want.Add(want, big.NewInt(1))
		}
		if bigOfScalar(&got).Cmp(want) != 0 {
			t.Fatalf("got %x, want %x", bigOfScalar(&got), want)
		}
	})
}

// TestSplitScalar: k ≡ k1 + k2·λ (mod n) for every k, and both halves are
// short (which only speed depends on).
func TestSplitScalar(t *testing.T) {
	lambda := new(big.Int).Sub(bigN, bigOfScalar(endoNegLambda))
	rapid.Check(t, func(t *rapid.T) {
		k := genScalar().Draw(t, "k")
		k1, k2, n1, n2 := splitScalar(&k)
		v1, v2 := bigOfScalar(&k1), bigOfScalar(&k2)
		if v1.BitLen() > 129 || v2.BitLen() > 129 {
			t.Fatalf("halves too long: %d and %d bits", v1.BitLen(), v2.BitLen())
		}
		if n1 {
			v1.Neg(v1)
		}
		if n2 {
			v2.Neg(v2)
		}
		sum := new(big.Int).Mul(v2, lambda)
		sum.Add(sum, v1).Mod(sum, bigN)
		if sum.Cmp(bigOfScalar(&k)) != 0 {
			t.Fatalf("k1 + k2·λ = %x, want %x", sum, bigOfScalar(&k))
		}
	})
}

func TestWNAF(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := genLimbs().Draw(t, "k")
		w := uint(rapid.IntRange(2, 8).Draw(t, "w"))
		out := make([]int8, 258)
		n := wnaf(k, w, out)
		if n > k.bitLen()+1 {
			t.Fatalf("%d digits for %d bits", n, k.bitLen())
		}
		sum := new(big.Int)
		last := -1000
		for i := n - 1; i >= 0; i-- {
			d := int64(out[i])
			sum.Lsh(sum, 1).Add(sum, big.NewInt(d))
			if d == 0 {
				continue
			}
			if d%2 == 0 || d >= 1<<(w-1) || d <= -(1<<(w-1)) {
				t.Fatalf("digit %d at %d out of range for w=%d", d, i, w)
			}
			if last-i < int(w) && last != -1000 {
				t.Fatalf("digits at %d and %d closer than w=%d", last, i, w)
			}
			last = i
		}
		if sum.Cmp(bigOfLimbs(k)) != 0 {
			t.Fatalf("wNAF sums to %x, want %x", sum, bigOfLimbs(k))
		}
	})
}

func TestSignedDigits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := genLimbs().Draw(t, "k")
		c := rapid.IntRange(2, 16).Draw(t, "c")
		out := make([]int32, k.bitLen()/c+1)
		signedDigits(&k, c, out)
		sum := new(big.Int)
		for j := len(out) - 1; j >= 0; j-- {
			d := out[j]
			if d > 1<<uint(c-1) || d <= -(1<<uint(c-1)) {
				t.Fatalf("digit %d out of range for c=%d", d, c)
			}
			sum.Lsh(sum, uint(c)).Add(sum, big.NewInt(int64(d)))
		}
		if sum.Cmp(bigOfLimbs(k)) != 0 {
			t.Fatalf("digits sum to %x, want %x", sum, bigOfLimbs(k))
		}
	})
}
