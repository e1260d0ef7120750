package web

import (
	"math"
	"strconv"
)

// axis is a linear value axis with ticks at start, start+step, …,
// start+n·step. Ticks are computed from the range, never by stepping a
// value until it passes the end: beyond 2^53 `v += step` stops moving, and
// a fixed step over a wide range writes millions of grid lines.
type axis struct {
	start, step float64
	n           int // intervals; there are n+1 ticks
}

// niceAxis returns the axis covering [lo, hi] whose step is 1, 2 or 5
// times a power of ten (Heckbert's "nice numbers", as plotting libraries
// draw them), with at most maxIntervals intervals. The caller passes
// finite lo < hi and maxIntervals >= 3; anything else gets a one-interval
// axis from lo, so a caller's mistake draws a poor chart, not a hang.
//
// The step is the nice number at or above span/(maxIntervals-2): rounding
// start down and the end up to multiples of the step adds less than one
// step on each side, so the intervals never exceed maxIntervals.
func niceAxis(lo, hi float64, maxIntervals int) axis {
	span := hi - lo
	if maxIntervals < 3 || !(span > 0) || math.IsInf(span, 0) || math.IsNaN(lo) {
		return axis{start: lo, step: 1, n: 1}
	}
	step := niceStep(span / float64(maxIntervals-2))
	start := math.Floor(lo/step) * step
	n := int(math.Ceil(hi/step) - math.Floor(lo/step))
	if n < 1 {
		n = 1
	}
	if n > maxIntervals { // only by a rounding error; the bound above says no
		n = maxIntervals
	}
	return axis{start: start, step: step, n: n}
}

// niceStep returns the smallest of 1, 2, 5 or 10 times a power of ten that
// is at least raw (raw > 0 and finite).
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / mag; {
	case f <= 1:
		return mag
	case f <= 2:
		return 2 * mag
	case f <= 5:
		return 5 * mag
	}
	return 10 * mag
}

func (a axis) end() float64 { return a.start + float64(a.n)*a.step }

// tick returns the i-th tick's value.
func (a axis) tick(i int) float64 { return a.start + float64(i)*a.step }

// label prints a tick with as many decimals as the step needs (0.1 steps
// print 0.3, not 0.30000000000000004).
func (a axis) label(v float64) string {
	decimals := 0
	if a.step < 1 {
		decimals = int(math.Ceil(-math.Log10(a.step) - 1e-9))
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
