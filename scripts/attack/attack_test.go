package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/scripts/internal/procnet"
)

// TestAttack is scripts/attack.sh in short: QIAN_ATTACK_DURATION (default
// 60s) of attack between 15 s of load before and 30 s after, every target
// checked. It starts four node processes and runs only with QIAN_ATTACK=1
// (scripts/test.sh sets it unless QIAN_SKIP_ATTACK is set).
//
// A run that misses only rate and latency targets is made once more on a
// fresh network, and the test fails if that one misses anything. On two
// shared cores the four validators, the load generator and the attack's
// thousands of connections together use about all of the machine, and the
// attacked validator's share of it decides whether it keeps up: on one
// afternoon, runs with the same fixes committed 925-954 tx/s during the
// attack six times and 742-806 three times (docs/benchmarks.md, "Under
// attack"), and the machine's measured ceiling did not tell which.
// A crash, a panic, failed page requests or memory out of bounds fail at
// once; so does a second miss.
func TestAttack(t *testing.T) {
	if os.Getenv("QIAN_ATTACK") != "1" {
		t.Skip("starts a 4-process testnet under load and attack; set QIAN_ATTACK=1 (and QIAN_ATTACK_DURATION, default 60s) to run")
	}
	o := DefaultOptions()
	o.Duration, o.Before, o.After = 60*time.Second, 15*time.Second, 30*time.Second
	if s := os.Getenv("QIAN_ATTACK_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("QIAN_ATTACK_DURATION=%q: %v", s, err)
		}
		o.Duration = d
	}
	sum, err := Run(context.Background(), o, &procnet.LineWriter{Logf: t.Log})
	if err != nil {
		t.Fatal(err)
	}
	if sum.OnlyPaceMissed() {
		t.Logf("RETRY: the first run missed only rate or latency targets (%s); running once more on a fresh network (node logs of the first kept in %s)",
			strings.Join(sum.Missed, "; "), sum.Dir)
		if sum, err = Run(context.Background(), o, &procnet.LineWriter{Logf: t.Log}); err != nil {
			t.Fatal(err)
		}
		if len(sum.Missed) == 0 {
			t.Logf("RETRY: the second run met every target")
		}
	}
	if len(sum.Missed) > 0 {
		t.Fatalf("%d target(s) missed; first: %s (node logs kept in %s)", len(sum.Missed), sum.Missed[0], sum.Dir)
	}
}

// The report's percentiles and outcome lines: the slowest 1% decides p99,
// and outcomes print largest first.
func TestPercentileAndOutcomes(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if p50, p99 := percentile(ds, 0.5), percentile(ds, 0.99); p50 != 50*time.Millisecond || p99 != 99*time.Millisecond {
		t.Fatalf("p50 %s p99 %s", p50, p99)
	}
	if percentile(nil, 0.99) != 0 {
		t.Fatal("a percentile of nothing")
	}
	if got := outcomes(map[string]int64{"200": 5, "429 ERR_RATE_LIMITED": 9, "error": 1}, 2); got != "429 ERR_RATE_LIMITED 9, 200 5" {
		t.Fatalf("outcomes: %q", got)
	}
}

// Only a run whose every miss is a rate or latency is made again: one
// crash, panic or memory miss among them fails at once.
func TestOnlyPaceMissesAreRetried(t *testing.T) {
	for _, c := range []struct {
		missed, pace int
		retry        bool
	}{{0, 0, false}, {1, 1, true}, {2, 2, true}, {2, 1, false}, {1, 0, false}} {
		s := &summary{Missed: make([]string, c.missed), PaceMissed: c.pace}
		if s.OnlyPaceMissed() != c.retry {
			t.Errorf("%d missed, %d of them pace: retry %v, want %v", c.missed, c.pace, !c.retry, c.retry)
		}
	}
}
