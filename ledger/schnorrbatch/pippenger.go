package schnorrbatch

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
// multiplications and 4 squarings of a mixed Jacobian addition. A batch
// holds at most one addition per bucket; a second one for the same bucket
// waits in a queue for the next batch. P + P (doubling) and P + (-P) (the
// bucket empties) are handled exactly.

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
// bits, from the cost model windows × (n·add + 2^(c-1)·reduce + c·double),
// with an affine bucket addition as the unit, a bucket's share of the
// reduction (a mixed and a generic Jacobian addition) as 4 and a doubling
// as 1 (measured: BenchmarkMSM, doc.go).
func pippengerWindow(n, maxBits int) int {
	best, bestCost := 2, -1.0
	for c := 2; c <= 16; c++ {
		windows := float64(maxBits/c + 1)
		cost := windows * (float64(n) + float64(int(1)<<uint(c-1))*4 + float64(c))
		if bestCost < 0 || cost < bestCost {
			best, bestCost = c, cost
		}
	}
	return best
}

func pippenger(bases []affine, terms []term, s *scratch) jacobian {
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

	// The buckets of all windows are filled together, window w's bucket
	// for digit ±d being w·nb + d - 1: consecutive additions then go to
	// different buckets, so batches are large and rarely collide.
	total := nw * nb
	batchMax := total / 4
	if batchMax < 16 {
		batchMax = 16
	}
	if batchMax > 512 {
		batchMax = 512
	}
	s.buckets = grow(s.buckets, total)
	s.filled = grow(s.filled, total)
	s.inBatch = grow(s.inBatch, total)
	clear(s.filled)
	clear(s.inBatch)
	s.den = grow(s.den, batchMax)
	s.pre = grow(s.pre, batchMax)
	s.kind = grow(s.kind, batchMax)
	s.pending = grow(s.pending, batchMax)[:0]
	s.queue = s.queue[:0]
	s.extraIdx = grow(s.extraIdx, total)
	for i := range s.extraIdx {
		s.extraIdx[i] = -1
	}
	s.extras = s.extras[:0]

	for i := 0; i < n; i++ {
		for w := 0; w < nw; w++ {
			d := s.digits[i*nw+w]
			if d == 0 {
				continue
			}
			p := s.pts[i]
			if d < 0 {
				d = -d
				p.neg()
			}
			s.schedule(int32(w*nb)+d-1, &p, batchMax)
		}
	}
	s.drain(batchMax)

	var acc, run, sum jacobian
	for w := nw - 1; w >= 0; w-- {
		for i := 0; i < c; i++ {
			acc.double(&acc)
		}
		// sum = Σ (d+1)·bucket[d] = Σ over d of (bucket[d] + … + bucket[nb-1]).
		run = jacobian{}
		sum = jacobian{}
		bk := s.buckets[w*nb : (w+1)*nb]
		filled := s.filled[w*nb : (w+1)*nb]
		for d := nb - 1; d >= 0; d-- {
			if filled[d] {
				run.addAffine(&run, &bk[d])
			}
			if e := s.extraIdx[w*nb+d]; e >= 0 {
				run.add(&run, &s.extras[e])
			}
			sum.add(&sum, &run)
		}
		acc.add(&acc, &sum)
	}
	return acc
}

// minBatch is the smallest batch worth an inversion (about 75
// multiplications): below it the remaining additions are done in Jacobian
// coordinates.
const minBatch = 24

// drain performs the pending and queued additions. Queued additions conflict
// with pending ones, so each round of the queue yields a batch of distinct
// buckets; when a round is too small to pay for its inversion (a bucket that
// many points share, as when scalars have equal digits), the rest goes to
// per-bucket Jacobian accumulators (extras) that the reduction adds in.
func (s *scratch) drain(batchMax int) {
	for {
		s.flush()
		if len(s.queue) == 0 {
			return
		}
		q := s.queue
		s.queue = s.queue2[:0]
		for i := range q {
			s.schedule(q[i].b, &q[i].p, batchMax)
		}
		s.queue2 = q[:0]
		if len(s.pending) < minBatch {
			for i := range s.pending {
				s.inBatch[s.pending[i].b] = false
				s.addExtra(s.pending[i].b, &s.pending[i].p)
			}
			for i := range s.queue {
				s.addExtra(s.queue[i].b, &s.queue[i].p)
			}
			s.pending = s.pending[:0]
			s.queue = s.queue[:0]
			return
		}
	}
}

// addExtra adds p to bucket b's Jacobian accumulator.
func (s *scratch) addExtra(b int32, p *affine) {
	e := s.extraIdx[b]
	if e < 0 {
		s.extraIdx[b] = int32(len(s.extras))
		var pj jacobian
		p.jacobian(&pj)
		s.extras = append(s.extras, pj)
		return
	}
	s.extras[e].addAffine(&s.extras[e], p)
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
	var t fe
	for i := range s.pending {
		op := &s.pending[i]
		bk := &s.buckets[op.b]
		switch {
		case !bk.x.Equal(&op.p.x):
			s.kind[i] = kindAdd
			s.den[i].Sub(&op.p.x, &bk.x)
		case bk.y.Equal(&op.p.y):
			s.kind[i] = kindDouble
			s.den[i].Double(&bk.y)
		default:
			s.kind[i] = kindCancel
			s.den[i].SetOne()
		}
		if i == 0 {
			s.pre[0] = s.den[0]
		} else {
			s.pre[i].Mul(&s.pre[i-1], &s.den[i])
		}
	}
	var inv fe
	inv.Inverse(&s.pre[m-1])
	for i := m - 1; i >= 0; i-- {
		// Replace den[i] by its inverse.
		if i > 0 {
			t.Mul(&inv, &s.pre[i-1])
			inv.Mul(&inv, &s.den[i])
			s.den[i] = t
		} else {
			s.den[0] = inv
		}
	}

	var lambda, x3 fe
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
			lambda.Sub(&op.p.y, &bk.y).Mul(&lambda, &s.den[i])
			x3.Square(&lambda).Sub(&x3, &bk.x).Sub(&x3, &op.p.x)
		case kindDouble:
			// λ = 3·x1²/(2·y1); x3 = λ² - 2·x1
			t.Square(&bk.x)
			lambda.Double(&t).Add(&lambda, &t).Mul(&lambda, &s.den[i])
			x3.Square(&lambda).Sub(&x3, &bk.x).Sub(&x3, &bk.x)
		}
		// y3 = λ·(x1 - x3) - y1
		t.Sub(&bk.x, &x3).Mul(&t, &lambda)
		bk.y.Sub(&t, &bk.y)
		bk.x = x3
	}
	s.pending = s.pending[:0]
}
