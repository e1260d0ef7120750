// Command chaos runs a Qianchain testnet of four validator processes and an
// observer under steady load while faults repeat, one at a time, each
// cleared before the next: SIGKILL a validator and restart it; SIGSTOP one
// and SIGCONT it; cut one node off from its peers and reconnect it; split
// the validators in halves and heal; restart one with its data directory
// wiped. Between faults the validator set changes by governance
// (valset.go): a fifth organisation's node is voted in, a founding
// validator voted out and stopped, another's key rotated. At the end it
// checks that every node holds the same chain (block hashes and app
// hashes), that every transaction a node reported committed is in it on
// every node, that no validator signed twice (with the key of each
// height), and that blocks resumed within 10 s of each fault's clearing;
// it prints a summary and exits 1 on any violation.
//
// Usage (from the repository root; scripts/chaos.sh wraps it):
//
//	go run ./scripts/chaos [--duration 10m] [--seed N] [--rate 200] [--faults kill,pause,isolate,split,wipe]
//
// Links are cut without root: every node reaches every peer through a TCP
// proxy inside this process, one per directed pair (the nodes' p2p.peers
// are rewritten to the proxies, TCP only; nodes announce no addresses, so
// nothing bypasses them). docs/faults.md describes the method.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/qianchain/qianchain/scripts/internal/procnet"
)

// Options configure a run.
type Options struct {
	Duration     time.Duration // how long faults are injected (setup and checks come on top)
	Seed         int64         // seeds every random choice of the orchestrator
	Rate         int           // offered load, transactions per second
	Workers      int           // concurrent submissions
	Accounts     int           // operator accounts per demo organisation
	Kinds        []faultKind
	HoldMin      time.Duration // a fault is in force for a time drawn from [HoldMin, HoldMax]
	HoldMax      time.Duration
	GapMin       time.Duration // quiet time between faults, drawn from [GapMin, GapMax]
	GapMax       time.Duration
	Warmup       time.Duration // load without faults before the first
	MaxRecovery  time.Duration // blocks must resume within this of a clear
	CatchUpLimit time.Duration // faulted nodes must be back within this
	IndexSample  int           // committed transactions looked up on every node's index
	Dir          string        // work directory; "" means a new temporary one
	Keep         bool          // keep the work directory after a clean run
	Bin          string        // the qian binary; "" means build ./cmd/qian
	JSON         string        // write the summary here as JSON
	LogLevel     string        // the nodes' log.level; "" keeps the testnet's (info)
	// SetChanges: a fifth organisation's node voted in, a founding
	// validator voted out and stopped, another's key rotated (valset.go).
	SetChanges bool
}

// DefaultOptions are the settings of `scripts/chaos.sh` with no flags.
func DefaultOptions() Options {
	return Options{
		Duration: 10 * time.Minute, Seed: time.Now().UnixNano() % 1_000_000_000, Rate: 200, Workers: 16, Accounts: 8,
		Kinds: allFaultKinds, HoldMin: 2 * time.Second, HoldMax: 10 * time.Second, GapMin: time.Second, GapMax: 4 * time.Second,
		Warmup: 5 * time.Second, MaxRecovery: 10 * time.Second, CatchUpLimit: 5 * time.Minute, IndexSample: 300,
		SetChanges: true,
	}
}

func main() {
	o := DefaultOptions()
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.DurationVar(&o.Duration, "duration", o.Duration, "how long to inject faults")
	fs.Int64Var(&o.Seed, "seed", o.Seed, "seed of the random choices (printed at the start; pass it to rerun the same choices)")
	fs.IntVar(&o.Rate, "rate", o.Rate, "offered load in transactions per second")
	kinds := fs.String("faults", "all", "fault kinds to use: all, or a comma-separated list of kill, pause, isolate, split, wipe")
	fs.DurationVar(&o.HoldMin, "hold-min", o.HoldMin, "shortest time a fault is in force")
	fs.DurationVar(&o.HoldMax, "hold-max", o.HoldMax, "longest time a fault is in force")
	fs.DurationVar(&o.MaxRecovery, "max-recovery", o.MaxRecovery, "blocks must resume within this after a fault clears")
	fs.DurationVar(&o.CatchUpLimit, "catch-up-limit", o.CatchUpLimit, "faulted nodes must be back at the others' height within this")
	fs.StringVar(&o.Dir, "dir", "", "work directory (default: a new temporary directory)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the work directory (node homes and logs) after a clean run")
	fs.StringVar(&o.Bin, "bin", "", "qian binary to run (default: build ./cmd/qian)")
	fs.StringVar(&o.JSON, "json", "", "write the summary as JSON to this file")
	fs.BoolVar(&o.SetChanges, "set-changes", o.SetChanges, "change the validator set by governance during the run: a fifth organisation's node voted in, a founding validator voted out and stopped, another's key rotated")
	fs.StringVar(&o.LogLevel, "log-level", "", "the nodes' log level: debug, info, warn or error (default: the testnet's, info)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	var err error
	if o.Kinds, err = parseFaultKinds(*kinds); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(2)
	}
	procnet.Main("chaos", func(ctx context.Context) (bool, error) {
		sum, err := Run(ctx, o, os.Stdout)
		return err == nil && len(sum.Violations) > 0, err
	})
}

// Run performs one chaos run and returns its summary. An error means the
// run could not be carried out (no binary, the network never started);
// violations of the invariants are in the summary.
func Run(ctx context.Context, o Options, out io.Writer) (*summary, error) {
	start := time.Now()
	logf := procnet.Logger(out, start)
	logf("chaos: seed %d (rerun the same choices with --seed %d), faults for %s at %d tx/s, kinds %v", o.Seed, o.Seed, o.Duration, o.Rate, o.Kinds)
	ws, err := procnet.OpenWorkspace(o.Dir, "qian-chaos-", logf)
	if err != nil {
		return nil, err
	}
	bin, err := ws.Qian(ctx, o.Bin, logf)
	if err != nil {
		return nil, err
	}
	r, err := newRunner(ctx, o, bin, ws.Dir, start, logf)
	if err != nil {
		return nil, err
	}
	sum := r.run(ctx)
	sum.Dir = ws.Dir
	sum.print(out)
	return sum, ws.Finish(out, sum, o.JSON, len(sum.Violations) == 0, o.Keep)
}
