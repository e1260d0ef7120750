package schnorrbatch

import (
	"encoding/binary"
	"math/bits"
)

// fe is an element of the secp256k1 base field, p = 2^256 - 2^32 - 977:
// four 64-bit limbs, least significant first, always fully reduced (below
// p), so that Equal compares limbs and no normalization step exists.
//
// Why not a Montgomery field (gnark-crypto's fp.Element, which this
// replaced): p is 2^256 minus a 33-bit c, so the high half of a 512-bit
// product folds back by multiplying it by c — five 64×64 products and short
// carry chains — where a Montgomery reduction costs sixteen more and four
// short ones. On this
// machine the multiplication still takes what fp.Element's does (20 ns; the
// carry chains, not the products, set its pace), the square 16 ns against
// 19 (ten products, not sixteen), and Add, Sub and Double have no branches:
// fp.Element's "if the sum reached p" is taken at random, half the time.
// On x86-64 with MULX and ADX (fe_amd64.s) Mul and Square are assembly, two
// carry chains at once: 12.7 and 11.3 ns.
//
// Verification handles public data only (signatures, keys, messages), so
// nothing here needs to run in constant time; the arithmetic has no
// branches on its operands' values anyway, but for Neg's zero check and
// Sqrt's "is it a square".
type fe [4]uint64

// feC is 2^256 mod p: p = 2^256 - feC.
const feC = 1<<32 + 977

// feP is p in limbs.
var feP = fe{0xFFFFFFFEFFFFFC2F, ^uint64(0), ^uint64(0), ^uint64(0)}

// reduceOnce sets z to r - p if r ≥ p or if carry (the value is 2^256 +
// r), and to r otherwise. Every caller's value is below 2p. Limbs travel
// as separate words, not arrays, here and below: the compiler keeps words
// in registers and arrays in memory.
func (z *fe) reduceOnce(r0, r1, r2, r3, carry uint64) {
	// r + c = r - p + 2^256: it carries out exactly when r ≥ p.
	t0, k := bits.Add64(r0, feC, 0)
	t1, k := bits.Add64(r1, 0, k)
	t2, k := bits.Add64(r2, 0, k)
	t3, k := bits.Add64(r3, 0, k)
	m := -(k | carry) // all ones: take t
	z[0] = r0 ^ (r0^t0)&m
	z[1] = r1 ^ (r1^t1)&m
	z[2] = r2 ^ (r2^t2)&m
	z[3] = r3 ^ (r3^t3)&m
}

// Add sets z = x + y and returns z.
func (z *fe) Add(x, y *fe) *fe {
	r0, k := bits.Add64(x[0], y[0], 0)
	r1, k := bits.Add64(x[1], y[1], k)
	r2, k := bits.Add64(x[2], y[2], k)
	r3, k := bits.Add64(x[3], y[3], k)
	z.reduceOnce(r0, r1, r2, r3, k)
	return z
}

// Double sets z = 2x and returns z.
func (z *fe) Double(x *fe) *fe { return z.Add(x, x) }

// Sub sets z = x - y and returns z.
func (z *fe) Sub(x, y *fe) *fe {
	r0, b := bits.Sub64(x[0], y[0], 0)
	r1, b := bits.Sub64(x[1], y[1], b)
	r2, b := bits.Sub64(x[2], y[2], b)
	r3, b := bits.Sub64(x[3], y[3], b)
	// On a borrow r is x - y + 2^256; adding p is subtracting c, which
	// cannot borrow again (r ≥ 2^256 - p + 1 > c).
	r0, b = bits.Sub64(r0, feC&-b, 0)
	r1, b = bits.Sub64(r1, 0, b)
	r2, b = bits.Sub64(r2, 0, b)
	r3, _ = bits.Sub64(r3, 0, b)
	z[0], z[1], z[2], z[3] = r0, r1, r2, r3
	return z
}

// Neg sets z = -x and returns z.
func (z *fe) Neg(x *fe) *fe {
	if x.IsZero() {
		*z = fe{}
		return z
	}
	r0, b := bits.Sub64(feP[0], x[0], 0)
	r1, b := bits.Sub64(feP[1], x[1], b)
	r2, b := bits.Sub64(feP[2], x[2], b)
	r3, _ := bits.Sub64(feP[3], x[3], b)
	z[0], z[1], z[2], z[3] = r0, r1, r2, r3
	return z
}

// Mul sets z = x·y and returns z.
func (z *fe) Mul(x, y *fe) *fe {
	if haveADX {
		feMulADX(z, x, y)
		return z
	}
	return z.mulGeneric(x, y)
}

