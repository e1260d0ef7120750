// Command attack runs a Qianchain testnet of four validator processes on
// 127.0.0.1 under a steady load of signed transactions (node/bench's load
// generator as a `qian bench` process, 1,000 tx/s by default) and attacks
// one validator, node0, with
// every class of abuse a public node meets (issue 10, "A public node under
// load and attack"):
//
//   - thousands of idle HTTP connections, and of connections that send a
//     request body a byte a second;
//   - hundreds of event-stream (/v1/events) subscribers that never read;
//   - a flood of consumer-page and lot-JSON requests;
//   - garbage on the p2p port from an outsider (raw TCP, and a libp2p host
//     that is not admitted);
//   - oversized announced frames from an admitted observer: streams that
//     announce a 64 MiB consensus message and send nothing, and streams
//     that fill theirs.
//
// The attacks come from loopback addresses other than 127.0.0.1 (each
// attack from its own few, 127.0.K.2 and up; the silent subscribers from
// enough to reach the stream cap in all), and node0 runs with
// http.limit_loopback, so that its per-client limits apply to them as to
// strangers on the internet; the load and the well-behaved client come
// from 127.0.0.1.
//
// The run has three phases: before the attack, during it, after it. A
// well-behaved client reads the demo lot's consumer page from node0 ten
// times a second throughout. The report gives, per phase, the committed
// transactions per second (node1's count), the page's p50 and p99 latency,
// node0's resident memory (before: the phase's mean; during: the peak;
// after: the last sample), what each attack met, and whether any process
// exited on its own or logged a panic. It exits 1 when a target is missed:
// the network commits at least 90% of the offered rate in every phase; the
// page's p99 stays under 1 s with at most 1% of its requests failing; node0's
// memory grows by at most --max-rss-growth during the attack and is back
// within --max-rss-residue of where it was when the attack has been over
// for the after phase; no crash, no panic. Exit 2: the run could not be
// made.
//
// Usage (from the repository root; scripts/attack.sh wraps it):
//
//	go run ./scripts/attack [--duration 5m] [--before 30s] [--after 60s] [--rate 1000] [--json FILE] [--keep]
package main

import (
	"context"
	"flag"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/qianchain/qianchain/scripts/internal/procnet"
)

// Options configure a run.
type Options struct {
	Duration time.Duration // the attack
	Before   time.Duration // load without attack first
	After    time.Duration // load after the attack, for memory to come back
	Rate     int           // offered load, transactions per second

	// What the attack offers.
	Clients      int // loopback addresses each HTTP attack comes from
	Idle         int // idle HTTP connections attempted
	SlowBodies   int // slow-body HTTP connections attempted
	Streams      int // event-stream subscriptions attempted
	FloodRate    int // page and lot-JSON requests per second
	Garbage      int // raw TCP connections sending garbage to the p2p port
	FrameStreams int // streams the admitted observer holds, each announcing a 64 MiB frame
	Fillers      int // of those, streams that also send their frame's bytes, 1 MiB/s each

	// Targets.
	MinCommitShare float64       // of the offered rate, in every phase
	PageP99        time.Duration // the well-behaved client's p99
	MaxPageErrors  float64       // share of its requests that may fail
	MaxRSSGrowth   int64         // bytes node0's peak may exceed its before-phase mean
	MaxRSSResidue  int64         // bytes node0's last sample may exceed its before-phase mean

	PProf bool // serve Go's profiler on node0 (/debug/pprof/), to see where the attack costs

	Dir  string // work directory; "" means a new temporary one
	Keep bool   // keep the work directory after a clean run
	Bin  string // the qian binary; "" means build ./cmd/qian
	JSON string // write the summary here as JSON
}

// DefaultOptions are the settings of `scripts/attack.sh` with no flags.
func DefaultOptions() Options {
	return Options{
		Duration: 5 * time.Minute, Before: 30 * time.Second, After: 60 * time.Second, Rate: 1000,
		Clients: 4, Idle: 2000, SlowBodies: 1000, Streams: 300, FloodRate: 1000, Garbage: 32, FrameStreams: 64, Fillers: 8,
		MinCommitShare: 0.9, PageP99: time.Second, MaxPageErrors: 0.01, MaxRSSGrowth: 512 << 20, MaxRSSResidue: 192 << 20,
	}
}

