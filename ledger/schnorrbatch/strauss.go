package schnorrbatch

import (
	"sync"
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

// gTables holds the odd multiples of G and of φ(G), in affine form, built on
// first use.
var gTables = sync.OnceValue(func() [2][]affine {
	n := 1 << (gW - 2)
	jac := make([]jacobian, n)
	oddMultiples(&generator, jac)
	var t [2][]affine
	t[0] = make([]affine, n)
	t[1] = make([]affine, n)
	toAffineBatch(jac, t[0], make([]fe, n))
	for i := range t[0] {
		t[1][i] = t[0][i].endo()
	}
	return t
})

func oddMultiples(p *affine, out []jacobian) {
	p.jacobian(&out[0])
	if len(out) == 1 {
		return
	}
	var d jacobian
	d.double(&out[0])
	for i := 1; i < len(out); i++ {
		out[i].add(&d, &out[i-1])
	}
}

func strauss(bases []affine, terms []term, s *scratch) jacobian {
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
	s.jac = grow(s.jac, ntab*tsize)
	s.aff = grow(s.aff, (ntab+nendo)*tsize)
	s.fld = grow(s.fld, ntab*tsize)
	for b, t := range s.tabOf {
		if t >= 0 {
			oddMultiples(&bases[b], s.jac[int(t)*tsize:int(t+1)*tsize])
		}
	}
	toAffineBatch(s.jac, s.aff[:ntab*tsize], s.fld)
	for b, e := range s.endoOf {
		if e < 0 {
			continue
		}
		src := s.aff[int(s.tabOf[b])*tsize:]
		dst := s.aff[int(e)*tsize:]
		for j := 0; j < tsize; j++ {
			dst[j] = src[j].endo()
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
	var acc jacobian
	var q affine
	for bit := stride - 1; bit >= 0; bit-- {
		acc.double(&acc)
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
			var e *affine
			switch {
			case t.base == baseG && t.endo:
				e = &g[1][d>>1]
			case t.base == baseG:
				e = &g[0][d>>1]
			case t.endo:
				e = &s.aff[int(s.endoOf[t.base])*tsize+int(d>>1)]
			default:
				e = &s.aff[int(s.tabOf[t.base])*tsize+int(d>>1)]
			}
			if neg {
				q = *e
				q.neg()
				e = &q
			}
			acc.addAffine(&acc, e)
		}
	}
	for i := range terms {
		t := &terms[i]
		if t.base != baseG && t.k.bitLen() == 1 {
			p := t.point(bases)
			acc.addAffine(&acc, &p)
		}
	}
	return acc
}
