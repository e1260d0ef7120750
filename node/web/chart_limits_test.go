package web

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/node/view"
)

// The chart draws one point per valid reading and ignores the rest; it
// escapes what it prints.
func TestChart(t *testing.T) {
	rs := []view.Reading{
		{Time: "2025-03-27T10:00:00+08:00", Type: "Temperature", Value: "3.8", UOM: "CEL"},
		{Time: "2025-03-27T11:30:00+08:00", Type: "Temperature", Value: "4.1", UOM: "CEL"},
		{Time: "not a time", Value: "9"},
		{Time: "2025-03-27T12:00:00+08:00", Value: "NaN"},
		{Time: "2025-03-27T13:00:00+08:00", Type: "Temperature", Value: "-4.6", UOM: "CEL"},
	}
	svg := string(chart(rs))
	if strings.Count(svg, "<circle") != 3 || !strings.Contains(svg, "-4.6 °C") || !strings.Contains(svg, `role="img"`) {
		t.Fatalf("%s", svg)
	}
	if chart(nil) != "" || chart(rs[2:4]) != "" {
		t.Fatal("a chart of nothing")
	}
	one := string(chart(rs[:1]))
	if strings.Count(one, "<circle") != 1 {
		t.Fatal(one)
	}
}

// decimal is a sensor value as the chain stores and the view prints it:
// whatever EPCIS's decoder admits, through its one canonical form.
func decimal(t *testing.T, s string) string {
	t.Helper()
	d, err := epcis.ParseDecimal(s)
	if err != nil {
		t.Fatalf("the EPCIS decoder refuses %s: %v", s, err)
	}
	return d.String()
}

func readingsOf(values ...string) []view.Reading {
	base := time.Date(2025, 3, 27, 10, 0, 0, 0, time.FixedZone("", 8*3600))
	var rs []view.Reading
	for i, v := range values {
		rs = append(rs, view.Reading{Time: base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339), Type: "Temperature", Value: v, UOM: "CEL"})
	}
	return rs
}

// Whatever the readings' values, the chart is drawn in bounded time and
// size: a value axis of at most chartTicks+1 grid lines, a line of at most
// two points per column, and a few hundred bytes per dot. Before the
// nice-numbers axis, a value of 2e16 never finished (beyond 2^53 `v +=
// step` does not move) and 0 to 1e8 wrote twenty million grid lines.
//
// A goroutine cannot be stopped from outside, so each chart is drawn on
// one and the test fails, and stops, at the first that misses the
// deadline: a hang is a failure of this test, not a timeout of the run.
// The deadline is hundreds of times what a chart takes.
func TestChartBoundedWhateverTheValues(t *testing.T) {
	many := make([]string, 10000)
	for i := range many {
		switch i % 1000 {
		case 17:
			many[i] = "20000000000000000"
		case 400:
			many[i] = "-9223372036854775808"
		default:
			many[i] = strconv.FormatFloat(2+4*math.Sin(float64(i)/50), 'f', 1, 64)
		}
	}
	cases := []struct {
		name    string
		rs      []view.Reading
		flagged int
	}{
		{"none", nil, 0},
		{"one", readingsOf("3.8"), 0},
		{"equal", readingsOf("4.1", "4.1", "4.1", "4.1"), 0},
		{"zero", readingsOf(decimal(t, "-0"), decimal(t, "0e5")), 0},
		{"1e300", readingsOf("3.8", "1e300"), 1},
		{"-1e300", readingsOf("3.8", "-1e300"), 1},
		{"±1e300", readingsOf("1e300", "-1e300"), 2},
		{"1e400 (Inf)", readingsOf("3.8", "1e400"), 1},
		{"2e16", readingsOf("3.8", "2e16"), 1},
		{"20000000000000000", readingsOf(decimal(t, "20000000000000000")), 1},
		{"2E16 as decoded", readingsOf("4.1", decimal(t, "2E16")), 1},
		{"0 to 1e8", readingsOf("0", "100000000"), 1},
		{"int64 extremes", readingsOf(decimal(t, "9223372036854775807"), decimal(t, "-9223372036854775808")), 2},
		{"1e18", readingsOf(decimal(t, "1E18"), "3.8"), 1},
		{"smallest steps", readingsOf(decimal(t, "0.000000000000000001"), decimal(t, "-1e-18"), decimal(t, "9.223372036854775807")), 0},
		{"below absolute zero", readingsOf("-273.16", "-273.15", "-40"), 1},
		{"just inside", readingsOf("999.9", "-273.15"), 0},
		{"10,000 readings", readingsOf(many...), 20},
	}
	for _, c := range cases {
		done := make(chan string, 1)
		go func() { done <- string(chart(c.rs)) }()
		var svg string
		select {
		case svg = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the chart of %d readings was not drawn in 10 s", c.name, len(c.rs))
		}
		if len(c.rs) == 0 {
			if svg != "" {
				t.Errorf("%s: a chart of nothing: %s", c.name, svg)
			}
			continue
		}
		if len(svg) > 64<<10 {
			t.Errorf("%s: %d bytes of chart", c.name, len(svg))
		}
		if n := strings.Count(svg, `<line class="grid"`); n < 2 || n > chartTicks+1 {
			t.Errorf("%s: %d grid lines", c.name, n)
		}
		if pts := polylinePoints(t, svg); len(pts) > 2*chartColumns {
			t.Errorf("%s: %d points in the line", c.name, len(pts))
		}
		for _, n := range regexp.MustCompile(`-?[0-9.]+(e[+-]?[0-9]+)?`).FindAllString(attrs(svg), -1) {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil || v < -1 || v > chartW+1 {
				t.Errorf("%s: a coordinate %s outside the chart", c.name, n)
				break
			}
		}
		flagged := strings.Count(svg, `class="val out"`)
		if len(c.rs) > chartDots {
			flagged = c.flagged
			if c.flagged > 0 && !strings.Contains(svg, `class="out"`) {
				t.Errorf("%s: no flag on the thinned chart", c.name)
			}
		}
		if flagged != c.flagged || (c.flagged > 0) != strings.Contains(svg, fmt.Sprintf("⚠ %d ", c.flagged)) {
			t.Errorf("%s: %d readings flagged, want %d:\n%s", c.name, flagged, c.flagged, svg)
		}
	}
}