// mulGeneric is Mul in Go.
func (z *fe) mulGeneric(x, y *fe) *fe {
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	y0, y1, y2, y3 := y[0], y[1], y[2], y[3]
	var c uint64
	// Row i adds x_i·y at limb i.
	t1, t0 := bits.Mul64(x0, y0)
	t2, t1 := madd(t1, x0, y1, 0)
	t3, t2 := madd(t2, x0, y2, 0)
	t4, t3 := madd(t3, x0, y3, 0)

	c, t1 = madd(t1, x1, y0, 0)
	c, t2 = madd(t2, x1, y1, c)
	c, t3 = madd(t3, x1, y2, c)
	t5, t4 := madd(t4, x1, y3, c)

	c, t2 = madd(t2, x2, y0, 0)
	c, t3 = madd(t3, x2, y1, c)
	c, t4 = madd(t4, x2, y2, c)
	t6, t5 := madd(t5, x2, y3, c)

	c, t3 = madd(t3, x3, y0, 0)
	c, t4 = madd(t4, x3, y1, c)
	c, t5 = madd(t5, x3, y2, c)
	t7, t6 := madd(t6, x3, y3, c)
	z.fold(t0, t1, t2, t3, t4, t5, t6, t7)
	return z
}

// madd returns t + x·y + c as two limbs, which cannot overflow: it is at
// most (2^64 - 1) + (2^64 - 1)² + (2^64 - 1) = 2^128 - 1.
func madd(t, x, y, c uint64) (hi, lo uint64) {
	var k uint64
	hi, lo = bits.Mul64(x, y)
	lo, k = bits.Add64(lo, c, 0)
	hi += k
	lo, k = bits.Add64(lo, t, 0)
	return hi + k, lo
}

// Square sets z = x² and returns z.
func (z *fe) Square(x *fe) *fe {
	if haveADX {
		feSquareADX(z, x)
		return z
	}
	return z.squareGeneric(x)
}

// squareGeneric is Square in Go: the six cross products once, doubled,
// and the four squares.
func (z *fe) squareGeneric(x *fe) *fe {
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	var c, k uint64

	// Cross products x_i·x_j, i < j, at limbs 1 to 6.
	t2, t1 := bits.Mul64(x0, x1)
	t3, t2 := madd(t2, x0, x2, 0)
	t4, t3 := madd(t3, x0, x3, 0)
	c, t3 = madd(t3, x1, x2, 0)
	t5, t4 := madd(t4, x1, x3, c)
	t6, t5 := madd(t5, x2, x3, 0)

	// Doubled.
	t7 := t6 >> 63
	t6 = t6<<1 | t5>>63
	t5 = t5<<1 | t4>>63
	t4 = t4<<1 | t3>>63
	t3 = t3<<1 | t2>>63
	t2 = t2<<1 | t1>>63
	t1 <<= 1

	// Plus the squares x_i² at limbs 2i and 2i+1.
	s1, t0 := bits.Mul64(x0, x0)
	s3, s2 := bits.Mul64(x1, x1)
	s5, s4 := bits.Mul64(x2, x2)
	s7, s6 := bits.Mul64(x3, x3)
	t1, k = bits.Add64(t1, s1, 0)
	t2, k = bits.Add64(t2, s2, k)
	t3, k = bits.Add64(t3, s3, k)
	t4, k = bits.Add64(t4, s4, k)
	t5, k = bits.Add64(t5, s5, k)
	t6, k = bits.Add64(t6, s6, k)
	t7, _ = bits.Add64(t7, s7, k)
	z.fold(t0, t1, t2, t3, t4, t5, t6, t7)
	return z
}

// fold sets z to t mod p for a 512-bit t below p² (t0 least significant):
// t = lo + hi·2^256 ≡ lo + hi·c, twice, then once more below p.
func (z *fe) fold(t0, t1, t2, t3, t4, t5, t6, t7 uint64) {
	h0, l0 := bits.Mul64(t4, feC)
	h1, l1 := bits.Mul64(t5, feC)
	h2, l2 := bits.Mul64(t6, feC)
	h3, l3 := bits.Mul64(t7, feC)
	// r + r4·2^256 = lo + (l0..l3) + (h0..h3)·2^64, r4 ≤ c + 1 < 2^34.
	r0, k := bits.Add64(t0, l0, 0)
	r1, k := bits.Add64(t1, l1, k)
	r2, k := bits.Add64(t2, l2, k)
	r3, k := bits.Add64(t3, l3, k)
	r4 := h3 + k
	r1, k = bits.Add64(r1, h0, 0)
	r2, k = bits.Add64(r2, h1, k)
	r3, k = bits.Add64(r3, h2, k)
	r4 += k
	// r4·c < 2^67: fold it in; a carry out leaves r below 2^67, so adding c
	// for it (reduceOnce) cannot carry again.
	h, l := bits.Mul64(r4, feC)
	r0, k = bits.Add64(r0, l, 0)
	r1, k = bits.Add64(r1, h, k)
	r2, k = bits.Add64(r2, 0, k)
	r3, k = bits.Add64(r3, 0, k)
	z.reduceOnce(r0, r1, r2, r3, k)
}

