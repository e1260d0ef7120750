package web

import (
	"testing"
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
