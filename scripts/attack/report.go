package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/qianchain/qianchain/node/bench"
)

// summary is the outcome of a run (JSON for --json).
type summary struct {
	Options Options        `json:"options"`
	Phases  []phaseSummary `json:"phases"`
	Load    *bench.Summary `json:"load,omitempty"`
	// Attacks counts what each attack met, by outcome.
	Attacks map[string]map[string]int64 `json:"attacks"`
	Heights map[string]uint64           `json:"heights"`    // each validator's height at the end
	Exits   map[string]int              `json:"exit_codes"` // on SIGTERM at the end
	Crashes []string                    `json:"crashes"`
	Panics  map[string]int              `json:"panics"`   // panic or fatal-error lines by node
	Logged  map[string]map[string]int   `json:"warnings"` // WARN and ERROR lines by node and message
	Missed  []string                    `json:"missed"`   // targets not met, or why the run failed
	// PaceMissed counts the missed targets that are rates and latencies (the
	// commit rate, the page's p99): on a shared machine they measure the
	// neighbours too. Every other miss (a crash, a panic, failed requests,
	// memory) is about the node alone.
	PaceMissed int    `json:"pace_missed"`
	Dir        string `json:"dir"`
}

// OnlyPaceMissed reports whether every missed target is a rate or latency.
func (s *summary) OnlyPaceMissed() bool { return len(s.Missed) > 0 && s.PaceMissed == len(s.Missed) }

// phaseSummary is what was measured in one phase.
type phaseSummary struct {
	Name         string  `json:"name"`
	Seconds      float64 `json:"seconds"`
	CommittedTPS float64 `json:"committed_tps"` // node1's count over the phase
	PageP50ms    float64 `json:"page_p50_ms"`
	PageP99ms    float64 `json:"page_p99_ms"`
	PageRequests int     `json:"page_requests"`
	PageFailed   int     `json:"page_failed"`
	RSSMeanMiB   float64 `json:"rss_mean_mib"`
	RSSPeakMiB   float64 `json:"rss_peak_mib"`
	RSSLastMiB   float64 `json:"rss_last_mib"`
}

func (s *summary) fail(format string, args ...any) {
	s.Missed = append(s.Missed, fmt.Sprintf(format, args...))
}

