package schnorrbatch

import (
	"github.com/btcsuite/btcd/btcec/v2"
)

// Pippenger's bucket method with signed digits: each scalar is written in
// base 2^c with digits in (-2^(c-1), 2^(c-1)]; for each digit position
// (window), every point is added to (or, for a negative digit, subtracted
// from) the bucket of its digit's magnitude, and Σ d·bucket[d] is formed
// with two running sums. The windows are combined by Horner's rule with c
// doublings each.
//
// Bucket additions dominate (one per term per window), so they are done in
// affine coordinates in batches that share one field inversion (Montgomery's
// trick): about 5 multiplications and 1 squaring each instead of the 7
// multiplications and 4 squarings of a mixed Jacobian addition, plus the
// normalizations this field implementation needs. A batch holds at most one
// addition per bucket; a second one for the same bucket waits in a queue for
// the next batch. P + P (doubling) and P + (-P) (the bucket empties) are
// handled exactly.

type bucketAdd struct {
	b int32
	p affine
}

const (
	kindAdd uint8 = iota
	kindDouble
	kindCancel
)

// pippengerWindow returns the window width c for n terms of at most maxBits
// bits, from the cost model: windows × (n·add + 2^(c-1)·(mixed + generic
// addition)), in units of a batched affine addition.
func pippengerWindow(n, maxBits int) int {
	best, bestCost := 2, -1.0
	for c := 2; c <= 16; c++ {
		windows := float64(maxBits/c + 1)
		cost := windows * (float64(n)*1.0 + float64(int(1)<<uint(c-1))*3.6 + float64(c)*0.8)
		if bestCost < 0 || cost < bestCost {
			best, bestCost = c, cost
		}
	}
	return best
}

func pippenger(bases []affine, terms []term, s *scratch) btcec.JacobianPoint {
	n := len(terms)
	maxBits := 0
	for i := range terms {
		if b := terms[i].k.bitLen(); b > maxBits {
			maxBits = b
		}
	}
	c := pippengerWindow(n, maxBits)
	nw := maxBits/c + 1
	nb := 1 << uint(c-1)

	s.pts = grow(s.pts, n)
	s.digits = grow(s.digits, n*nw)
	for i := range terms {
		s.pts[i] = terms[i].point(bases)
		signedDigits(&terms[i].k, c, s.digits[i*nw:(i+1)*nw])
	}

	batchMax := nb / 4
	if batchMax < 16 {
		batchMax = 16
	}
	if batchMax > 512 {
		batchMax = 512
	}
	s.buckets = grow(s.buckets, nb)
	s.filled = grow(s.filled, nb)
	s.inBatch = grow(s.inBatch, nb)
	s.den = grow(s.den, batchMax)
	s.pre = grow(s.pre, batchMax)
	s.kind = grow(s.kind, batchMax)
	s.pending = grow(s.pending, batchMax)[:0]

	var acc, run, sum, tmp btcec.JacobianPoint
	for w := nw - 1; w >= 0; w-- {
		for i := 0; i < c; i++ {
			btcec.DoubleNonConst(&acc, &acc)
		}
		clear(s.filled)
		clear(s.inBatch)
		for i := 0; i < n; i++ {
			d := s.digits[i*nw+w]
			if d == 0 {
				continue
			}
			p := s.pts[i]
			if d < 0 {
				d = -d
				p.neg()
			}
			s.schedule(d-1, &p, batchMax)
		}
		for len(s.pending) > 0 || len(s.queue) > 0 {
			s.flush()
			q := s.queue
			s.queue = s.queue2[:0]
			for i := range q {
				s.schedule(q[i].b, &q[i].p, batchMax)
			}
			s.queue2 = q[:0]
		}

		// sum = Σ (b+1)·bucket[b] = Σ over b of (bucket[b] + … + bucket[nb-1]).
		run = btcec.JacobianPoint{}
		sum = btcec.JacobianPoint{}
		for b := nb - 1; b >= 0; b-- {
			if s.filled[b] {
				s.buckets[b].jacobian(&tmp)
				btcec.AddNonConst(&run, &tmp, &run)
			}
			btcec.AddNonConst(&sum, &run, &sum)
		}
		btcec.AddNonConst(&acc, &sum, &acc)
	}
	return acc
}

// schedule arranges for bucket b += p.
func (s *scratch) schedule(b int32, p *affine, batchMax int) {
	switch {
	case !s.filled[b]:
		s.buckets[b] = *p
		s.filled[b] = true
	case s.inBatch[b]:
		s.queue = append(s.queue, bucketAdd{b: b, p: *p})
	default:
		s.inBatch[b] = true
		s.pending = append(s.pending, bucketAdd{b: b, p: *p})
		if len(s.pending) == batchMax {
			s.flush()
		}
	}
}

// flush performs the pending bucket additions with one shared inversion.
func (s *scratch) flush() {
	m := len(s.pending)
	if m == 0 {
		return
	}
	// Denominators: x2 - x1 for an addition, 2·y1 for a doubling, 1 for a
	// cancellation (P + (-P)), which needs no division.
	var t btcec.FieldVal
	for i := range s.pending {
		op := &s.pending[i]
		bk := &s.buckets[op.b]
		switch {
		case !bk.x.Equals(&op.p.x):
			s.kind[i] = kindAdd
			s.den[i].NegateVal(&bk.x, 1).Add(&op.p.x) // magnitude 3
		case bk.y.Equals(&op.p.y):
			s.kind[i] = kindDouble
			s.den[i].Set(&bk.y).MulInt(2) // magnitude 2
		default:
			s.kind[i] = kindCancel
			s.den[i].SetInt(1)
		}
		if i == 0 {
			s.pre[0].Set(&s.den[0])
		} else {
			s.pre[i].Mul2(&s.pre[i-1], &s.den[i])
		}
	}
	var inv btcec.FieldVal
	inv.Set(&s.pre[m-1]).Inverse()
	for i := m - 1; i >= 0; i-- {
		// Replace den[i] by its inverse.
		if i > 0 {
			t.Mul2(&inv, &s.pre[i-1])
			inv.Mul(&s.den[i])
			s.den[i].Set(&t)
		} else {
			s.den[0].Set(&inv)
		}
	}

	var lambda, nx, x3 btcec.FieldVal
	for i := range s.pending {
		op := &s.pending[i]
		bk := &s.buckets[op.b]
		s.inBatch[op.b] = false
		switch s.kind[i] {
		case kindCancel:
			s.filled[op.b] = false
			continue
		case kindAdd:
			// λ = (y2 - y1)/(x2 - x1); x3 = λ² - x1 - x2
			lambda.NegateVal(&bk.y, 1).Add(&op.p.y).Mul(&s.den[i])
			nx.Set(&bk.x).Add(&op.p.x).Negate(2) // -(x1 + x2), magnitude 3
		case kindDouble:
			// λ = 3·x1²/(2·y1); x3 = λ² - 2·x1
			lambda.SquareVal(&bk.x).MulInt(3).Mul(&s.den[i])
			nx.Set(&bk.x).MulInt(2).Negate(2) // magnitude 3
		}
		x3.SquareVal(&lambda).Add(&nx).Normalize()
		// y3 = λ·(x1 - x3) - y1
		t.NegateVal(&x3, 1).Add(&bk.x).Mul(&lambda) // magnitude 1
		bk.y.Negate(1).Add(&t).Normalize()
		bk.x.Set(&x3)
	}
	s.pending = s.pending[:0]
}
