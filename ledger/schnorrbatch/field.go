package schnorrbatch

import (
	"github.com/consensys/gnark-crypto/ecc/secp256k1/fp"
)

// The field arithmetic is gnark-crypto's fp.Element for p = 2^256 - 2^32 -
// 977: four 64-bit limbs in Montgomery form, multiplied with math/bits'
// 64×64→128 products. It replaced btcec's FieldVal (ten 26-bit limbs, the
// decred secp256k1 package) because the field multiplication is the limit of
// a batch (doc.go, Figures): on the reference machine a FieldVal
// multiplication costs about 48 ns, an fp.Element one about 20 ns, and a
// square root (lift_x) 10.4 µs against 5.1 µs. Scalars (mod n) stay btcec's
// ModNScalar: they are a small share of the work. The tests hold every
// operation to btcec and math/big.

// curveB is the 7 of y² = x³ + 7.
var curveB = func() fp.Element {
	var b fp.Element
	b.SetUint64(7)
	return b
}()

// setCanonical sets f to the 32-byte big-endian b and reports whether
// b < p; the encodings of p and above are refused, not reduced.
func setCanonical(f *fp.Element, b *[32]byte) bool {
	return f.SetBytesCanonical(b[:]) == nil
}

// isOdd reports whether f's integer value (not its Montgomery form) is odd.
func isOdd(f *fp.Element) bool {
	return f.Bits()[0]&1 == 1
}

// fieldOf returns the field element of a hexadecimal constant below p.
func fieldOf(s string) fp.Element {
	var b [32]byte
	copy(b[32-len(s)/2:], hexBytes(s))
	var f fp.Element
	if !setCanonical(&f, &b) {
		panic("schnorrbatch: field constant overflows: " + s)
	}
	return f
}