// collect gathers the measurements and checks the targets.
func (s *summary) collect(r *run, committed [phases + 1]float64, load *bench.Summary, heights map[string]uint64, exits map[string]int) {
	o := r.o
	s.Load, s.Heights, s.Exits = load, heights, exits
	if r.attacks != nil {
		s.Attacks = r.attacks.snapshot()
	}
	for p := 0; p < phases; p++ {
		secs := r.marks[p+1].Sub(r.marks[p]).Seconds()
		ps := phaseSummary{Name: phaseNames[p], Seconds: secs}
		if committed[p] >= 0 && committed[p+1] >= 0 && secs > 0 {
			ps.CommittedTPS = (committed[p+1] - committed[p]) / secs
		}
		p50, p99, n, failed := r.page.phaseStats(p)
		ps.PageP50ms, ps.PageP99ms, ps.PageRequests, ps.PageFailed = ms(p50), ms(p99), n, failed
		mean, peak, last := r.rss.phaseStats(p)
		ps.RSSMeanMiB, ps.RSSPeakMiB, ps.RSSLastMiB = mib(mean), mib(peak), mib(last)
		s.Phases = append(s.Phases, ps)

		if ps.CommittedTPS < o.MinCommitShare*float64(o.Rate) {
			s.fail("%s: the network committed %.0f tx/s, under %.0f%% of the offered %d", ps.Name, ps.CommittedTPS, 100*o.MinCommitShare, o.Rate)
			s.PaceMissed++
		}
		if p99 >= o.PageP99 {
			s.fail("%s: the consumer page's p99 is %.0f ms, not under %s", ps.Name, ms(p99), o.PageP99)
			s.PaceMissed++
		}
		if n == 0 || float64(failed) > o.MaxPageErrors*float64(n) {
			s.fail("%s: %d of %d consumer-page requests failed (at most %.0f%% may)", ps.Name, failed, n, 100*o.MaxPageErrors)
		}
	}
	before, _, _ := r.rss.phaseStats(phaseBefore)
	_, peak, _ := r.rss.phaseStats(phaseDuring)
	_, _, last := r.rss.phaseStats(phaseAfter)
	if before == 0 || peak == 0 || last == 0 {
		s.fail("node0's memory was not measured")
	} else {
		if peak-before > o.MaxRSSGrowth {
			s.fail("node0's memory grew by %.0f MiB during the attack (%.0f to %.0f MiB), more than %d MiB", mib(peak-before), mib(before), mib(peak), o.MaxRSSGrowth>>20)
		}
		if last-before > o.MaxRSSResidue {
			s.fail("node0's memory did not come back: %.0f MiB at the end, %.0f MiB before the attack (at most %d MiB more)", mib(last), mib(before), o.MaxRSSResidue>>20)
		}
	}
	s.Crashes = r.pn.Crashes()
	for _, c := range s.Crashes {
		s.fail("crash: %s", c)
	}
	s.Logged = r.pn.ScanLogs()
	s.Panics = map[string]int{}
	for name, m := range s.Logged {
		for msg, n := range m {
			if strings.HasPrefix(msg, "PANIC ") {
				s.Panics[name] += n
			}
		}
	}
	for name, n := range s.Panics {
		s.fail("%s logged %d panic lines", name, n)
	}
	for name, code := range exits {
		if code != 0 {
			s.fail("%s exited with %d on SIGTERM", name, code)
		}
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// print writes the summary for a reader.
func (s *summary) print(w io.Writer) {
	fmt.Fprintf(w, "\n==== attack summary ====\n")
	fmt.Fprintf(w, "offered load %d tx/s; attack %s on node0 after %s, then %s\n", s.Options.Rate, s.Options.Duration, s.Options.Before, s.Options.After)
	fmt.Fprintf(w, "%-7s %7s %14s %14s %14s %10s %22s\n", "phase", "secs", "committed tx/s", "page p50 ms", "page p99 ms", "failed", "node0 RSS MiB")
	for _, p := range s.Phases {
		rss := fmt.Sprintf("mean %.0f", p.RSSMeanMiB)
		switch p.Name {
		case "during":
			rss = fmt.Sprintf("peak %.0f", p.RSSPeakMiB)
		case "after":
			rss = fmt.Sprintf("last %.0f", p.RSSLastMiB)
		}
		fmt.Fprintf(w, "%-7s %7.0f %14.0f %14.1f %14.1f %5d/%-5d %22s\n", p.Name, p.Seconds, p.CommittedTPS, p.PageP50ms, p.PageP99ms, p.PageFailed, p.PageRequests, rss)
	}
	if s.Load != nil {
		fmt.Fprintf(w, "load: %d submitted, %d committed, %.0f tx/s over %.0f s; commit latency p50 %.0f ms p99 %.0f ms; rejected %v\n",
			s.Load.Submitted, s.Load.Committed, s.Load.CommittedTPS, s.Load.DurationS, s.Load.P50ms, s.Load.P99ms, s.Load.Rejected)
	}
	names := make([]string, 0, len(s.Attacks))
	for k := range s.Attacks {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(w, "attack %-12s %s\n", k, outcomes(s.Attacks[k], 0))
	}
	fmt.Fprintf(w, "heights at the end: %v\n", s.Heights)
	if len(s.Crashes) == 0 && len(s.Panics) == 0 {
		fmt.Fprintf(w, "no process exited on its own; no panic in any log\n")
	}
	if n0 := s.Logged["node0"]; len(n0) > 0 {
		fmt.Fprintf(w, "node0 warnings: %s\n", outcomesInt(n0, 6))
	}
	if len(s.Missed) == 0 {
		fmt.Fprintf(w, "RESULT: every target met (%s)\n", time.Now().UTC().Format(time.RFC3339))
		return
	}
	fmt.Fprintf(w, "RESULT: %d target(s) missed:\n", len(s.Missed))
	for _, m := range s.Missed {
		fmt.Fprintf(w, "  - %s\n", m)
	}
}

func outcomesInt(m map[string]int, n int) string {
	m64 := map[string]int64{}
	for k, v := range m {
		m64[k] = int64(v)
	}
	return outcomes(m64, n)
}
