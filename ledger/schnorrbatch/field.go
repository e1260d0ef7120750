package schnorrbatch

// The field arithmetic is fe (fe.go) for p = 2^256 - 2^32 - 977: four 64-bit
// limbs, multiplied with math/bits' 64×64→128 products and reduced by
// folding the high half back times 2^32 + 977. It replaced gnark-crypto's
// fp.Element (Montgomery form), which had replaced btcec's FieldVal (ten
// 26-bit limbs, the decred secp256k1 package), because the field
// arithmetic is the limit of a batch (doc.go, Figures): on the
// reference machine a FieldVal multiplication cost about 48 ns, an
// fp.Element one about 20 ns; fe in Go multiplies in the same 20 ns,
// squares in 16 against 19, and adds and subtracts without branches; in
// assembly (fe_amd64.s) it multiplies in 12.7 ns and squares in 11.3, and
// a square root takes 3.2 µs against fp.Element's 5.2 (BenchmarkField; a
// batch of 1,024 cached keys costs about 43 % less than with fp.Element:
// doc.go's two comparisons chained).
// Scalars (mod n) stay btcec's ModNScalar: they are a small share of the
// work. The tests hold every operation to btcec and math/big.

// curveB is the 7 of y² = x³ + 7.
var curveB = fe{7}

// fieldOf returns the field element of a hexadecimal constant below p.
func fieldOf(s string) fe {
	var b [32]byte
	copy(b[32-len(s)/2:], hexBytes(s))
	var f fe
	if !setCanonical(&f, &b) {
		panic("schnorrbatch: field constant overflows: " + s)
	}
	return f
}
