package schnorrbatch

import (
	"encoding/hex"
	"math/bits"

	"github.com/btcsuite/btcd/btcec/v2"
)

// limbs is a non-negative integer below 2^256 as four little-endian 64-bit
// words. The multi-scalar multiplications read their scalars in this form:
// they only need bits, never arithmetic modulo n.
type limbs [4]uint64

// limbsOf returns the integer value of s (which is already below n).
func limbsOf(s *btcec.ModNScalar) limbs {
	b := s.Bytes()
	var l limbs
	for i := 0; i < 4; i++ {
		var w uint64
		for j := 0; j < 8; j++ {
			w = w<<8 | uint64(b[(3-i)*8+j])
		}
		l[i] = w
	}
	return l
}

// bitLen is the position of the highest set bit plus one (0 for zero).
func (l *limbs) bitLen() int {
	for i := 3; i >= 0; i-- {
		if l[i] != 0 {
			return 64*i + bits.Len64(l[i])
		}
	}
	return 0
}

func (l *limbs) isZero() bool { return l[0]|l[1]|l[2]|l[3] == 0 }

// window returns the c bits (c <= 32) of l starting at bit pos; bits above
// 255 read as zero.
func (l *limbs) window(pos, c int) uint32 {
	w := pos / 64
	if w >= 4 {
		return 0
	}
	sh := uint(pos % 64)
	v := l[w] >> sh
	if sh != 0 && w+1 < 4 {
		v |= l[w+1] << (64 - sh)
	}
	return uint32(v & (1<<uint(c) - 1))
}

// The secp256k1 endomorphism φ(x, y) = (β·x, y) equals multiplication by λ.
// A scalar k splits into k1 + k2·λ with k1 and k2 of about 128 bits each, so
// k·P = k1·P + k2·φ(P) costs half the doublings of a full-width product and
// φ(P) costs one field multiplication. The constants are those of the decred
// secp256k1 package (splitK, after [GECC] algorithm 3.74 with the rounding of
// [STWS]); endo_test.go checks each one against its defining property.
var (
	endoBeta      = fieldOf("7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501ee")
	endoNegLambda = hexScalar("-5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72")
	endoNegB1     = hexScalar("e4437ed6010e88286f547fa90abfe4c3")
	endoNegB2     = hexScalar("-3086d221a7d46bcde86c90e49284eb15")
	// endoZ1 = round(2^320·b2/n) and endoZ2 = round(2^320·(-b1)/n).
	endoZ1 = hexLimbs("3086d221a7d46bcde86c90e49284eb153daa8a1471e8ca7f")
	endoZ2 = hexLimbs("e4437ed6010e88286f547fa90abfe4c4221208ac9df506c6")
)

// splitScalar returns k1, k2 with k ≡ k1 + k2·λ (mod n), each given as a
// magnitude and a sign (neg1 means the true value is -k1). The magnitudes are
// below 2^129 for every k (endo_test.go), but nothing here relies on that
// bound for correctness: the multiplications size their loops from the
// actual bit lengths.
func splitScalar(k *btcec.ModNScalar) (k1, k2 btcec.ModNScalar, neg1, neg2 bool) {
	kl := limbsOf(k)
	c1 := mulShift320Round(&kl, &endoZ1)
	c2 := mulShift320Round(&kl, &endoZ2)
	var t btcec.ModNScalar
	k2.Set(&c1).Mul(endoNegB1)
	t.Set(&c2).Mul(endoNegB2)
	k2.Add(&t)                         // k2 = c1·(-b1) + c2·(-b2)
	k1.Mul2(&k2, endoNegLambda).Add(k) // k1 = k - k2·λ
	if k1.IsOverHalfOrder() {
		k1.Negate()
		neg1 = true
	}
	if k2.IsOverHalfOrder() {
		k2.Negate()
		neg2 = true
	}
	return k1, k2, neg1, neg2
}