// IsZero reports whether z = 0.
func (z *fe) IsZero() bool { return z[0]|z[1]|z[2]|z[3] == 0 }

// Equal reports whether z = x.
func (z *fe) Equal(x *fe) bool {
	return (z[0]^x[0])|(z[1]^x[1])|(z[2]^x[2])|(z[3]^x[3]) == 0
}

// SetOne sets z = 1 and returns z.
func (z *fe) SetOne() *fe {
	*z = fe{1}
	return z
}

// SetUint64 sets z = v and returns z.
func (z *fe) SetUint64(v uint64) *fe {
	*z = fe{v}
	return z
}

// Bytes returns z as 32 bytes, big-endian.
func (z *fe) Bytes() [32]byte {
	var b [32]byte
	binary.BigEndian.PutUint64(b[0:], z[3])
	binary.BigEndian.PutUint64(b[8:], z[2])
	binary.BigEndian.PutUint64(b[16:], z[1])
	binary.BigEndian.PutUint64(b[24:], z[0])
	return b
}

// setCanonical sets f to the 32-byte big-endian b and reports whether
// b < p; the encodings of p and above are refused, not reduced (f is then
// unchanged).
func setCanonical(f *fe, b *[32]byte) bool {
	v := fe{
		binary.BigEndian.Uint64(b[24:]),
		binary.BigEndian.Uint64(b[16:]),
		binary.BigEndian.Uint64(b[8:]),
		binary.BigEndian.Uint64(b[0:]),
	}
	// v < p exactly when v - p borrows.
	var bw uint64
	_, bw = bits.Sub64(v[0], feP[0], 0)
	_, bw = bits.Sub64(v[1], feP[1], bw)
	_, bw = bits.Sub64(v[2], feP[2], bw)
	_, bw = bits.Sub64(v[3], feP[3], bw)
	if bw == 0 {
		return false
	}
	*f = v
	return true
}

// isOdd reports whether f is odd.
func isOdd(f *fe) bool { return f[0]&1 == 1 }

// squareN sets z = x^(2^n) and returns z.
func (z *fe) squareN(x *fe, n int) *fe {
	z.Square(x)
	for i := 1; i < n; i++ {
		z.Square(z)
	}
	return z
}

// powTail computes the runs of ones that both p - 2 and (p + 1)/4 start
// with: x^(2^223 - 1) into x223, and x^(2^22 - 1), x^(2^2 - 1) into x22, x2
// (libsecp256k1's addition chain: 1 x2 x3 6 9 11 22 44 88 176 220 223).
func powTail(x *fe) (x2, x22, x223 fe) {
	var x3, x6, x9, x11, x44, x88, x176, x220 fe
	x2.Square(x).Mul(&x2, x)
	x3.Square(&x2).Mul(&x3, x)
	x6.squareN(&x3, 3).Mul(&x6, &x3)
	x9.squareN(&x6, 3).Mul(&x9, &x3)
	x11.squareN(&x9, 2).Mul(&x11, &x2)
	x22.squareN(&x11, 11).Mul(&x22, &x11)
	x44.squareN(&x22, 22).Mul(&x44, &x22)
	x88.squareN(&x44, 44).Mul(&x88, &x44)
	x176.squareN(&x88, 88).Mul(&x176, &x88)
	x220.squareN(&x176, 44).Mul(&x220, &x44)
	x223.squareN(&x220, 3).Mul(&x223, &x3)
	return x2, x22, x223
}

// Inverse sets z = 1/x (0 for x = 0) and returns z: x^(p-2), 255 squares
// and 15 multiplications, about as long as a square root. A batch inverts
// once per few hundred point additions (Montgomery's trick), so this need
// not be a faster binary GCD.
func (z *fe) Inverse(x *fe) *fe {
	x2, x22, x223 := powTail(x)
	// p - 2 in binary: 223 ones, a zero, 22 ones, then 0000101101.
	var t fe
	t.squareN(&x223, 23).Mul(&t, &x22)
	t.squareN(&t, 5).Mul(&t, x)
	t.squareN(&t, 3).Mul(&t, &x2)
	t.squareN(&t, 2).Mul(&t, x)
	*z = t
	return z
}

// Sqrt sets z to a square root of x and returns z, or returns nil (z
// unchanged) when x is not a square. The root is x^((p+1)/4) (p ≡ 3 mod
// 4); which of the two roots it is, is not specified.
func (z *fe) Sqrt(x *fe) *fe {
	x2, x22, x223 := powTail(x)
	// (p + 1)/4 in binary: 223 ones, a zero, 22 ones, then 00001100.
	var t, chk fe
	t.squareN(&x223, 23).Mul(&t, &x22)
	t.squareN(&t, 6).Mul(&t, &x2)
	t.squareN(&t, 2)
	if !chk.Square(&t).Equal(x) {
		return nil
	}
	*z = t
	return z
}