func main() {
	o := DefaultOptions()
	fs := flag.NewFlagSet("attack", flag.ContinueOnError)
	fs.DurationVar(&o.Duration, "duration", o.Duration, "how long the attack lasts")
	fs.DurationVar(&o.Before, "before", o.Before, "load without attack before it")
	fs.DurationVar(&o.After, "after", o.After, "load after the attack (memory must come back within it)")
	fs.IntVar(&o.Rate, "rate", o.Rate, "offered load in signed transactions per second")
	fs.IntVar(&o.Clients, "clients", o.Clients, "loopback addresses (127.0.K.2 and up) each attack comes from")
	fs.IntVar(&o.Idle, "idle", o.Idle, "idle HTTP connections to attempt")
	fs.IntVar(&o.SlowBodies, "slow-bodies", o.SlowBodies, "HTTP connections sending a request body a byte a second")
	fs.IntVar(&o.Streams, "streams", o.Streams, "event-stream subscriptions that never read")
	fs.IntVar(&o.FloodRate, "flood-rate", o.FloodRate, "consumer-page and lot-JSON requests per second")
	fs.IntVar(&o.Garbage, "garbage", o.Garbage, "raw TCP connections sending garbage to node0's p2p port")
	fs.IntVar(&o.FrameStreams, "frame-streams", o.FrameStreams, "streams of the admitted observer announcing a 64 MiB frame")
	fs.IntVar(&o.Fillers, "fillers", o.Fillers, "of those, streams that send their frame's bytes (1 MiB/s each)")
	fs.DurationVar(&o.PageP99, "page-p99", o.PageP99, "target: the well-behaved client's consumer-page p99")
	rssGrowth := fs.Int64("max-rss-growth", o.MaxRSSGrowth>>20, "target: MiB node0's peak resident memory may exceed its before-attack mean")
	rssResidue := fs.Int64("max-rss-residue", o.MaxRSSResidue>>20, "target: MiB node0's memory may still exceed its before-attack mean at the end")
	fs.BoolVar(&o.PProf, "pprof", false, "serve Go's profiler at node0's /debug/pprof/ (its address is printed)")
	fs.StringVar(&o.Dir, "dir", "", "work directory (default: a new temporary directory)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the work directory (node homes and logs) after a clean run")
	fs.StringVar(&o.Bin, "bin", "", "qian binary to run (default: build ./cmd/qian)")
	fs.StringVar(&o.JSON, "json", "", "write the summary as JSON to this file")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	o.MaxRSSGrowth, o.MaxRSSResidue = *rssGrowth<<20, *rssResidue<<20
	procnet.Main("attack", func(ctx context.Context) (bool, error) {
		sum, err := Run(ctx, o, os.Stdout)
		return err == nil && len(sum.Missed) > 0, err
	})
}

// Run performs one attack run and returns its summary. An error means the
// run could not be carried out; missed targets are in the summary.
func Run(ctx context.Context, o Options, out io.Writer) (*summary, error) {
	logf := procnet.Logger(out, time.Now())
	logf("attack: %s of attack on node0 (after %s of load, then %s more) at %d tx/s", o.Duration, o.Before, o.After, o.Rate)
	o = fitFileLimit(o, logf)
	ws, err := procnet.OpenWorkspace(o.Dir, "qian-attack-", logf)
	if err != nil {
		return nil, err
	}
	bin, err := ws.Qian(ctx, o.Bin, logf)
	if err != nil {
		return nil, err
	}
	r, err := newRun(ctx, o, bin, ws.Dir, logf)
	if err != nil {
		return nil, err
	}
	sum := r.run(ctx)
	sum.Dir = ws.Dir
	sum.print(out)
	return sum, ws.Finish(out, sum, o.JSON, len(sum.Missed) == 0, o.Keep)
}

// fitFileLimit scales the connection counts down when this process may not
// open that many files, and says so.
func fitFileLimit(o Options, logf func(string, ...any)) Options {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return o
	}
	need := o.Idle + o.SlowBodies + o.Streams + o.Garbage + 512
	if uint64(need) <= lim.Cur {
		return o
	}
	f := float64(lim.Cur-512) / float64(need-512)
	o.Idle, o.SlowBodies, o.Streams, o.Garbage = int(float64(o.Idle)*f), int(float64(o.SlowBodies)*f), int(float64(o.Streams)*f), int(float64(o.Garbage)*f)
	logf("only %d open files allowed: the attack's connections scaled to %.0f%% (idle %d, slow bodies %d, streams %d)", lim.Cur, 100*f, o.Idle, o.SlowBodies, o.Streams)
	return o
}
