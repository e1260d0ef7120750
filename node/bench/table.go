package bench

import (
	"fmt"
	"io"
	"math"
	"sort"
	"text/tabwriter"
)

// Row is one target of a benchmark across its repeated runs: the median of
// each figure and its worst (the lowest throughput, the highest latency,
// CPU, memory and disk), as the targets are stated.
type Row struct {
	Label                   string
	Runs                    int
	TPS, TPSWorst           float64
	P50, P50Worst           float64 // ms
	P99, P99Worst           float64 // ms
	CPU, CPUWorst           float64 // µs per committed transaction, mean over nodes
	PeakRSS, PeakRSSWorst   float64 // bytes, the highest node
	DiskPerTx, DiskPerTxMax float64 // bytes on disk per transaction the chain holds, mean over nodes
	Rejected                int     // transactions refused, all runs
}

// Rows groups summaries by label (in the order labels first appear) and
// takes medians and worsts.
func Rows(runs []*Summary) []Row {
	var order []string
	by := map[string][]*Summary{}
	for _, s := range runs {
		l := s.Label
		if l == "" {
			l = fmt.Sprintf("%s, %s offered, %d per request", s.Kind, offered(s), s.Batch)
		}
		if _, ok := by[l]; !ok {
			order = append(order, l)
		}
		by[l] = append(by[l], s)
	}
	var rows []Row
	for _, l := range order {
		ss := by[l]
		r := Row{Label: l, Runs: len(ss)}
		col := func(f func(*Summary) float64) []float64 {
			out := make([]float64, 0, len(ss))
			for _, s := range ss {
				out = append(out, f(s))
			}
			return out
		}
		r.TPS, r.TPSWorst = median(col(func(s *Summary) float64 { return s.CommittedTPS })), minOf(col(func(s *Summary) float64 { return s.CommittedTPS }))
		r.P50, r.P50Worst = median(col(func(s *Summary) float64 { return s.P50ms })), maxOf(col(func(s *Summary) float64 { return s.P50ms }))
		r.P99, r.P99Worst = median(col(func(s *Summary) float64 { return s.P99ms })), maxOf(col(func(s *Summary) float64 { return s.P99ms }))
		r.CPU, r.CPUWorst = median(col((*Summary).MeanCPUusPerTx)), maxOf(col((*Summary).MeanCPUusPerTx))
		r.PeakRSS, r.PeakRSSWorst = median(col((*Summary).MaxPeakRSS)), maxOf(col((*Summary).MaxPeakRSS))
		r.DiskPerTx, r.DiskPerTxMax = median(col((*Summary).DiskPerTx)), maxOf(col((*Summary).DiskPerTx))
		for _, s := range ss {
			for _, n := range s.Rejected {
				r.Rejected += n
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// DiskPerTx is the nodes' mean bytes on disk per transaction their chain
// holds (0 when not reported).
func (s *Summary) DiskPerTx() float64 {
	sum, n := 0.0, 0
	for _, c := range s.Costs {
		if c.DiskBytes > 0 && c.ChainTxs > 0 {
			sum += c.DiskBytes / c.ChainTxs
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// WriteTable writes rows as a Markdown table: each cell "median (worst)".
func WriteTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "| target\t| runs\t| committed tx/s\t| p50 ms\t| p99 ms\t| CPU µs/tx per node\t| peak RSS MiB\t| disk B/tx\t| refused\t|")
	fmt.Fprintln(tw, "|---\t|---:\t|---:\t|---:\t|---:\t|---:\t|---:\t|---:\t|---:\t|")
	for _, r := range rows {
		fmt.Fprintf(tw, "| %s\t| %d\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s\t| %d\t|\n", r.Label, r.Runs,
			pair(r.TPS, r.TPSWorst, 1), pair(r.P50, r.P50Worst, 1), pair(r.P99, r.P99Worst, 1),
			pair(r.CPU, r.CPUWorst, 1), pair(r.PeakRSS, r.PeakRSSWorst, 1<<20), pair(r.DiskPerTx, r.DiskPerTxMax, 1), r.Rejected)
	}
	return tw.Flush()
}

func pair(med, worst, unit float64) string {
	if med == 0 && worst == 0 {
		return "—"
	}
	return fmt.Sprintf("%s (%s)", thousands(med/unit), thousands(worst/unit))
}

// thousands formats a rounded number with comma separators, as the docs
// write figures.
func thousands(v float64) string {
	n := int64(math.Round(v))
	s := fmt.Sprint(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func offered(s *Summary) string {
	if s.OfferedTPS > 0 {
		return fmt.Sprintf("%.0f tx/s", s.OfferedTPS)
	}
	return "max"
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	if math.IsInf(m, 1) {
		return 0
	}
	return m
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}
