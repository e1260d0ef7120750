package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// summary is a run's outcome (also written as JSON with --json).
type summary struct {
	Seed        int64       `json:"seed"`
	Dir         string      `json:"dir"`
	RateTPS     int         `json:"rate_tps"`
	FaultTimeS  float64     `json:"fault_time_s"`
	Faults      int         `json:"faults"`
	ByKind      []kindStats `json:"by_kind"`
	WorstResume float64     `json:"worst_resume_s"`
	P50Resume   float64     `json:"p50_resume_s"`
	WorstCatch  float64     `json:"worst_catch_up_s"`
	P50Catch    float64     `json:"p50_catch_up_s"`
	WorstStall  float64     `json:"worst_stall_s"`
	FinalHeight uint64      `json:"final_height"`

	Submitted int `json:"submitted"`
	Accepted  int `json:"accepted"`
	Committed int `json:"committed"` // load transactions reported committed (all found on every node)
	Pending   int `json:"pending"`   // accepted, never committed
	// Stranded are the pending transactions whose node was not restarted
	// since it accepted them (so a restart does not explain their loss),
	// by node.
	Stranded map[string]*strandedTxs `json:"stranded"`
	Skipped  int64                   `json:"skipped"` // offers dropped because every worker was busy
	Rejected map[string]int          `json:"rejected"`
	Results  map[string]int          `json:"results"` // committed transactions by result code

	// SetChanges are the validator-set changes the run made; SetsFollowed
	// how many times the set changed in the chain the orchestrator
	// followed from genesis (the two must agree).
	SetChanges   []*setChange `json:"set_changes"`
	SetsFollowed int          `json:"sets_followed"`
	// Unchecked are signed messages from the WALs whose height's set the
	// followed chain never fixed (a height being decided at the end).
	Unchecked int `json:"unchecked_messages"`

	VotesChecked     int   `json:"votes_checked"`
	ProposalsChecked int   `json:"proposals_checked"`
	CommitsChecked   int   `json:"commits_checked"`
	WALBytes         int64 `json:"wal_bytes_read"`

	ShutdownCodes map[string]int `json:"shutdown_codes"`
	// LogWarnings counts the nodes' WARN and ERROR log lines by node and
	// message.
	LogWarnings map[string]map[string]int `json:"log_warnings"`
	Warnings    []string                  `json:"warnings"`
	Violations  []string                  `json:"violations"`
	FaultLog    []*faultRecord            `json:"fault_log"`
}

// kindStats are the recovery figures of one fault kind.
type kindStats struct {
	Kind       string  `json:"kind"`
	Count      int     `json:"count"`
	ResumeMaxS float64 `json:"resume_max_s"`
	ResumeP50S float64 `json:"resume_p50_s"`
	CatchMaxS  float64 `json:"catch_up_max_s"`
	CatchP50S  float64 `json:"catch_up_p50_s"`
	StallMaxS  float64 `json:"stall_max_s"`
	HoldMeanS  float64 `json:"hold_mean_s"`
}

// stats returns the max and the median of xs (never-recovered values, -1,
// count as the maximum).
func stats(xs []float64) (mx, p50 float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if s[0] < 0 {
		return -1, s[len(s)/2]
	}
	return s[len(s)-1], s[(len(s)-1)/2]
}

func (r *runner) summary(final uint64) *summary {
	s := &summary{Seed: r.o.Seed, RateTPS: r.o.Rate, Faults: len(r.faults), FinalHeight: final, FaultLog: r.faults}
	var allR, allC, allS []float64
	for _, k := range allFaultKinds {
		ks := kindStats{Kind: string(k)}
		var rs, cs, ss []float64
		hold := 0.0
		for _, f := range r.faults {
			if f.Kind != string(k) {
				continue
			}
			ks.Count++
			rs, cs, ss = append(rs, f.ResumeS), append(cs, f.CatchUpS), append(ss, f.StallS)
			hold += f.HoldS
		}
		if ks.Count == 0 {
			continue
		}
		ks.ResumeMaxS, ks.ResumeP50S = stats(rs)
		ks.CatchMaxS, ks.CatchP50S = stats(cs)
		ks.StallMaxS, _ = stats(ss)
		ks.HoldMeanS = hold / float64(ks.Count)
		s.ByKind = append(s.ByKind, ks)
		allR, allC, allS = append(allR, rs...), append(allC, cs...), append(allS, ss...)
	}
	s.WorstResume, s.P50Resume = stats(allR)
	s.WorstCatch, s.P50Catch = stats(allC)
	s.WorstStall, _ = stats(allS)
	s.Submitted, s.Accepted, s.Committed, s.Pending, s.Rejected, s.Results = r.log.counts()
	s.Stranded = r.log.stranded(r.c, r.start)
	if r.load != nil {
		s.Skipped = r.load.skipped.Load()
	}
	s.SetChanges, s.SetsFollowed = r.setChanges, r.sets.Changes()
	s.Unchecked = r.book.Flush()
	conflicts, invalid, votes, props, commits := r.book.Result()
	s.VotesChecked, s.ProposalsChecked, s.CommitsChecked = votes, props, commits
	for _, t := range r.tails {
		s.WALBytes += t.bytesRead()
	}
	r.mu.Lock()
	s.Violations = append(s.Violations, r.violations...)
	s.Warnings = append(s.Warnings, r.warnings...)
	r.mu.Unlock()
	s.LogWarnings = r.c.ScanLogs()
	s.Violations = append(s.Violations, r.c.Crashes()...)
	s.Violations = append(s.Violations, r.fol.Violations()...)
	if final > 0 && s.SetsFollowed != len(s.SetChanges) {
		s.Violations = append(s.Violations, fmt.Sprintf("the run made %d validator-set changes, the followed chain shows %d", len(s.SetChanges), s.SetsFollowed))
	}
	for _, c := range conflicts {
		s.Violations = append(s.Violations, "double signature: "+c)
	}
	for _, c := range invalid {
		s.Violations = append(s.Violations, "invalid signature: "+c)
	}
	return s
}

