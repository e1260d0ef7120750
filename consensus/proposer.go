package consensus

import (
	"math/bits"

	"github.com/qianchain/qianchain/ledger"
)

// weylStep is 2^64 divided by the golden ratio, rounded to odd. Multiples of
// it modulo 2^64 are the Weyl sequence frac(k/φ) in fixed point: the most
// evenly spread sequence of points there is (the three-gap theorem bounds the
// gaps between returns to any interval).
const weylStep = 0x9E3779B97F4A7C15

// Proposer returns the index of the proposer of height h, round r.
//
// The rule, deterministic from (validator set, height, round) and weighted by
// voting power:
//
//	k     = h + r                          (mod 2^64)
//	x     = k * 0x9E3779B97F4A7C15         (mod 2^64)
//	point = floor(x * T / 2^64)            (T = total power; 0 <= point < T)
//
// and the proposer is the validator whose slice of [0, T) contains point,
// the slices laid out in index order, validator i owning
// [sum of powers before i, sum of powers up to and including i).
//
// So each validator proposes a share of slots equal to its share of power,
// spread evenly (a validator with a tenth of the power proposes about every
// tenth slot, never in long runs), and the proposer of round r+1 at height h
// is the proposer of round r at height h+1: a failed round shifts the
// schedule by one slot rather than repeating a proposer.
func Proposer(vals *ledger.ValidatorSet, height uint64, round uint32) int {
	k := height + uint64(round)
	x := k * weylStep
	hi, _ := bits.Mul64(x, vals.TotalPower())
	var cum uint64
	for i, v := range vals.Validators {
		cum += v.Power
		if hi < cum {
			return i
		}
	}
	return vals.Size() - 1 // unreachable: hi < T
}
