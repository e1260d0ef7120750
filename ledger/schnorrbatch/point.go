package schnorrbatch

// affine is a curve point other than infinity. Every point the batch handles
// starts in this form: lifted keys and nonces, G and their images under φ.
//
// Field arithmetic is fe (fe.go) for the secp256k1 prime: elements are kept
// fully reduced, so Equal compares representations and no normalization
// step exists.
type affine struct {
	x, y fe
}

// jacobian is a point (X/Z², Y/Z³); Z = 0 is the point at infinity, the
// zero value.
type jacobian struct {
	x, y, z fe
}

// liftX implements BIP-340 lift_x for a 32-byte big-endian x: it fails when
// x >= p or x is not the x coordinate of a curve point, and otherwise returns
// the point with that x and an even y.
func liftX(b *[32]byte) (affine, bool) {
	var p affine
	if !setCanonical(&p.x, b) {
		return p, false
	}
	// y² = x³ + 7
	var y2 fe
	y2.Square(&p.x).Mul(&y2, &p.x).Add(&y2, &curveB)
	if p.y.Sqrt(&y2) == nil {
		return p, false
	}
	if isOdd(&p.y) {
		p.y.Neg(&p.y)
	}
	return p, true
}

func (p *affine) jacobian(out *jacobian) {
	out.x = p.x
	out.y = p.y
	out.z.SetOne()
}

// neg sets p to -p.
func (p *affine) neg() {
	p.y.Neg(&p.y)
}

// endo returns φ(p) = λ·p = (β·x, y).
func (p *affine) endo() affine {
	var q affine
	q.x.Mul(&p.x, &endoBeta)
	q.y = p.y
	return q
}

func isInfinity(p *jacobian) bool {
	return p.z.IsZero()
}

// double sets r = 2·p (dbl-2009-l, for curves with a = 0: 2M + 5S).
func (r *jacobian) double(p *jacobian) {
	if p.z.IsZero() || p.y.IsZero() {
		*r = jacobian{}
		return
	}
	var a, b, c, d, e, f, t fe
	a.Square(&p.x)
	b.Square(&p.y)
	c.Square(&b)
	// d = 2·((x + b)² - a - c)
	d.Add(&p.x, &b).Square(&d).Sub(&d, &a).Sub(&d, &c).Double(&d)
	e.Double(&a).Add(&e, &a) // 3·x²
	f.Square(&e)
	var z3 fe
	z3.Mul(&p.y, &p.z).Double(&z3)
	// x3 = f - 2·d
	r.x.Double(&d)
	r.x.Sub(&f, &r.x)
	// y3 = e·(d - x3) - 8·c
	t.Sub(&d, &r.x).Mul(&t, &e)
	c.Double(&c).Double(&c).Double(&c)
	r.y.Sub(&t, &c)
	r.z = z3
}

// add sets r = p + q for any p and q, including equal, opposite and
// infinite points (add-2007-bl: 11M + 5S).
func (r *jacobian) add(p, q *jacobian) {
	if p.z.IsZero() {
		*r = *q
		return
	}
	if q.z.IsZero() {
		*r = *p
		return
	}
	var z1z1, z2z2, u1, u2, s1, s2 fe
	z1z1.Square(&p.z)
	z2z2.Square(&q.z)
	u1.Mul(&p.x, &z2z2)
	u2.Mul(&q.x, &z1z1)
	s1.Mul(&p.y, &q.z).Mul(&s1, &z2z2)
	s2.Mul(&q.y, &p.z).Mul(&s2, &z1z1)
	if u1.Equal(&u2) {
		if s1.Equal(&s2) {
			r.double(p)
		} else {
			*r = jacobian{}
		}
		return
	}
	var h, i, j, rr, v, t fe
	h.Sub(&u2, &u1)
	i.Double(&h).Square(&i)
	j.Mul(&h, &i)
	rr.Sub(&s2, &s1).Double(&rr)
	v.Mul(&u1, &i)
	// z3 = ((z1 + z2)² - z1z1 - z2z2)·h, before x and y may alias p or q
	var z3 fe
	z3.Add(&p.z, &q.z).Square(&z3).Sub(&z3, &z1z1).Sub(&z3, &z2z2).Mul(&z3, &h)
	// x3 = rr² - j - 2·v
	var x3 fe
	x3.Square(&rr).Sub(&x3, &j).Sub(&x3, &v).Sub(&x3, &v)
	// y3 = rr·(v - x3) - 2·s1·j
	t.Sub(&v, &x3).Mul(&t, &rr)
	s1.Mul(&s1, &j).Double(&s1)
	r.y.Sub(&t, &s1)
	r.x = x3
	r.z = z3
}

// addAffine sets r = p + q for an affine q (madd-2007-bl when p's Z is not
// 1: 7M + 4S), handling every special case like add.
func (r *jacobian) addAffine(p *jacobian, q *affine) {
	if p.z.IsZero() {
		q.jacobian(r)
		return
	}
	var z1z1, u2, s2 fe
	z1z1.Square(&p.z)
	u2.Mul(&q.x, &z1z1)
	s2.Mul(&q.y, &p.z).Mul(&s2, &z1z1)
	if p.x.Equal(&u2) {
		if p.y.Equal(&s2) {
			r.double(p)
		} else {
			*r = jacobian{}
		}
		return
	}
	var h, hh, i, j, rr, v, t fe
	h.Sub(&u2, &p.x)
	hh.Square(&h)
	i.Double(&hh).Double(&i)
	j.Mul(&h, &i)
	rr.Sub(&s2, &p.y).Double(&rr)
	v.Mul(&p.x, &i)
	var z3 fe
	z3.Add(&p.z, &h).Square(&z3).Sub(&z3, &z1z1).Sub(&z3, &hh)
	var x3 fe
	x3.Square(&rr).Sub(&x3, &j).Sub(&x3, &v).Sub(&x3, &v)
	t.Sub(&v, &x3).Mul(&t, &rr)
	var y1j fe
	y1j.Mul(&p.y, &j).Double(&y1j)
	r.y.Sub(&t, &y1j)
	r.x = x3
	r.z = z3
}

// toAffineBatch converts the Jacobian points in (none of which may be
// infinity) to affine form in out with one field inversion for all of them
// (Montgomery's trick): about 7 multiplications per point plus one
// inversion, instead of one inversion per point. tmp must be at least as long
// as in.
func toAffineBatch(in []jacobian, out []affine, tmp []fe) {
	n := len(in)
	if n == 0 {
		return
	}
	// tmp[i] = Z0·Z1·…·Zi
	tmp[0] = in[0].z
	for i := 1; i < n; i++ {
		tmp[i].Mul(&tmp[i-1], &in[i].z)
	}
	var inv fe
	inv.Inverse(&tmp[n-1]) // 1/(Z0·…·Z(n-1))
	var zi, zi2 fe
	for i := n - 1; i >= 0; i-- {
		if i > 0 {
			zi.Mul(&inv, &tmp[i-1]) // 1/Zi
			inv.Mul(&inv, &in[i].z) // 1/(Z0·…·Z(i-1))
		} else {
			zi = inv
		}
		zi2.Square(&zi)
		out[i].x.Mul(&in[i].x, &zi2)
		out[i].y.Mul(&in[i].y, zi2.Mul(&zi2, &zi))
	}
}
