package schnorrbatch

import (
	"github.com/btcsuite/btcd/btcec/v2"
)

// affine is a curve point other than infinity with normalized coordinates.
// Every point the batch handles starts in this form: lifted keys and nonces,
// G and their images under φ. Field arithmetic is btcec's (the decred
// secp256k1 FieldVal); the FieldVal rules apply: Equals, IsOdd and the group
// operations need normalized inputs, Mul needs magnitudes of at most 8.
type affine struct {
	x, y btcec.FieldVal
}

// liftX implements BIP-340 lift_x for a 32-byte big-endian x: it fails when
// x >= p or x is not the x coordinate of a curve point, and otherwise returns
// the point with that x and an even y.
func liftX(b *[32]byte) (affine, bool) {
	var p affine
	if p.x.SetBytes(b) != 0 {
		return p, false
	}
	if !btcec.DecompressY(&p.x, false, &p.y) {
		return p, false
	}
	p.y.Normalize()
	return p, true
}

func (p *affine) jacobian(out *btcec.JacobianPoint) {
	out.X.Set(&p.x)
	out.Y.Set(&p.y)
	out.Z.SetInt(1)
}

// neg sets p to -p.
func (p *affine) neg() {
	p.y.Negate(1).Normalize()
}

// endo returns φ(p) = λ·p = (β·x, y).
func (p *affine) endo() affine {
	var q affine
	q.x.Mul2(&p.x, endoBeta).Normalize()
	q.y.Set(&p.y)
	return q
}

func isInfinity(p *btcec.JacobianPoint) bool {
	return (p.X.IsZero() && p.Y.IsZero()) || p.Z.IsZero()
}

// toAffineBatch converts the Jacobian points in (none of which may be
// infinity) to affine form in out with one field inversion for all of them
// (Montgomery's trick): about 7 multiplications per point plus one
// inversion, instead of one inversion per point. tmp must be at least as long
// as in.
func toAffineBatch(in []btcec.JacobianPoint, out []affine, tmp []btcec.FieldVal) {
	n := len(in)
	if n == 0 {
		return
	}
	// tmp[i] = Z0·Z1·…·Zi
	tmp[0].Set(&in[0].Z)
	for i := 1; i < n; i++ {
		tmp[i].Mul2(&tmp[i-1], &in[i].Z)
	}
	var inv btcec.FieldVal
	inv.Set(&tmp[n-1]).Inverse() // 1/(Z0·…·Z(n-1))
	var zi, zi2 btcec.FieldVal
	for i := n - 1; i >= 0; i-- {
		if i > 0 {
			zi.Mul2(&inv, &tmp[i-1]) // 1/Zi
			inv.Mul(&in[i].Z)        // 1/(Z0·…·Z(i-1))
		} else {
			zi.Set(&inv)
		}
		zi2.SquareVal(&zi)
		out[i].x.Mul2(&in[i].X, &zi2).Normalize()
		out[i].y.Mul2(&in[i].Y, zi2.Mul(&zi)).Normalize()
	}
}
