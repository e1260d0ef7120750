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
func msm(bases []affine, terms []term, s *scratch) jacobian {
	if len(terms) < straussMaxTerms {
		return strauss(bases, terms, s)
	}
	return pippenger(bases, terms, s)
}

// straussMaxTerms is the crossover between the two methods, measured with
// BenchmarkMSM: below it Strauss's per-term tables are cheaper than
// Pippenger's per-window bucket sums (with fe, 8.9 against 11.6 µs
// per term at 16 terms, equal at 32, 10.4 against 8.6 at 48).
var straussMaxTerms = 40

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

// generator is G in affine form (SEC 2, section 2.4.1).
var generator = affine{
	x: fieldOf("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
	y: fieldOf("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"),
}

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
	jac    []jacobian
	aff    []affine
	fld    []fe
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
	den      []fe
	pre      []fe
	kind     []uint8
	extraIdx []int32
	extras   []jacobian
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}
