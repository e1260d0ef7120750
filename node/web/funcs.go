package web

import (
	"fmt"
	"html/template"
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
	"outofrange": outOfRange,
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
