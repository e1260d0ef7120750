package schnorrbatch

import (
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"pgregory.net/rapid"
)

// The point arithmetic (point.go) on fe (fe.go) is held to btcec's
// (the decred secp256k1 package) on random points and on every special case
// of the formulas: doubling through add, P + (-P), infinity on either side,
// and results that alias an operand.

// btcec returns p in btcec's Jacobian form (Z = 1).
func (p *affine) btcec() btcec.JacobianPoint {
	var j btcec.JacobianPoint
	bx, by := p.x.Bytes(), p.y.Bytes()
	j.X.SetBytes(&bx)
	j.Y.SetBytes(&by)
	j.Z.SetInt(1)
	return j
}

// affineOf converts a btcec point (not infinity) to this package's form.
func affineOf(j *btcec.JacobianPoint) affine {
	a := *j
	a.ToAffine()
	bx, by := a.X.Bytes(), a.Y.Bytes()
	var p affine
	if !setCanonical(&p.x, bx) || !setCanonical(&p.y, by) {
		panic("btcec returned an unreduced coordinate")
	}
	return p
}

// toAffine returns p in affine form (p not infinity), by the batch
// conversion the package uses.
func (p *jacobian) toAffine() affine {
	var out [1]affine
	var tmp [1]fe
	toAffineBatch([]jacobian{*p}, out[:], tmp[:])
	return out[0]
}

// sameJacobian reports whether two Jacobian points are the same point.
func sameJacobian(a, b *jacobian) bool {
	if isInfinity(a) || isInfinity(b) {
		return isInfinity(a) && isInfinity(b)
	}
	pa, pb := a.toAffine(), b.toAffine()
	return pa.x.Equal(&pb.x) && pa.y.Equal(&pb.y)
}

// genPoint draws k·G for a k in [1, 2^63], as both representations.
func genPoint(t *rapid.T, label string) (affine, btcec.JacobianPoint) {
	p := pointOf(rapid.Uint64Range(1, 1<<63).Draw(t, label))
	return p, p.btcec()
}

// scaled returns p with its Jacobian coordinates scaled by z (z ≠ 0): the
// same point, another representation, so that the formulas see Z ≠ 1.
func scaled(p *affine, zk uint64) jacobian {
	var j jacobian
	j.z.SetUint64(zk)
	var z2, z3 = j.z, j.z
	z2.Square(&j.z)
	z3.Mul(&z2, &j.z)
	j.x.Mul(&p.x, &z2)
	j.y.Mul(&p.y, &z3)
	return j
}

func TestGeneratorIsBtcecs(t *testing.T) {
	var one btcec.ModNScalar
	one.SetInt(1)
	var g btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&one, &g)
	want := affineOf(&g)
	if !generator.x.Equal(&want.x) || !generator.y.Equal(&want.y) {
		t.Fatal("generator differs from btcec's G")
	}
}

func TestPointOpsMatchBtcec(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p, pb := genPoint(t, "p")
		q, qb := genPoint(t, "q")
		switch rapid.IntRange(0, 3).Draw(t, "relation") {
		case 1: // q = p: the additions must double
			q, qb = p, pb
		case 2: // q = -p: the additions must give infinity
			q = p
			q.neg()
			qb = q.btcec()
		}
		zp := rapid.Uint64Range(1, 1<<62).Draw(t, "zp")
		zq := rapid.Uint64Range(1, 1<<62).Draw(t, "zq")
		pj, qj := scaled(&p, zp), scaled(&q, zq)

		var want btcec.JacobianPoint
		btcec.AddNonConst(&pb, &qb, &want)
		var got jacobian
		got.add(&pj, &qj)
		if !samePoint(&got, &want) {
			t.Fatal("add != btcec")
		}
		got.addAffine(&pj, &q)
		if !samePoint(&got, &want) {
			t.Fatal("addAffine != btcec")
		}
		// aliasing: r is p
		alias := pj
		alias.add(&alias, &qj)
		if !samePoint(&alias, &want) {
			t.Fatal("add with r = p != btcec")
		}
		alias = pj
		alias.addAffine(&alias, &q)
		if !samePoint(&alias, &want) {
			t.Fatal("addAffine with r = p != btcec")
		}

		btcec.DoubleNonConst(&pb, &want)
		got.double(&pj)
		if !samePoint(&got, &want) {
			t.Fatal("double != btcec")
		}
		alias = pj
		alias.double(&alias)
		if !samePoint(&alias, &want) {
			t.Fatal("double with r = p != btcec")
		}

		// Infinity on either side.
		var inf jacobian
		got.add(&inf, &pj)
		if !sameJacobian(&got, &pj) {
			t.Fatal("∞ + p != p")
		}
		got.add(&pj, &inf)
		if !sameJacobian(&got, &pj) {
			t.Fatal("p + ∞ != p")
		}
		got.addAffine(&inf, &p)
		if !sameJacobian(&got, &pj) {
			t.Fatal("∞ + affine p != p")
		}
		got.double(&inf)
		if !isInfinity(&got) {
			t.Fatal("2·∞ != ∞")
		}
	})
}

func TestToAffineBatch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 20).Draw(t, "n")
		in := make([]jacobian, n)
		want := make([]affine, n)
		for i := range in {
			want[i], _ = genPoint(t, "p")
			in[i] = scaled(&want[i], rapid.Uint64Range(1, 1<<62).Draw(t, "z"))
		}
		out := make([]affine, n)
		toAffineBatch(in, out, make([]fe, n))
		for i := range out {
			if !out[i].x.Equal(&want[i].x) || !out[i].y.Equal(&want[i].y) {
				t.Fatalf("point %d differs", i)
			}
		}
	})
}

// TestLiftXMatchesBtcec compares liftX with btcec's decompression on random
// x, on x around p (p itself and above must be refused, not reduced) and on
// small x.
func TestLiftXMatchesBtcec(t *testing.T) {
	check := func(t interface{ Fatalf(string, ...any) }, b [32]byte) {
		got, ok := liftX(&b)
		var x, y btcec.FieldVal
		overflow := x.SetBytes(&b) != 0
		wok := !overflow && btcec.DecompressY(&x, false, &y)
		if ok != wok {
			t.Fatalf("x %x: liftX ok=%v, btcec %v", b, ok, wok)
		}
		if !ok {
			return
		}
		y.Normalize()
		gy := got.y.Bytes()
		if gy != *y.Bytes() || isOdd(&got.y) {
			t.Fatalf("x %x: y differs from btcec's even root", b)
		}
		gx := got.x.Bytes()
		if gx != b {
			t.Fatalf("x %x: x changed", b)
		}
	}
	for d := int64(-3); d <= 3; d++ {
		v := new(big.Int).Add(bigP, big.NewInt(d))
		var b [32]byte
		v.FillBytes(b[:])
		check(t, b)
	}
	for k := 0; k < 64; k++ {
		var b [32]byte
		b[31] = byte(k)
		check(t, b)
	}
	var ones [32]byte
	for i := range ones {
		ones[i] = 0xff
	}
	check(t, ones)
	rapid.Check(t, func(t *rapid.T) {
		var b [32]byte
		copy(b[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "x"))
		check(t, b)
	})
}
