package schnorrbatch

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"pgregory.net/rapid"
)

// naiveMSM is Σ k·Q with one btcec scalar multiplication per term: the
// oracle for strauss and pippenger, in btcec's arithmetic.
func naiveMSM(bases []affine, terms []term) btcec.JacobianPoint {
	var acc btcec.JacobianPoint
	for i := range terms {
		p := terms[i].point(bases)
		pj := p.btcec()
		var r btcec.JacobianPoint
		k := scalarOf(&terms[i].k) // k mod n: the point has order n
		btcec.ScalarMultNonConst(&k, &pj, &r)
		btcec.AddNonConst(&acc, &r, &acc)
	}
	return acc
}

// samePoint reports whether a (this package's arithmetic) and b (btcec's)
// are the same point.
func samePoint(a *jacobian, b *btcec.JacobianPoint) bool {
	binf := (b.X.IsZero() && b.Y.IsZero()) || b.Z.IsZero()
	if isInfinity(a) || binf {
		return isInfinity(a) && binf
	}
	aa := a.toAffine()
	ab := aa.btcec()
	return ab.EquivalentNonConst(b)
}

func pointOf(k uint64) affine {
	var s btcec.ModNScalar
	s.SetByteSlice([]byte{byte(k >> 56), byte(k >> 48), byte(k >> 40), byte(k >> 32), byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)})
	var j btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&s, &j)
	return affineOf(&j)
}

// genTerms draws multi-scalar multiplications that provoke every special
// case: few distinct bases (so buckets meet the same point, its negation and
// its image under φ), repeated scalars, zero and one, G, and full-width
// scalars up to 2^256 - 1.
func genTerms(t *rapid.T, maxTerms int) ([]affine, []term) {
	nb := rapid.IntRange(1, 6).Draw(t, "bases")
	bases := make([]affine, nb)
	for i := range bases {
		bases[i] = pointOf(rapid.Uint64Range(1, 1<<40).Draw(t, "base"))
	}
	shared := genLimbs().Draw(t, "shared")
	n := rapid.IntRange(0, maxTerms).Draw(t, "terms")
	terms := make([]term, n)
	for i := range terms {
		tm := term{
			base: int32(rapid.IntRange(-1, nb-1).Draw(t, "base")),
			endo: rapid.Bool().Draw(t, "endo"),
			neg:  rapid.Bool().Draw(t, "neg"),
		}
		switch rapid.IntRange(0, 4).Draw(t, "kind") {
		case 0:
			tm.k = shared // the same scalar again
		case 1:
			tm.k = limbs{rapid.Uint64Range(0, 3).Draw(t, "small")}
		default:
			tm.k = genLimbs().Draw(t, "k")
		}
		terms[i] = tm
	}
	return bases, terms
}

func TestStraussMatchesNaive(t *testing.T) {
	s := &scratch{}
	rapid.Check(t, func(t *rapid.T) {
		bases, terms := genTerms(t, 12)
		got, want := strauss(bases, terms, s), naiveMSM(bases, terms)
		if !samePoint(&got, &want) {
			t.Fatal("strauss != naive")
		}
	})
}

func TestPippengerMatchesNaive(t *testing.T) {
	s := &scratch{}
	rapid.Check(t, func(t *rapid.T) {
		bases, terms := genTerms(t, 40)
		got, want := pippenger(bases, terms, s), naiveMSM(bases, terms)
		if !samePoint(&got, &want) {
			t.Fatal("pippenger != naive")
		}
	})
}

// TestPippengerBucketCases drives the batched affine bucket additions
// through doubling (P + P), cancellation (P + (-P)) and conflicts (several
// additions to one bucket in one batch), with enough terms that batches
// fill up.
func TestPippengerBucketCases(t *testing.T) {
	s := &scratch{}
	p := pointOf(7)
	q := pointOf(11)
	bases := []affine{p, q}
	k := limbs{0x1234567890abcdef, 0xfedcba0987654321, 0, 0}
	cases := map[string][]term{}
	var dbl, cancel, mixed []term
	for i := 0; i < 300; i++ {
		dbl = append(dbl, term{base: 0, k: k})                      // same point, same digits: doublings
		cancel = append(cancel, term{base: 0, neg: i%2 == 1, k: k}) // P, -P, P, ...: bucket empties
		mixed = append(mixed, term{base: int32(i % 2), neg: i%3 == 0, endo: i%5 == 0, k: limbs{uint64(i)}})
	}
	cases["doubling"], cases["cancellation"], cases["mixed"] = dbl, cancel, mixed
	for name, terms := range cases {
		got, want := pippenger(bases, terms, s), naiveMSM(bases, terms)
		if !samePoint(&got, &want) {
			t.Errorf("%s: pippenger != naive", name)
		}
		got = strauss(bases, terms, s)
		if !samePoint(&got, &want) {
			t.Errorf("%s: strauss != naive", name)
		}
	}
	// The cancellation case sums to zero exactly: 150·kP - 150·kP.
	got := pippenger(bases, cases["cancellation"], s)
	if !isInfinity(&got) {
		t.Error("P - P over 300 terms is not infinity")
	}
}

// TestPippengerLarge compares the two methods on a realistic size (the
// naive oracle would be slow here): a thousand terms of 128-bit scalars
// over distinct points.
func TestPippengerLarge(t *testing.T) {
	s := &scratch{}
	bases := make([]affine, 1000)
	terms := make([]term, 1000)
	for i := range bases {
		bases[i] = pointOf(uint64(i*i + 3))
		terms[i] = term{base: int32(i), endo: i%3 == 0, neg: i%7 == 0, k: limbs{uint64(i) * 0x9e3779b97f4a7c15, uint64(i) ^ 0xdeadbeef}}
	}
	a := pippenger(bases, terms, s)
	b := strauss(bases, terms, s)
	if !sameJacobian(&a, &b) {
		t.Fatal("pippenger != strauss on 1000 terms")
	}
	if isInfinity(&a) {
		t.Fatal("unexpected infinity")
	}
}