// mulShift320Round returns round(a·b / 2^320) for a < 2^256 and b < 2^192,
// which is below 2^192 and so a valid scalar.
func mulShift320Round(a, b *limbs) btcec.ModNScalar {
	var p [8]uint64
	for i := 0; i < 4; i++ {
		var carry uint64
		for j := 0; j < 4; j++ {
			hi, lo := bits.Mul64(a[i], b[j])
			var c uint64
			lo, c = bits.Add64(lo, p[i+j], 0)
			hi += c
			lo, c = bits.Add64(lo, carry, 0)
			hi += c
			p[i+j] = lo
			carry = hi
		}
		p[i+4] = carry
	}
	round := p[4] >> 63
	var c uint64
	r0, c := bits.Add64(p[5], round, 0)
	r1, c := bits.Add64(p[6], 0, c)
	r2, _ := bits.Add64(p[7], 0, c)
	var buf [32]byte
	putWord(buf[24:32], r0)
	putWord(buf[16:24], r1)
	putWord(buf[8:16], r2)
	var s btcec.ModNScalar
	s.SetBytes(&buf) // below 2^192 < n: never reduced
	return s
}

func putWord(b []byte, w uint64) {
	for i := 7; i >= 0; i-- {
		b[i] = byte(w)
		w >>= 8
	}
}

// wnaf writes the width-w non-adjacent form of k into out (least significant
// digit first) and returns the number of digits. Each digit is zero or odd
// with |digit| < 2^(w-1), and no two non-zero digits lie within w places.
// out must have room for k.bitLen()+1 digits.
func wnaf(k limbs, w uint, out []int8) int {
	n := 0
	mask := uint64(1)<<w - 1
	half := int64(1) << (w - 1)
	for !k.isZero() {
		var d int64
		if k[0]&1 == 1 {
			d = int64(k[0] & mask)
			if d >= half {
				d -= int64(1) << w
			}
			// k -= d, so that k becomes divisible by 2^w.
			if d > 0 {
				k.sub(uint64(d))
			} else {
				k.add(uint64(-d))
			}
		}
		out[n] = int8(d)
		n++
		k.shr1()
	}
	return n
}

func (l *limbs) add(v uint64) {
	var c uint64
	l[0], c = bits.Add64(l[0], v, 0)
	for i := 1; i < 4 && c != 0; i++ {
		l[i], c = bits.Add64(l[i], 0, c)
	}
}

func (l *limbs) sub(v uint64) {
	var b uint64
	l[0], b = bits.Sub64(l[0], v, 0)
	for i := 1; i < 4 && b != 0; i++ {
		l[i], b = bits.Sub64(l[i], 0, b)
	}
}

func (l *limbs) shr1() {
	l[0] = l[0]>>1 | l[1]<<63
	l[1] = l[1]>>1 | l[2]<<63
	l[2] = l[2]>>1 | l[3]<<63
	l[3] >>= 1
}

// signedDigits writes the signed base-2^c digits of k (least significant
// first) into out: each digit d lies in (-2^(c-1), 2^(c-1)] and
// k = Σ out[j]·2^(c·j). out must have room for k.bitLen()/c + 1 digits, which
// is enough to absorb the final carry.
func signedDigits(k *limbs, c int, out []int32) {
	half := int32(1) << uint(c-1)
	var carry int32
	for j := range out {
		d := int32(k.window(j*c, c)) + carry
		carry = 0
		if d > half {
			d -= half << 1
			carry = 1
		}
		out[j] = d
	}
}

func hexBytes(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic("schnorrbatch: bad constant " + s)
	}
	return b
}

func hexScalar(s string) *btcec.ModNScalar {
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var k btcec.ModNScalar
	if k.SetByteSlice(hexBytes(s)) {
		panic("schnorrbatch: scalar constant overflows: " + s)
	}
	if neg {
		k.Negate()
	}
	return &k
}

func hexLimbs(s string) limbs {
	var k btcec.ModNScalar
	if k.SetByteSlice(hexBytes(s)) {
		panic("schnorrbatch: constant overflows: " + s)
	}
	return limbsOf(&k)
}
