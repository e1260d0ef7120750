package schnorrbatch

import (
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
)

// Strauss's method (interleaved width-w NAF, [GECC] algorithm 3.51 with
// signed digits): one shared chain of doublings as long as the longest
// scalar, and for each term one addition per non-zero digit, taken from a
// table of the term's odd multiples Q, 3Q, …, (2^(w-1)-1)Q. The tables are
// converted to affine form together (one inversion) so that every addition
// in the main loop is a mixed addition. A table serves Q, -Q, φ(Q) and -φ(Q)
// (φ maps a table entry with one field multiplication), so the two GLV halves
// of a key share one table.
const (
	straussW = 4 // table of 4 odd multiples per base
	gW       = 8 // static tables of 64 odd multiples for G and φ(G)
)

// gTables holds the odd multiples of G and of φ(G), in affine form with Z = 1,
// built on first use.
var gTables = sync.OnceValue(func() [2][]btcec.JacobianPoint {
	n := 1 << (gW - 2)
	jac := make([]btcec.JacobianPoint, n)
	oddMultiples(&generator, jac)
	aff := make([]affine, n)
	toAffineBatch(jac, aff, make([]btcec.FieldVal, n))
	var t [2][]btcec.JacobianPoint
	t[0] = make([]btcec.JacobianPoint, n)
	t[1] = make([]btcec.JacobianPoint, n)
	for i := range aff {
		aff[i].jacobian(&t[0][i])
		e := aff[i].endo()
		e.jacobian(&t[1][i])
	}
	return t
})

// oddMultiples sets out[i] = (2i+1)·p in Jacobian form.
func oddMultiples(p *affine, out []btcec.JacobianPoint) {
	p.jacobian(&out[0])
	if len(out) == 1 {
		return
	}
	var d btcec.JacobianPoint
	btcec.DoubleNonConst(&out[0], &d)
	for i := 1; i < len(out); i++ {
		btcec.AddNonConst(&d, &out[i-1], &out[i])
	}
}

func strauss(bases []affine, terms []term, s *scratch) btcec.JacobianPoint {
	tsize := 1 << (straussW - 2)

	// Which bases need a table, and which need its image under φ.
	s.tabOf = grow(s.tabOf, len(bases))
	s.endoOf = grow(s.endoOf, len(bases))
	for i := range s.tabOf {
		s.tabOf[i] = -1
		s.endoOf[i] = -1
	}
	ntab := 0
	for i := range terms {
		b := terms[i].base
		if b == baseG || terms[i].k.bitLen() <= 1 {
			continue // no table for G (static), 0 or 1 (added directly)
		}
		if s.tabOf[b] < 0 {
			s.tabOf[b] = int32(ntab)
			ntab++
		}
	}
	nendo := 0
	for i := range terms {
		b := terms[i].base
		if b == baseG || !terms[i].endo || terms[i].k.bitLen() <= 1 {
			continue
		}
		if s.endoOf[b] < 0 {
			s.endoOf[b] = int32(ntab + nendo)
			nendo++
		}
	}

	// Odd multiples of every base, converted to affine together. The first
	// entry of each table is the base itself and needs no conversion, but
	// converting it too keeps the bookkeeping simple.
	s.jac = grow(s.jac, (ntab+nendo)*tsize)
	s.aff = grow(s.aff, ntab*tsize)
	s.fld = grow(s.fld, ntab*tsize)
	for b, t := range s.tabOf {
		if t >= 0 {
			oddMultiples(&bases[b], s.jac[int(t)*tsize:int(t+1)*tsize])
		}
	}
	toAffineBatch(s.jac[:ntab*tsize], s.aff, s.fld)
	for i := range s.aff[:ntab*tsize] {
		s.aff[i].jacobian(&s.jac[i])
	}
	for b, e := range s.endoOf {
		if e < 0 {
			continue
		}
		src := s.aff[int(s.tabOf[b])*tsize:]
		dst := s.jac[int(e)*tsize:]
		for j := 0; j < tsize; j++ {
			q := src[j].endo()
			q.jacobian(&dst[j])
		}
	}

	// Width-w NAF of every scalar.
	maxBits := 0
	for i := range terms {
		if n := terms[i].k.bitLen(); n > maxBits {
			maxBits = n
		}
	}
	stride := maxBits + 1
	s.naf = grow(s.naf, len(terms)*stride)
	clear(s.naf)
	for i := range terms {
		w := uint(straussW)
		switch {
		case terms[i].base == baseG:
			w = gW
		case terms[i].k.bitLen() <= 1:
			continue // added after the loop
		}
		wnaf(terms[i].k, w, s.naf[i*stride:(i+1)*stride])
	}

	g := gTables()
	var acc, q btcec.JacobianPoint
	for bit := stride - 1; bit >= 0; bit-- {
		btcec.DoubleNonConst(&acc, &acc)
		for i := range terms {
			d := s.naf[i*stride+bit]
			if d == 0 {
				continue
			}
			t := &terms[i]
			neg := t.neg
			if d < 0 {
				d = -d
				neg = !neg
			}
			var e *btcec.JacobianPoint
			switch {
			case t.base == baseG && t.endo:
				e = &g[1][d>>1]
			case t.base == baseG:
				e = &g[0][d>>1]
			case t.endo:
				e = &s.jac[int(s.endoOf[t.base])*tsize+int(d>>1)]
			default:
				e = &s.jac[int(s.tabOf[t.base])*tsize+int(d>>1)]
			}
			if neg {
				q.X.Set(&e.X)
				q.Y.NegateVal(&e.Y, 1).Normalize()
				q.Z.SetInt(1)
				e = &q
			}
			btcec.AddNonConst(&acc, e, &acc)
		}
	}
	for i := range terms {
		t := &terms[i]
		if t.base != baseG && t.k.bitLen() == 1 {
			p := t.point(bases)
			p.jacobian(&q)
			btcec.AddNonConst(&acc, &q, &acc)
		}
	}
	return acc
}
