package schnorrbatch

import (
	"math/big"
	"os"
	"testing"

	"pgregory.net/rapid"
)

// The field (fe.go) is held to math/big on values biased towards the edges
// of its carry chains: zero, one, p - 1, all-ones words, short values, and
// the products whose high half folds back with a carry.

func bigOfField(f *fe) *big.Int { return bigOfLimbs(limbs(*f)) }

func feOfBig(v *big.Int) fe {
	var b [32]byte
	new(big.Int).Mod(v, bigP).FillBytes(b[:])
	var f fe
	if !setCanonical(&f, &b) {
		panic("reduced value refused")
	}
	return f
}

// genFe draws field elements: any 256-bit value reduced mod p, or p minus a
// short value (just below p), or a short value.
func genFe() *rapid.Generator[fe] {
	return rapid.Custom(func(t *rapid.T) fe {
		v := bigOfLimbs(genLimbs().Draw(t, "v"))
		if rapid.Bool().Draw(t, "below p") {
			v.Mod(v, big.NewInt(1<<40))
			v.Sub(bigP, v.Add(v, big.NewInt(1)))
		}
		return feOfBig(v)
	})
}

func checkField(t *rapid.T, op string, got *fe, want *big.Int) {
	want = new(big.Int).Mod(want, bigP)
	// want is below p, so equality also says got is reduced.
	if g := bigOfField(got); g.Cmp(want) != 0 {
		t.Fatalf("%s = %x, want %x", op, g, want)
	}
}

// SCHNORRBATCH_FE=go runs the package's tests and benchmarks on Go's Mul
// and Square only, to compare the assembly's effect on whole batches:
//
//	SCHNORRBATCH_FE=go go test -run XXX -bench Verify ./ledger/schnorrbatch
func init() {
	if os.Getenv("SCHNORRBATCH_FE") == "go" {
		haveADX = false
	}
}

// eachMul runs f with Go's Mul and Square, and again with the assembly's
// where this processor runs it.
func eachMul(t *testing.T, f func(t *testing.T)) {
	adx := haveADX
	defer func() { haveADX = adx }()
	haveADX = false
	t.Run("go", f)
	if adx {
		haveADX = true
		t.Run("adx", f)
	} else {
		t.Log("no assembly Mul on this processor or build: only Go's tested")
	}
}

func TestFieldArithmeticMatchesBig(t *testing.T) { eachMul(t, testFieldArithmetic) }

func testFieldArithmetic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x, y := genFe().Draw(t, "x"), genFe().Draw(t, "y")
		bx, by := bigOfField(&x), bigOfField(&y)
		var z fe
		checkField(t, "x+y", z.Add(&x, &y), new(big.Int).Add(bx, by))
		checkField(t, "x-y", z.Sub(&x, &y), new(big.Int).Sub(bx, by))
		checkField(t, "2x", z.Double(&x), new(big.Int).Lsh(bx, 1))
		checkField(t, "-x", z.Neg(&x), new(big.Int).Neg(bx))
		checkField(t, "x·y", z.Mul(&x, &y), new(big.Int).Mul(bx, by))
		checkField(t, "x²", z.Square(&x), new(big.Int).Mul(bx, bx))
		// Results may alias operands.
		z = x
		checkField(t, "x·=y", z.Mul(&z, &y), new(big.Int).Mul(bx, by))
		z = x
		checkField(t, "x²=", z.Square(&z), new(big.Int).Mul(bx, bx))
		if x.Equal(&y) != (bx.Cmp(by) == 0) || x.IsZero() != (bx.Sign() == 0) {
			t.Fatalf("Equal or IsZero wrong for %x, %x", bx, by)
		}
	})
}

func TestFieldInverseAndSqrtMatchBig(t *testing.T) { eachMul(t, testFieldInverseAndSqrt) }

func testFieldInverseAndSqrt(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := genFe().Draw(t, "x")
		bx := bigOfField(&x)
		var z fe
		want := new(big.Int).ModInverse(bx, bigP)
		if want == nil {
			want = new(big.Int) // 1/0 is 0 here
		}
		checkField(t, "1/x", z.Inverse(&x), want)

		root := new(big.Int).ModSqrt(bx, bigP)
		z = fe{1, 2, 3, 4}
		got := z.Sqrt(&x)
		switch {
		case root == nil && got != nil:
			t.Fatalf("√%x = %x, want no root", bx, bigOfField(got))
		case root == nil:
			if z != (fe{1, 2, 3, 4}) {
				t.Fatalf("√ of a non-square changed its receiver")
			}
		case got == nil:
			t.Fatalf("√%x: no root found, want ±%x", bx, root)
		default:
			g := bigOfField(got)
			if g.Cmp(root) != 0 && new(big.Int).Sub(bigP, g).Cmp(root) != 0 {
				t.Fatalf("√%x = %x, want ±%x", bx, g, root)
			}
		}
	})
}

