package bench

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
)

func TestChartIsWellFormedSVG(t *testing.T) {
	runs := []*Summary{
		{OfferedTPS: 1000, CommittedTPS: 1000, P99ms: 420},
		{OfferedTPS: 3000, CommittedTPS: 2950, P99ms: 1200},
		{OfferedTPS: 2000, CommittedTPS: 2000, P99ms: 700},
		{OfferedTPS: 0, CommittedTPS: 3400, P99ms: 2100},
	}
	svg := Chart("4 validators <loopback>", runs)
	d := xml.NewDecoder(strings.NewReader(string(svg)))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("not well-formed XML: %v", err)
		}
	}
	s := string(svg)
	if strings.Count(s, "<polyline") != 2 || !strings.Contains(s, "max: 3.4k tx/s") || !strings.Contains(s, "&lt;loopback&gt;") {
		t.Fatalf("chart lacks its parts:\n%s", s)
	}
	// Points are drawn in order of offered load.
	pts := s[strings.Index(s, `points="`)+len(`points="`):]
	pts = pts[:strings.Index(pts, `"`)]
	last := -1.0
	for _, p := range strings.Fields(pts) {
		var x, y float64
		if _, err := fmt.Sscanf(p, "%f,%f", &x, &y); err != nil {
			t.Fatal(err)
		}
		if x <= last {
			t.Fatalf("points not in order of offered load: %s", pts)
		}
		last = x
	}
}
