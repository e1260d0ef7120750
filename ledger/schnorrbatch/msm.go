package schnorrbatch

import (
	"github.com/btcsuite/btcd/btcec/v2"
)

// term is one summand k·Q of a multi-scalar multiplication, where
// Q = ±bases[base] or ±φ(bases[base]) (base == baseG names the generator G).
// Keeping the base and the sign apart lets Strauss's method share one table
// of multiples between P and φ(P) and between P and -P.
type term struct {
	base int32
	endo bool // Q is φ(bases[base])
	neg  bool // Q is negated
	k    limbs
}

const baseG = -1

// msm returns Σ k·Q over terms. It picks Strauss's method (interleaved wNAF)
// for few terms and Pippenger's bucket method for many; both are exact for
// any input, so the choice only affects speed.
func msm(bases []affine, terms []term, s *scratch) btcec.JacobianPoint {
	if len(terms) < straussMaxTerms {
		return strauss(bases, terms, s)
	}
	return pippenger(bases, terms, s)
}

// straussMaxTerms is the crossover between the two methods, measured with
// BenchmarkMSM (see doc.go): below it Strauss's per-term tables are cheaper
// than Pippenger's per-window bucket sums.
var straussMaxTerms = 48

// point returns the affine point Q of t.
func (t *term) point(bases []affine) affine {
	var p affine
	if t.base == baseG {
		p = generator
	} else {
		p = bases[t.base]
	}
	if t.endo {
		p = p.endo()
	}
	if t.neg {
		p.neg()
	}
	return p
}

// generator is G in affine form.
var generator = func() affine {
	var one btcec.ModNScalar
	one.SetInt(1)
	var g btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&one, &g)
	g.ToAffine()
	return affine{x: g.X, y: g.Y}
}()

// scratch holds the buffers of one verification so that steady-state batches
// allocate nothing; scratches are pooled and never shared between goroutines.
type scratch struct {
	// batch preparation
	items    []prepared
	keys     []affine
	keyIdx   map[[32]byte]int32
	keyList  [][32]byte
	keyValid []bool
	keyCoef  []btcec.ModNScalar
	keyUsed  []int32
	keyStamp []uint64
	stamp    uint64 // see batch.check
	idx      []int32
	bases    []affine
	terms    []term

	// Strauss
	jac    []btcec.JacobianPoint
	aff    []affine
	fld    []btcec.FieldVal
	tabOf  []int32
	endoOf []int32
	naf    []int8

	// Pippenger
	pts      []affine
	digits   []int32
	buckets  []affine
	filled   []bool
	inBatch  []bool
	pending  []bucketAdd
	queue    []bucketAdd
	queue2   []bucketAdd
	den      []btcec.FieldVal
	pre      []btcec.FieldVal
	kind     []uint8
	extraIdx []int32
	extras   []btcec.JacobianPoint
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}