func (s *summary) print(w io.Writer) {
	fmt.Fprintf(w, "\n==== chaos summary (seed %d) ====\n", s.Seed)
	fmt.Fprintf(w, "faults: %d in %.0fs; recovery after the clear: blocks resumed worst %s (p50 %s); faulted nodes caught up worst %s (p50 %s); worst stall during a single-node fault %s\n",
		s.Faults, s.FaultTimeS, secs(s.WorstResume), secs(s.P50Resume), secs(s.WorstCatch), secs(s.P50Catch), secs(s.WorstStall))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tcount\tmean hold\tresume max\tresume p50\tcatch-up max\tcatch-up p50\tstall max\t")
	for _, k := range s.ByKind {
		fmt.Fprintf(tw, "%s\t%d\t%.1fs\t%s\t%s\t%s\t%s\t%s\t\n", k.Kind, k.Count, k.HoldMeanS, secs(k.ResumeMaxS), secs(k.ResumeP50S), secs(k.CatchMaxS), secs(k.CatchP50S), secs(k.StallMaxS))
	}
	tw.Flush()
	fmt.Fprintf(w, "final height %d; load at %d tx/s: %d submitted, %d accepted, %d committed (results %s), rejected %s\n",
		s.FinalHeight, s.RateTPS, s.Submitted, s.Accepted, s.Committed, codes(s.Results), codes(s.Rejected))
	n, parts := 0, []string{}
	for name, x := range s.Stranded {
		n += x.Count
		parts = append(parts, fmt.Sprintf("%s %d, submitted %.1fs-%.1fs", name, x.Count, x.FirstS, x.LastS))
	}
	sort.Strings(parts)
	fmt.Fprintf(w, "accepted but never committed: %d; of these, held by a node not restarted since: %d %v\n", s.Pending, n, parts)
	fmt.Fprintf(w, "validator-set changes: %d\n", len(s.SetChanges))
	for _, c := range s.SetChanges {
		fmt.Fprintf(w, "  %-6s %-9s at %5.1fs: approved at height %d, in effect at %d%s\n", c.Kind, c.Node, c.AtS, c.Approved, c.Effective, firstSigned(c))
	}
	fmt.Fprintf(w, "signatures examined for double signing, each against the validator set of its height: %d votes, %d proposals, %d commit certificates (%d MB of WAL); %d messages of heights whose set the followed chain never fixed left unchecked\n",
		s.VotesChecked, s.ProposalsChecked, s.CommitsChecked, s.WALBytes>>20, s.Unchecked)
	if len(s.LogWarnings) > 0 {
		fmt.Fprintln(w, "node log warnings and errors:")
		names := make([]string, 0, len(s.LogWarnings))
		for n := range s.LogWarnings {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(w, "  %s: %s\n", n, codes(s.LogWarnings[n]))
		}
	}
	for _, x := range s.Warnings {
		fmt.Fprintf(w, "WARNING: %s\n", x)
	}
	if len(s.Violations) == 0 {
		fmt.Fprintln(w, "invariants: all held (same blocks and app hashes on every node, every committed transaction everywhere, no double signature with the key of each height, every recovery within the limit)")
		return
	}
	fmt.Fprintf(w, "VIOLATIONS (%d):\n", len(s.Violations))
	for _, v := range s.Violations {
		fmt.Fprintf(w, "  - %s\n", v)
	}
}

func codes(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
