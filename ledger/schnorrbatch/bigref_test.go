package schnorrbatch

import (
	"crypto/sha256"
	"math/big"
)

// An independent, slow implementation of BIP-340 Verify in math/big,
// transcribed from the reference code of the BIP (affine points, nil for
// infinity). It shares no arithmetic with btcec, so agreement between it, the
// batch and ledger.PublicKey.Verify is evidence about all three.

var (
	bigP  = mustBig("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F")
	bigN  = mustBig("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141")
	bigGx = mustBig("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798")
	bigGy = mustBig("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8")
)

func mustBig(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic(s)
	}
	return v
}

type bigPoint struct{ x, y *big.Int } // nil *bigPoint is infinity

func bigAdd(a, b *bigPoint) *bigPoint {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	p := bigP
	if a.x.Cmp(b.x) == 0 && new(big.Int).Mod(new(big.Int).Add(a.y, b.y), p).Sign() == 0 {
		return nil
	}
	var lam *big.Int
	if a.x.Cmp(b.x) == 0 && a.y.Cmp(b.y) == 0 {
		num := new(big.Int).Mul(big.NewInt(3), new(big.Int).Mul(a.x, a.x))
		den := new(big.Int).ModInverse(new(big.Int).Mul(big.NewInt(2), a.y), p)
		lam = new(big.Int).Mod(new(big.Int).Mul(num, den), p)
	} else {
		num := new(big.Int).Sub(b.y, a.y)
		den := new(big.Int).ModInverse(new(big.Int).Mod(new(big.Int).Sub(b.x, a.x), p), p)
		lam = new(big.Int).Mod(new(big.Int).Mul(num, den), p)
	}
	x3 := new(big.Int).Mul(lam, lam)
	x3.Sub(x3, a.x).Sub(x3, b.x).Mod(x3, p)
	y3 := new(big.Int).Sub(a.x, x3)
	y3.Mul(y3, lam).Sub(y3, a.y).Mod(y3, p)
	return &bigPoint{x3, y3}
}

func bigMul(pt *bigPoint, k *big.Int) *bigPoint {
	var r *bigPoint
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = bigAdd(r, r)
		if k.Bit(i) == 1 {
			r = bigAdd(r, pt)
		}
	}
	return r
}

func bigLiftX(x *big.Int) *bigPoint {
	if x.Cmp(bigP) >= 0 {
		return nil
	}
	ysq := new(big.Int).Exp(x, big.NewInt(3), bigP)
	ysq.Add(ysq, big.NewInt(7)).Mod(ysq, bigP)
	e := new(big.Int).Add(bigP, big.NewInt(1))
	e.Rsh(e, 2)
	y := new(big.Int).Exp(ysq, e, bigP)
	if new(big.Int).Exp(y, big.NewInt(2), bigP).Cmp(ysq) != 0 {
		return nil
	}
	if y.Bit(0) == 1 {
		y.Sub(bigP, y)
	}
	return &bigPoint{new(big.Int).Set(x), y}
}

func bigTaggedHash(tag string, parts ...[]byte) []byte {
	t := sha256.Sum256([]byte(tag))
	h := sha256.New()
	h.Write(t[:])
	h.Write(t[:])
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// bigVerify is BIP-340 Verify(pk, m, sig).
func bigVerify(it Item) bool {
	P := bigLiftX(new(big.Int).SetBytes(it.Key[:]))
	r := new(big.Int).SetBytes(it.Sig[:32])
	s := new(big.Int).SetBytes(it.Sig[32:])
	if P == nil || r.Cmp(bigP) >= 0 || s.Cmp(bigN) >= 0 {
		return false
	}
	e := new(big.Int).SetBytes(bigTaggedHash("BIP0340/challenge", it.Sig[:32], it.Key[:], it.Msg[:]))
	e.Mod(e, bigN)
	G := &bigPoint{bigGx, bigGy}
	R := bigAdd(bigMul(G, s), bigMul(P, new(big.Int).Sub(bigN, e)))
	if R == nil || R.y.Bit(0) == 1 || R.x.Cmp(r) != 0 {
		return false
	}
	return true
}