func TestFieldEncoding(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := bigOfLimbs(genLimbs().Draw(t, "v"))
		var b [32]byte
		v.FillBytes(b[:])
		f := fe{9, 9, 9, 9}
		ok := setCanonical(&f, &b)
		if ok != (v.Cmp(bigP) < 0) {
			t.Fatalf("setCanonical(%x) = %v", v, ok)
		}
		if !ok {
			if f != (fe{9, 9, 9, 9}) {
				t.Fatalf("a refused encoding changed the element")
			}
			return
		}
		if f.Bytes() != b || isOdd(&f) != (v.Bit(0) == 1) {
			t.Fatalf("%x did not round-trip", v)
		}
	})
}

// TestFieldEdges runs the carry chains' worst cases by name: p - 1 times
// itself (the largest product), and sums and differences that wrap.
func TestFieldEdges(t *testing.T) { eachMul(t, testFieldEdges) }

func testFieldEdges(t *testing.T) {
	if bigOfField(&feP).Cmp(bigP) != 0 || new(big.Int).Lsh(big.NewInt(1), 256).Cmp(new(big.Int).Add(bigP, big.NewInt(feC))) != 0 {
		t.Fatalf("feP or feC is not p")
	}
	pm1 := feOfBig(new(big.Int).Sub(bigP, big.NewInt(1)))
	one := fe{1}
	var z fe
	if z.Mul(&pm1, &pm1); z != one { // (-1)² = 1
		t.Fatalf("(p-1)² = %x, want 1", bigOfField(&z))
	}
	if z.Square(&pm1); z != one {
		t.Fatalf("(p-1)² by Square = %x, want 1", bigOfField(&z))
	}
	if z.Add(&pm1, &one); !z.IsZero() {
		t.Fatalf("(p-1)+1 = %x, want 0", bigOfField(&z))
	}
	if z.Sub(&fe{}, &one); z != pm1 {
		t.Fatalf("0-1 = %x, want p-1", bigOfField(&z))
	}
	if z.Neg(&fe{}); !z.IsZero() {
		t.Fatalf("-0 = %x, want 0", bigOfField(&z))
	}
	// The second fold's carry out (fold: r4·c carries past 2^256): with x
	// = p - a and y = p - b the first fold leaves 2^256 - c² + ab, which
	// carries when c ≤ ab < c².
	var pmc, want fe
	pmc.Sub(&fe{}, &fe{feC}) // p - c
	if z.Mul(&pm1, &pmc); z != (fe{feC}) {
		t.Fatalf("(p-1)(p-c) = %x, want c", bigOfField(&z))
	}
	var pm17 fe
	pm17.Sub(&fe{}, &fe{1 << 17}) // p - 2^17
	if z.Square(&pm17); z != (fe{1 << 34}) {
		t.Fatalf("(p-2^17)² = %x, want 2^34", bigOfField(&z))
	}
	// Every operation with its result aliasing both operands.
	x := feOfBig(mustBig("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"))
	bx := bigOfField(&x)
	z = x
	want = feOfBig(new(big.Int).Mul(bx, bx))
	if z.Mul(&z, &z); z != want {
		t.Fatalf("z.Mul(z, z) = %x, want %x", bigOfField(&z), bigOfField(&want))
	}
	z = x
	if z.Square(&z); z != want {
		t.Fatalf("z.Square(z) = %x, want %x", bigOfField(&z), bigOfField(&want))
	}
	z = x
	if z.Inverse(&z).Mul(&z, &x); z != one {
		t.Fatalf("z.Inverse(z)·x = %x, want 1", bigOfField(&z))
	}
	z = want // x², a square
	if z.Sqrt(&z) == nil || !new(fe).Square(&z).Equal(&want) {
		t.Fatalf("z.Sqrt(z) = %x is not a root of x²", bigOfField(&z))
	}
	// Encodings at and above p are refused.
	for _, v := range []*big.Int{bigP, new(big.Int).Add(bigP, big.NewInt(1)), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))} {
		var b [32]byte
		v.FillBytes(b[:])
		if setCanonical(&z, &b) {
			t.Fatalf("%x accepted as a canonical encoding", v)
		}
	}
}

// BenchmarkField times the operations a batch is made of (doc.go,
// Figures), with Go's Mul and Square and, where the processor runs it, the
// assembly's: go test -run XXX -bench Field ./ledger/schnorrbatch
func BenchmarkField(b *testing.B) {
	x := feOfBig(mustBig("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"))
	y := feOfBig(mustBig("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8"))
	var y2 fe
	y2.Square(&y) // a square, so that Sqrt finds its root
	adx := haveADX
	defer func() { haveADX = adx }()
	for _, impl := range []string{"go", "adx"} {
		if impl == "adx" && !adx {
			continue
		}
		haveADX = impl == "adx"
		b.Run("Mul/"+impl, func(b *testing.B) {
			z := x
			for b.Loop() {
				z.Mul(&z, &y)
			}
		})
		b.Run("Square/"+impl, func(b *testing.B) {
			z := x
			for b.Loop() {
				z.Square(&z)
			}
		})
		b.Run("Sqrt/"+impl, func(b *testing.B) {
			var z fe
			for b.Loop() {
				z.Sqrt(&y2)
			}
		})
		b.Run("Inverse/"+impl, func(b *testing.B) {
			var z fe
			for b.Loop() {
				z.Inverse(&x)
			}
		})
	}
}
