package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/view"
)

var funcs = template.FuncMap{
	"short":      short,
	"when":       when,
	"blocktime":  blockTimeCST,
	"utc":        utc,
	"chart":      chart,
	"zh":         zhPart,
	"en":         enPart,
	"uom":        uom,
	"percent":    percent,
	"add":        func(a, b int) int { return a + b },
	"prev":       func(h uint64) uint64 { return h - 1 },
	"join":       strings.Join,
	"hasPrefix":  strings.HasPrefix,
	"deref":      func(h *ledger.Hash) ledger.Hash { return *h },
	"steplabel":  stepLabel,
	"indexes":    indexes,
	"rolelabel":  roleLabel,
	"certsha":    certSHA,
	"detailname": detailName,
}

// short abbreviates a hash for display (the full value is in the title
// attribute and the link).
func short(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 16 {
		return s[:8] + "…" + s[len(s)-8:]
	}
	return s
}

// when shows an RFC 3339 event time as local wall time with its offset:
// 2025-03-24 09:30 (UTC+08:00).
func when(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	_, off := t.Zone()
	zone := "UTC"
	if off != 0 {
		zone = fmt.Sprintf("UTC%+03d:%02d", off/3600, (abs(off)%3600)/60)
	}
	return t.Format("2006-01-02 15:04") + " (" + zone + ")"
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

var cst = time.FixedZone("UTC+08:00", 8*3600)

// blockTimeCST shows a block time in China Standard Time, to the second.
func blockTimeCST(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.In(cst).Format("2006-01-02 15:04:05") + " (UTC+08:00)"
}

// utc shows a block time in UTC to the second.
func utc(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

// zhPart and enPart split the project's bilingual names, "中文 (English)".
func zhPart(s string) string {
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		return s[:i]
	}
	return s
}

func enPart(s string) string {
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		return s[i+2 : len(s)-1]
	}
	return ""
}

func uom(code string) string {
	switch code {
	case "KGM":
		return "kg"
	case "CEL":
		return "°C"
	case "P1":
		return "%"
	case "GRM":
		return "g"
	}
	return code
}

func percent(a, b uint64) string {
	if b == 0 {
		return "0"
	}
	return strconv.FormatFloat(float64(a)*100/float64(b), 'f', 0, 64)
}

func stepLabel(step string) string {
	switch step {
	case "harvest":
		return "采"
	case "processing":
		return "制"
	case "inspection":
		return "检"
	case "packing":
		return "装"
	case "shipping":
		return "运"
	case "receiving":
		return "收"
	case "transport":
		return "冷"
	case "unpacking":
		return "拆"
	case "sale":
		return "售"
	case "recall":
		return "召"
	}
	return "记"
}

func roleLabel(r string) string {
	switch r {
	case "farm":
		return "茶园 Farm"
	case "cooperative":
		return "合作社 Co-op"
	case "processor":
		return "加工厂 Processor"
	case "logistics":
		return "冷链物流 Logistics"
	case "retailer":
		return "零售 Retailer"
	case "inspector":
		return "检测机构 Inspector"
	case "regulator":
		return "监管 Regulator"
	case "data_exchange":
		return "数据交易所 Data exchange"
	case "auditor":
		return "审计 Auditor"
	}
	return r
}

func detailName(n string) string {
	switch n {
	case "qian:variety":
		return "品种 Variety"
	case "qian:pluckingStandard":
		return "采摘标准 Plucking standard"
	case "qian:altitudeMetres":
		return "海拔（米） Altitude (m)"
	case "qian:grade":
		return "等级 Grade"
	case "qian:process":
		return "工艺 Process"
	case "cbvmda:bestBeforeDate":
		return "保质期至 Best before"
	case "qian:test":
		return "检测项目 Test"
	case "qian:result":
		return "结果 Result"
	case "qian:recallNotice":
		return "召回公告 Recall notice"
	}
	return n
}

// indexes renders validator indexes as "#0, #1, #3".
func indexes(is []int) string {
	var parts []string
	for _, i := range is {
		parts = append(parts, "#"+strconv.Itoa(i))
	}
	return strings.Join(parts, ", ")
}

func certSHA(c view.Certificate) string {
	if c.SHA256 == nil {
		return ""
	}
	return c.SHA256.String()
}

// chart draws temperature readings as an inline SVG line chart. It is
// drawn on the server so the page needs no script; a table beside it
// carries the same numbers for screen readers.
func chart(rs []view.Reading) template.HTML {
	type pt struct {
		t time.Time
		v float64
		s string
	}
	var pts []pt
	for _, r := range rs {
		t, err := time.Parse(time.RFC3339Nano, r.Time)
		if err != nil {
			continue
		}
		v, err := strconv.ParseFloat(r.Value, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		pts = append(pts, pt{t, v, r.Value})
	}
	if len(pts) == 0 {
		return ""
	}
	const W, H, left, right, top, bottom = 600.0, 240.0, 48.0, 20.0, 20.0, 40.0
	lo, hi := pts[0].v, pts[0].v
	t0, t1 := pts[0].t, pts[0].t
	for _, p := range pts {
		lo, hi = math.Min(lo, p.v), math.Max(hi, p.v)
		if p.t.Before(t0) {
			t0 = p.t
		}
		if p.t.After(t1) {
			t1 = p.t
		}
	}
	lo, hi = math.Floor(lo)-1, math.Ceil(hi)+1
	if hi-lo < 4 {
		hi = lo + 4
	}
	x := func(t time.Time) float64 {
		if !t1.After(t0) {
			return left + (W-left-right)/2
		}
		return left + float64(t.Sub(t0))/float64(t1.Sub(t0))*(W-left-right)
	}
	y := func(v float64) float64 { return top + (hi-v)/(hi-lo)*(H-top-bottom) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">`, W, H)
	fmt.Fprintf(&b, `<title id="chart-title">冷链温度 Cold-chain temperature</title><desc id="chart-desc">%d readings from %s to %s °C</desc>`,
		len(pts), strconv.FormatFloat(minOf(pts, func(p pt) float64 { return p.v }), 'f', -1, 64), strconv.FormatFloat(maxOf(pts, func(p pt) float64 { return p.v }), 'f', -1, 64))
	step := 1.0
	if hi-lo > 10 {
		step = 5
	}
	for v := lo; v <= hi+1e-9; v += step {
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, left, W-right, y(v), y(v))
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="end">%s°</text>`, left-6, y(v)+4, strconv.FormatFloat(v, 'f', -1, 64))
	}
	var line strings.Builder
	for i, p := range pts {
		if i > 0 {
			line.WriteByte(' ')
		}
		fmt.Fprintf(&line, "%.1f,%.1f", x(p.t), y(p.v))
	}
	fmt.Fprintf(&b, `<polyline class="temp" points="%s"/>`, line.String())
	for _, p := range pts {
		fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="5"/>`, x(p.t), y(p.v))
		fmt.Fprintf(&b, `<text class="val" x="%.1f" y="%.1f" text-anchor="middle">%s °C</text>`, x(p.t), y(p.v)-10, template.HTMLEscapeString(p.s))
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x(p.t), H-bottom+22, p.t.Format("15:04"))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from numbers and escaped strings only
}

func minOf[T any](xs []T, f func(T) float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = math.Min(m, f(x))
	}
	return m
}

func maxOf[T any](xs []T, f func(T) float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, f(x))
	}
	return m
}
