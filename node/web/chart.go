package web

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/qianchain/qianchain/node/view"
)

// The cold-chain chart is drawn from readings any member who may record
// trace events can write (one signed sensor report of 20000000000000000 °C
// is a legal EPCIS event), so its size and the time to draw it depend on
// the number of readings and never on their values:
//   - the value axis has at most chartTicks intervals (niceAxis);
//   - readings outside what a temperature sensor can report (physical) are
//     drawn at the chart's edge and flagged, so one faulty value neither
//     flattens the others nor widens the axis;
//   - with more than chartDots readings the line is thinned to the lowest
//     and highest reading of each of chartColumns columns, and dots and
//     labels give way to a few time ticks.
const (
	chartW, chartH                               = 600.0, 240.0
	chartLeft, chartRight, chartTop, chartBottom = 48.0, 20.0, 20.0, 40.0
	chartTicks                                   = 8
	chartDots                                    = 12
	chartColumns                                 = 266 // two pixels each
	chartTimeTicks                               = 5
	chartLabelMax                                = 24 // longer value strings are printed in %g
	plotW, plotH                                 = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	absoluteZeroC, hottestC                      = -273.15, 1000.0
	absoluteZeroF, hottestF                      = -459.67, 1832.0
	absoluteZeroK, hottestK                      = 0.0, 1273.15
)

// physical returns the range of values a temperature sensor can report in
// the UN/CEFACT unit uom: from absolute zero to 1,000 °C (no supply-chain
// sensor reads hotter). Readings in other units are held to the Celsius
// range.
func physical(uom string) (lo, hi float64) {
	switch uom {
	case "FAH":
		return absoluteZeroF, hottestF
	case "KEL":
		return absoluteZeroK, hottestK
	}
	return absoluteZeroC, hottestC
}

// outOfRange reports whether a reading's value is a number outside its
// unit's physical range; the page flags it in the readings table too.
func outOfRange(r view.Reading) bool {
	p, ok := parseReading(r)
	return ok && p.out != 0
}

// point is a reading the chart can draw.
type point struct {
	t   time.Time
	v   float64
	s   string // the value as recorded, for labels
	uom string
	out int // -1 below the physical range, +1 above, 0 inside
}

// parseReading parses a reading's time and value; ok is false for a
// reading the chart cannot place (no time, not a number). A number too
// large for a float64 is ±Inf and flagged like any out-of-range value.
func parseReading(r view.Reading) (point, bool) {
	t, err := time.Parse(time.RFC3339Nano, r.Time)
	if err != nil {
		return point{}, false
	}
	v, err := strconv.ParseFloat(r.Value, 64)
	if (err != nil && !errors.Is(err, strconv.ErrRange)) || math.IsNaN(v) {
		return point{}, false
	}
	p := point{t: t, v: v, s: r.Value, uom: r.UOM}
	if len(p.s) > chartLabelMax {
		p.s = strconv.FormatFloat(v, 'g', 6, 64)
	}
	switch lo, hi := physical(r.UOM); {
	case v < lo:
		p.out = -1
	case v > hi:
		p.out = 1
	}
	return p, true
}

