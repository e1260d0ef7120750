package bench

import (
	"strings"
	"testing"
)

func TestRowsMedianAndWorst(t *testing.T) {
	run := func(label string, tps, p99, cpu, rss float64) *Summary {
		return &Summary{Label: label, CommittedTPS: tps, P99ms: p99,
			Costs: []NodeCost{{CPUusPerTx: cpu, PeakRSS: rss, DiskBytes: 600, ChainTxs: 1}, {CPUusPerTx: cpu + 2, PeakRSS: rss / 2, DiskBytes: 400, ChainTxs: 1}}}
	}
	rows := Rows([]*Summary{
		run("target", 4000, 1200, 100, 250<<20), run("other", 10, 1, 1, 1), run("target", 3900, 1400, 110, 260<<20), run("target", 4100, 900, 90, 240<<20),
	})
	if len(rows) != 2 || rows[0].Label != "target" || rows[0].Runs != 3 {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0]
	if r.TPS != 4000 || r.TPSWorst != 3900 || r.P99 != 1200 || r.P99Worst != 1400 {
		t.Errorf("throughput %v (%v), p99 %v (%v): want 4000 (3900), 1200 (1400)", r.TPS, r.TPSWorst, r.P99, r.P99Worst)
	}
	if r.CPU != 101 || r.CPUWorst != 111 || r.PeakRSS != 250<<20 || r.PeakRSSWorst != 260<<20 || r.DiskPerTx != 500 {
		t.Errorf("CPU %v (%v), RSS %v (%v), disk %v", r.CPU, r.CPUWorst, r.PeakRSS, r.PeakRSSWorst, r.DiskPerTx)
	}
	var b strings.Builder
	if err := WriteTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| 4,000 (3,900)") || !strings.Contains(b.String(), "| 250 (260)") {
		t.Errorf("table:\n%s", b.String())
	}
}
