package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/qianchain/qianchain/contracts/demo"
)

// The demo lot's cold-chain chart, as the devnet's page draws it, is the
// one in testdata/demo-chart.svg, byte for byte: changes to the chart's
// axis or its guards must not change how the demo looks. With
// QIAN_UPDATE_GOLDEN=1 the test rewrites the file (for a deliberate
// change of the chart's look, to be reviewed like any other).
func TestDemoChartUnchanged(t *testing.T) {
	needNet(t)
	status, _, body := fetch(t, demo.DemoLot.Path(), "text/html")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	svg := regexp.MustCompile(`(?s)<svg class="chart".*?</svg>`).FindString(body)
	if svg == "" {
		t.Fatal("the demo lot's page has no cold-chain chart")
	}
	golden := filepath.Join("testdata", "demo-chart.svg")
	if os.Getenv("QIAN_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(golden, []byte(svg+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if svg+"\n" != string(want) {
		t.Fatalf("the demo lot's chart changed:\n got %s\nwant %s", svg, want)
	}
}
