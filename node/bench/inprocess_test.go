package bench

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/nodetest"
)

// demoNetwork starts n validators in this process with the contracts and
// the demo organisations, and returns the nodes' URLs and the admins' keys.
func demoNetwork(t *testing.T, n int, params *genesis.ConsensusParams) ([]string, map[membership.Role]ledger.PrivateKey) {
	admins := map[membership.Role]ledger.PrivateKey{}
	var orgs []genesis.Organisation
	for i, o := range demo.Founding {
		k := ledger.PrivateKey{}
		var err error
		if k, err = ledger.GenerateKey(); err != nil {
			t.Fatal(err)
		}
		_ = i
		admins[o.Role] = k
		spec := o.Spec(string(o.Role), k.PublicKey())
		roles := make([]genesis.Role, len(spec.Roles))
		for j, r := range spec.Roles {
			roles[j] = genesis.Role(r)
		}
		orgs = append(orgs, genesis.Organisation{ID: spec.ID, Name: spec.Name, Roles: roles, GS1Prefixes: spec.Prefixes, GLNs: spec.GLNs, Admins: spec.Admins})
	}
	nw := nodetest.New(t, nodetest.Options{Validators: n, Orgs: orgs, Params: params,
		App:     func() node.Application { return node.NewContractsApp() },
		Handler: func(n *node.Node) http.Handler { return api.New(n) }})
	nw.StartAll()
	nw.WaitHeight(1, 30*time.Second)
	var urls []string
	for _, m := range nw.Members {
		urls = append(urls, m.URL)
	}
	return urls, admins
}

// TestInProcessLoad runs qian bench's load against four validators in this
// process, for profiling: QIAN_BENCH_INPROC=1 go test ./node/bench -run
// InProcessLoad -v -cpuprofile cpu.out. Rate via QIAN_BENCH_RATE (0 = max).
func TestInProcessLoad(t *testing.T) {
	if os.Getenv("QIAN_BENCH_INPROC") == "" {
		t.Skip("set QIAN_BENCH_INPROC=1 to run (a profiling aid, not a test)")
	}
	p := genesis.DefaultConsensusParams()
	urls, admins := demoNetwork(t, 4, &p)
	rate := 0
	if v := os.Getenv("QIAN_BENCH_RATE"); v != "" {
		rate = atoi(v)
	}
	sum, err := Run(context.Background(), Options{Nodes: urls, Admins: admins, Duration: 20 * time.Second, Rate: rate, Kind: KindMixed, Out: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *sum)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// The bench learns that its transactions committed from the blocks' hashes
// it reads from the first node: on a quiet load every transaction it
// submitted is seen committed, in blocks it counted, with a latency.
func TestBenchSeesItsTransactionsCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test runs a validator and a short load")
	}
	p := genesis.DefaultConsensusParams()
	urls, admins := demoNetwork(t, 1, &p)
	var out strings.Builder
	// The bench's own profile, unless go test -cpuprofile holds the
	// process's one CPU profile already.
	var profile bytes.Buffer
	o := Options{Nodes: urls, Admins: admins, Duration: 3 * time.Second, Rate: 200, Batch: 10, Kind: KindMixed, Accounts: 4, Out: &out}
	testProfile := flag.Lookup("test.cpuprofile")
	if testProfile == nil || testProfile.Value.String() == "" {
		o.CPUProfile = &profile
	}
	before, err := client.New(urls[0]).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	// The blocks counted are the load's: from after the accounts'
	// registration (a block) and the two blocks of settling, not from the
	// height the run started at.
	if sum.FirstHeight < before.Height+4 {
		t.Fatalf("blocks counted from height %d; the run started at %d, so the load's come after %d", sum.FirstHeight, before.Height, before.Height+3)
	}
	if sum.Submitted == 0 || sum.Committed != sum.Submitted || sum.Blocks == 0 || sum.TxsPerBlock <= 0 || sum.P50ms <= 0 {
		t.Fatalf("submitted %d, committed %d, in %d blocks (%.1f per block), p50 %.0f ms\n%s",
			sum.Submitted, sum.Committed, sum.Blocks, sum.TxsPerBlock, sum.P50ms, out.String())
	}
	// At a rate the bench signs exactly the run's transactions and sends the
	// last just before the end: it has not run out early.
	if strings.Contains(out.String(), "ran out of signed transactions") {
		t.Fatalf("a run at a rate reported running out:\n%s", out.String())
	}
	// It offers every slot of the schedule, 200 × 3 s, even those it
	// reached late; and the rate is over the 3 s it offered them, so a run
	// that committed them all reads 200, not 200 over the 3 s plus the last
	// reply's round trip. (A loop that fell behind its last slot runs over.)
	if sum.Submitted != 600 {
		t.Fatalf("submitted %d of the schedule's 600 (the loop fell at most %.1f ms behind)\n%s", sum.Submitted, sum.ScheduleLateMs, out.String())
	}
	if sum.DurationS < 3 || sum.Committed == 600 && sum.ScheduleLateMs < 2 && (sum.DurationS != 3 || sum.CommittedTPS != 200) {
		t.Fatalf("all 600 committed over a window of %.4f s: %.3f tx/s (the loop fell at most %.1f ms behind)", sum.DurationS, sum.CommittedTPS, sum.ScheduleLateMs)
	}
	// The bench's own profile of the load: a gzipped pprof protobuf.
	if o.CPUProfile != nil && !bytes.HasPrefix(profile.Bytes(), []byte{0x1f, 0x8b}) {
		t.Fatalf("CPU profile of %d bytes, not gzipped pprof", profile.Len())
	}
}

// TestLoadConnectionsStayInTheLane: one transaction per request, every
// submission of the load is answered in the node's HTTP lane
// (node/httpserver): the bench's reads (status, the block watcher) go over
// connections of their own, so none of the load's is handed to net/http.
func TestLoadConnectionsStayInTheLane(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test runs a validator and a short load")
	}
	p := genesis.DefaultConsensusParams()
	urls, admins := demoNetwork(t, 1, &p)
	const served, handed = "qian_http_lane_requests_total", "qian_http_lane_handoffs_total"
	scrape := func() map[string]float64 {
		m, err := metricsClient{http.DefaultClient}.scrape(context.Background(), urls[0], served, handed)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	before := scrape()
	var out strings.Builder
	sum, err := Run(context.Background(), Options{Nodes: urls, Admins: admins, Duration: 2 * time.Second, Rate: 200,
		Batch: 1, Workers: 4, Kind: KindMixed, Accounts: 4, Out: &out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	after := scrape()
	// The reads' connections are handed to net/http (a few: the bench's
	// reading client keeps two idle); the load's four never are.
	if n, h := after[served]-before[served], after[handed]-before[handed]; sum.Submitted < 100 || n < float64(sum.Submitted) || h > 4 {
		t.Fatalf("the lane answered %.0f requests and handed %.0f connections to net/http; the load submitted %d one at a time over 4", n, h, sum.Submitted)
	}
}
