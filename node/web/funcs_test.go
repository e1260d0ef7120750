package web

import (
	"strings"
	"testing"

	"github.com/qianchain/qianchain/node/view"
)

func TestTemplateFuncs(t *testing.T) {
	if got := when("2025-03-24T09:30:00+08:00"); got != "2025-03-24 09:30 (UTC+08:00)" {
		t.Fatal(got)
	}
	if got := when("2025-03-24T01:30:00Z"); got != "2025-03-24 01:30 (UTC)" {
		t.Fatal(got)
	}
	if got := when("2025-03-24T01:30:00-03:30"); got != "2025-03-24 01:30 (UTC-03:30)" {
		t.Fatal(got)
	}
	if got := blockTimeCST("2026-11-25T21:00:00.5Z"); got != "2026-11-26 05:00:00 (UTC+08:00)" {
		t.Fatal(got)
	}
	if got := utc("2026-11-25T21:00:00.5+01:00"); got != "2026-11-25 20:00:00 UTC" {
		t.Fatal(got)
	}
	name := "都匀毛尖 特级 250克罐装 (Duyun Maojian green tea, special grade, 250 g tin)"
	if zhPart(name) != "都匀毛尖 特级 250克罐装" || enPart(name) != "Duyun Maojian green tea, special grade, 250 g tin" {
		t.Fatal(zhPart(name), "|", enPart(name))
	}
	if zhPart("摆桑") != "摆桑" || enPart("摆桑") != "" {
		t.Fatal("a name without a gloss")
	}
	if percent(30, 40) != "75" || percent(1, 0) != "0" {
		t.Fatal(percent(30, 40))
	}
}

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
