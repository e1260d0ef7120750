package bench

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"sort"
)

// Chart draws offered load against committed throughput and p99 latency, one
// point per run with a fixed rate (runs with --max are drawn as a dashed
// line at their committed throughput, labelled "max"), as a self-contained
// SVG for docs/benchmarks.md.
func Chart(title string, runs []*Summary) []byte {
	var fixed, maxRuns []*Summary
	for _, r := range runs {
		if r.OfferedTPS > 0 {
			fixed = append(fixed, r)
		} else {
			maxRuns = append(maxRuns, r)
		}
	}
	sort.Slice(fixed, func(i, j int) bool { return fixed[i].OfferedTPS < fixed[j].OfferedTPS })

	const (
		W, H                   = 760, 420
		left, right, top, bott = 70, 80, 50, 60
		pw, ph                 = W - left - right, H - top - bott
	)
	maxX, maxY, maxL := 1.0, 1.0, 1.0
	for _, r := range fixed {
		maxX = math.Max(maxX, r.OfferedTPS)
		maxY = math.Max(maxY, math.Max(r.CommittedTPS, r.OfferedTPS))
		maxL = math.Max(maxL, r.P99ms)
	}
	for _, r := range maxRuns {
		maxY = math.Max(maxY, r.CommittedTPS)
		maxL = math.Max(maxL, r.P99ms)
	}
	maxX, maxY, maxL = niceCeil(maxX), niceCeil(maxY), niceCeil(maxL)
	x := func(v float64) float64 { return left + v/maxX*pw }
	y := func(v float64) float64 { return top + ph - v/maxY*ph }
	yl := func(v float64) float64 { return top + ph - v/maxL*ph }

	var b bytes.Buffer
	f := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", W, H, W, H)
	f(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	f(`<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(title))
	// Grid and axes.
	for i := 0; i <= 5; i++ {
		gx, gy := left+float64(i)*pw/5, top+float64(i)*ph/5
		f(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>`+"\n", gx, top, gx, top+ph)
		f(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>`+"\n", left, gy, left+pw, gy)
		f(`<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", gx, top+ph+18, human(maxX*float64(i)/5))
		f(`<text x="%d" y="%.1f" text-anchor="end" fill="#1f6feb">%s</text>`+"\n", left-6, top+ph-float64(i)*ph/5+4, human(maxY*float64(i)/5))
		f(`<text x="%d" y="%.1f" fill="#cf222e">%s</text>`+"\n", left+pw+6, top+ph-float64(i)*ph/5+4, human(maxL*float64(i)/5))
	}
	f(`<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", left, top, pw, ph)
	f(`<text x="%d" y="%d" text-anchor="middle">offered load (transactions per second)</text>`+"\n", left+pw/2, H-18)
	f(`<text transform="translate(18,%d) rotate(-90)" text-anchor="middle" fill="#1f6feb">committed tx/s</text>`+"\n", top+ph/2)
	f(`<text transform="translate(%d,%d) rotate(90)" text-anchor="middle" fill="#cf222e">p99 latency (ms)</text>`+"\n", W-14, top+ph/2)
	// Ideal line: committed = offered.
	f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999" stroke-dasharray="3,3"/>`+"\n", x(0), y(0), x(math.Min(maxX, maxY)), y(math.Min(maxX, maxY)))
	line := func(pts [][2]float64, color string) {
		if len(pts) == 0 {
			return
		}
		f(`<polyline fill="none" stroke="%s" stroke-width="2" points="`, color)
		for _, p := range pts {
			f("%.1f,%.1f ", p[0], p[1])
		}
		f(`"/>` + "\n")
		for _, p := range pts {
			f(`<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`+"\n", p[0], p[1], color)
		}
	}
	var tp, lat [][2]float64
	for _, r := range fixed {
		tp = append(tp, [2]float64{x(r.OfferedTPS), y(r.CommittedTPS)})
		lat = append(lat, [2]float64{x(r.OfferedTPS), yl(r.P99ms)})
	}
	line(tp, "#1f6feb")
	line(lat, "#cf222e")
	for _, r := range maxRuns {
		f(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#1f6feb" stroke-dasharray="6,4"/>`+"\n", left, y(r.CommittedTPS), left+pw, y(r.CommittedTPS))
		f(`<text x="%d" y="%.1f" fill="#1f6feb">max: %s tx/s, p99 %s ms</text>`+"\n", left+8, y(r.CommittedTPS)-5, human(r.CommittedTPS), human(r.P99ms))
	}
	// Legend.
	f(`<g transform="translate(%d,%d)">`, left+pw-250, top+10)
	f(`<rect width="240" height="44" fill="white" stroke="#ccc"/>`)
	f(`<line x1="8" y1="14" x2="28" y2="14" stroke="#1f6feb" stroke-width="2"/><text x="34" y="18">committed throughput</text>`)
	f(`<line x1="8" y1="32" x2="28" y2="32" stroke="#cf222e" stroke-width="2"/><text x="34" y="36">p99 submission-to-commit latency</text>`)
	f("</g>\n</svg>\n")
	return b.Bytes()
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func human(v float64) string {
	if v >= 1000 && math.Mod(v, 1000) == 0 {
		return fmt.Sprintf("%.0fk", v/1000)
	}
	if v >= 1000 {
		return fmt.Sprintf("%.1fk", v/1000)
	}
	return fmt.Sprintf("%.0f", v)
}