// polylinePoints returns the line's "x,y" pairs.
func polylinePoints(t *testing.T, svg string) []string {
	t.Helper()
	m := regexp.MustCompile(`<polyline class="temp" points="([^"]*)"`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no line: %s", svg)
	}
	return strings.Fields(m[1])
}

// attrs returns the chart's coordinate attributes (x, y, cx, cy, x1, …,
// points, d), joined.
func attrs(svg string) string {
	var b strings.Builder
	for _, m := range regexp.MustCompile(` (?:x|y|cx|cy|x1|x2|y1|y2|points|d)="([^"]*)"`).FindAllStringSubmatch(svg, -1) {
		b.WriteString(strings.NewReplacer("M", " ", "L", " ", "Z", " ", ",", " ").Replace(m[1]))
		b.WriteByte(' ')
	}
	return b.String()
}

// The demo's axis: 3.8 to 4.6 °C, padded to 2 to 6, ticks a degree apart.
func TestNiceAxisExamples(t *testing.T) {
	for _, c := range []struct {
		lo, hi           float64
		start, step, end float64
	}{
		{2, 6, 2, 1, 6},
		{-1, 3, -1, 1, 3},
		{0, 100000001, 0, 20000000, 120000000},
		{-274, 1001, -500, 500, 1500},
		{0.1, 0.35, 0.1, 0.05, 0.35},
	} {
		a := niceAxis(c.lo, c.hi, chartTicks)
		if a.start != c.start || a.step != c.step || a.end() != c.end {
			t.Errorf("niceAxis(%v, %v) = %v..%v step %v, want %v..%v step %v", c.lo, c.hi, a.start, a.end(), a.step, c.start, c.end, c.step)
		}
	}
	if l := niceAxis(0.1, 0.35, chartTicks); l.label(l.tick(4)) != "0.30" {
		t.Errorf("label %q", l.label(l.tick(4)))
	}
}

// For any finite range the axis covers it, with at most the intervals
// asked for and a step of 1, 2 or 5 times a power of ten.
func TestNiceAxisProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lo := rapid.Float64Range(-1e12, 1e12).Draw(t, "lo")
		hi := lo + rapid.Float64Range(1e-6, 1e12).Draw(t, "span")
		max := rapid.IntRange(3, 20).Draw(t, "max")
		if !(hi > lo) {
			t.Skip("no span at this magnitude")
		}
		a := niceAxis(lo, hi, max)
		if a.n < 1 || a.n > max {
			t.Fatalf("%d intervals, at most %d", a.n, max)
		}
		slack := 1e-9 * math.Max(math.Abs(lo), math.Abs(hi))
		if a.start > lo+slack || a.end() < hi-slack {
			t.Fatalf("%v..%v does not cover %v..%v", a.start, a.end(), lo, hi)
		}
		f := a.step / math.Pow(10, math.Floor(math.Log10(a.step)+1e-9))
		if math.Abs(f-1) > 1e-9 && math.Abs(f-2) > 1e-9 && math.Abs(f-5) > 1e-9 {
			t.Fatalf("step %v is not nice", a.step)
		}
	})
}