// chart draws temperature readings as an inline SVG line chart. It is
// drawn on the server so the page needs no script; a table beside it
// carries the same numbers for screen readers.
func chart(rs []view.Reading) template.HTML {
	var pts []point
	for _, r := range rs {
		if p, ok := parseReading(r); ok {
			pts = append(pts, p)
		}
	}
	if len(pts) == 0 {
		return ""
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].t.Before(pts[j].t) })
	ax := valueAxis(pts)
	t0, t1 := pts[0].t, pts[len(pts)-1].t
	span := seconds(t1, t0)
	x := func(t time.Time) float64 {
		if !(span > 0) {
			return chartLeft + plotW/2
		}
		return chartLeft + seconds(t, t0)/span*plotW
	}
	y := func(p point) float64 {
		switch {
		case p.out > 0:
			return chartTop
		case p.out < 0:
			return chartTop + plotH
		}
		yy := chartTop + (ax.end()-p.v)/(ax.end()-ax.start)*plotH
		return math.Min(math.Max(yy, chartTop), chartTop+plotH)
	}
	lo, hi, flagged := pts[0].v, pts[0].v, 0
	for _, p := range pts {
		lo, hi = math.Min(lo, p.v), math.Max(hi, p.v)
		if p.out != 0 {
			flagged++
		}
	}
	unit := unitOf(pts[0])

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH)
	fmt.Fprintf(&b, `<title id="chart-title">冷链温度 Cold-chain temperature</title><desc id="chart-desc">%d readings from %s to %s %s`,
		len(pts), number(lo), number(hi), template.HTMLEscapeString(unit))
	if flagged > 0 {
		plo, phi := physical(pts[0].uom)
		fmt.Fprintf(&b, `; %d outside the physical range %s to %s %s, drawn at the edge`, flagged, number(plo), number(phi), template.HTMLEscapeString(unit))
	}
	b.WriteString(`</desc>`)
	for i := 0; i <= ax.n; i++ {
		v := ax.tick(i)
		yv := y(point{v: v})
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, chartLeft, chartW-chartRight, yv, yv)
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="end">%s°</text>`, chartLeft-6, yv+4, ax.label(v))
	}
	if len(pts) <= chartDots {
		drawDots(&b, pts, x, y)
	} else {
		drawThinned(&b, pts, x, y)
	}
	if flagged > 0 {
		fmt.Fprintf(&b, `<text class="flag" x="%.1f" y="%.1f">⚠ %d 个读数超出量程 <tspan lang="en">%d out of range</tspan></text>`, chartLeft+4, chartTop-6, flagged, flagged)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from numbers and escaped strings only
}

// valueAxis is the axis over the readings inside the physical range (over
// all of them, held to the range, when none is inside), padded by a degree
// each side and at least four degrees tall, as the chart always was.
func valueAxis(pts []point) axis {
	lo, hi, found := 0.0, 0.0, false
	for _, p := range pts {
		if p.out != 0 {
			continue
		}
		if !found || p.v < lo {
			lo = p.v
		}
		if !found || p.v > hi {
			hi = p.v
		}
		found = true
	}
	if !found {
		plo, phi := physical(pts[0].uom)
		lo, hi = phi, plo
		for _, p := range pts {
			v := math.Min(math.Max(p.v, plo), phi)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	lo, hi = math.Floor(lo)-1, math.Ceil(hi)+1
	if hi-lo < 4 {
		hi = lo + 4
	}
	return niceAxis(lo, hi, chartTicks)
}

// drawDots draws a few readings: the line, a dot and the value over each
// (a triangle at the edge for a flagged one), and the time under each.
func drawDots(b *strings.Builder, pts []point, x func(time.Time) float64, y func(point) float64) {
	var line strings.Builder
	for i, p := range pts {
		if i > 0 {
			line.WriteByte(' ')
		}
		fmt.Fprintf(&line, "%.1f,%.1f", x(p.t), y(p))
	}
	fmt.Fprintf(b, `<polyline class="temp" points="%s"/>`, line.String())
	for _, p := range pts {
		px, py := x(p.t), y(p)
		label := template.HTMLEscapeString(p.s) + " " + template.HTMLEscapeString(unitOf(p))
		if p.out != 0 {
			flag(b, px, p.out)
			fmt.Fprintf(b, `<text class="val out" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, px, flagLabelY(p.out), label)
		} else {
			fmt.Fprintf(b, `<circle class="dot" cx="%.1f" cy="%.1f" r="5"/>`, px, py)
			fmt.Fprintf(b, `<text class="val" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, px, py-10, label)
		}
		fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, px, chartH-chartBottom+22, p.t.Format("15:04"))
	}
}

// drawThinned draws many readings: per column of the plot the lowest and
// highest reading, in time order, and a flag per column that holds a
// flagged reading; time ticks instead of a time per reading.
func drawThinned(b *strings.Builder, pts []point, x func(time.Time) float64, y func(point) float64) {
	type column struct {
		lo, hi   int // indexes into pts
		up, down bool
	}
	cols := make([]column, chartColumns)
	used := make([]bool, chartColumns)
	for i, p := range pts {
		c := int((x(p.t) - chartLeft) / plotW * (chartColumns - 1))
		c = min(max(c, 0), chartColumns-1)
		col := &cols[c]
		if !used[c] {
			*col, used[c] = column{lo: i, hi: i}, true
		}
		if y(p) > y(pts[col.lo]) {
			col.lo = i
		}
		if y(p) < y(pts[col.hi]) {
			col.hi = i
		}
		col.up = col.up || p.out > 0
		col.down = col.down || p.out < 0
	}
	var line strings.Builder
	for c := range cols {
		if !used[c] {
			continue
		}
		first, second := cols[c].lo, cols[c].hi
		if second < first {
			first, second = second, first
		}
		for _, i := range []int{first, second} {
			if line.Len() > 0 {
				line.WriteByte(' ')
			}
			fmt.Fprintf(&line, "%.1f,%.1f", x(pts[i].t), y(pts[i]))
			if first == second {
				break
			}
		}
	}
	fmt.Fprintf(b, `<polyline class="temp" points="%s"/>`, line.String())
	for c := range cols {
		if cols[c].up {
			flag(b, x(pts[cols[c].hi].t), 1)
		}
		if cols[c].down {
			flag(b, x(pts[cols[c].lo].t), -1)
		}
	}
	t0, span := pts[0].t, seconds(pts[len(pts)-1].t, pts[0].t)
	layout := "15:04"
	if span > 24*3600 {
		layout = "2006-01-02"
	}
	for i := 0; i <= chartTimeTicks; i++ {
		t := time.Unix(t0.Unix()+int64(float64(i)/chartTimeTicks*span), 0).In(t0.Location())
		fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`,
			chartLeft+float64(i)/chartTimeTicks*plotW, chartH-chartBottom+22, t.Format(layout))
	}
}

// flag draws a triangle at the top (dir > 0) or bottom edge pointing past it.
func flag(b *strings.Builder, x float64, dir int) {
	tip, base := chartTop-2, chartTop+8
	if dir < 0 {
		tip, base = chartTop+plotH+2, chartTop+plotH-8
	}
	fmt.Fprintf(b, `<path class="out" d="M%.1f %.1fL%.1f %.1fL%.1f %.1fZ"/>`, x, tip, x+6, base, x-6, base)
}

func flagLabelY(dir int) float64 {
	if dir > 0 {
		return chartTop + 22
	}
	return chartTop + plotH - 14
}

// unitOf is how a reading's unit is printed; a reading that names none is
// in degrees Celsius, as the chart always assumed.
func unitOf(p point) string {
	if p.uom == "" {
		return "°C"
	}
	return uom(p.uom)
}

// seconds is t - t0 in seconds, without time.Duration's ±292-year limit.
func seconds(t, t0 time.Time) float64 {
	return float64(t.Unix()-t0.Unix()) + float64(t.Nanosecond()-t0.Nanosecond())/1e9
}

// number prints a value as recorded when it is an ordinary number, and in
// %g beyond, so a value of 1e300 does not print as 301 digits.
func number(v float64) string {
	if math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}
