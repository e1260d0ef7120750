package bench

import (
	"context"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/node/client"
)

func TestParseMetrics(t *testing.T) {
	text := `# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 12.34
qian_tx_admission_total{code="OK"} 99
qian_txs_committed_total 1.5e+06
process_resident_memory_bytes 2.5165824e+08
`
	got, err := parseMetrics(strings.NewReader(text), []string{metricCPU, metricCommitted, metricRSS, metricDisk, "qian_tx_admission_total"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{metricCPU: 12.34, metricCommitted: 1.5e6, metricRSS: 251658240}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v (labelled and absent samples left out)", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	labelled, err := parseMetrics(strings.NewReader(text+`qian_admission_batch_txs_sum{lane="gossip"} 512
qian_admission_batch_txs_sum{lane="client"} 64
`), []string{metricGossipBatchSum})
	if err != nil || len(labelled) != 1 || labelled[metricGossipBatchSum] != 512 {
		t.Errorf("a labelled sample asked for with its labels: %v, %v; want the gossip lane's 512 alone", labelled, err)
	}
	if _, err := parseMetrics(strings.NewReader("process_cpu_seconds_total x\n"), []string{metricCPU}); err == nil {
		t.Error("a sample that is not a number was accepted")
	}
}

// TestCostMeterReadsANode measures a real node: what it reports on /metrics
// is what qian bench divides by.
func TestCostMeterReadsANode(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts a validator")
	}
	p := genesis.DefaultConsensusParams()
	urls, admins := demoNetwork(t, 1, &p)
	ctx := context.Background()
	m := newCostMeter(urls)
	m.begin(ctx)
	c := client.New(urls[0])
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := setupAccounts(ctx, c, st.ChainID, admins, 2, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	txs, err := generate(st.ChainID, KindMixed, accounts, 20, "cost")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SubmitBatch(ctx, txs); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Wait(ctx, txs[len(txs)-1].Hash()); err != nil {
		t.Fatal(err)
	}
	m.sample(ctx)
	time.Sleep(50 * time.Millisecond)
	costs := m.end(ctx)
	if len(costs) != 1 {
		t.Fatalf("%d costs for one node", len(costs))
	}
	nc := costs[0]
	if nc.FalsePositiveShare < 0 || nc.FalsePositiveShare > 0.1 {
		t.Errorf("the filter's false-positive share %v: want a share near 0 on a fresh store", nc.FalsePositiveShare)
	}
	if nc.CacheHitShare < 0 || nc.CacheHitShare > 1 {
		t.Errorf("block cache hit share %v: want a share, in [0, 1]", nc.CacheHitShare)
	}
	if s, err := m.m.scrape(ctx, urls[0], metricCacheHit, metricCacheMiss); err != nil || len(s) != 2 {
		t.Errorf("the node's block cache metrics: %v, %v", s, err)
	}
	// Each of the 20 new transactions was looked up in the transaction
	// index at admission and found absent by the store's in-memory filter.
	filtered := `qian_store_point_reads_total{answer="filter"}`
	if s, err := m.m.scrape(ctx, urls[0], filtered); err != nil || s[filtered] < 20 {
		t.Errorf("the node's point reads answered by its filter: %v, %v; want at least the 20 admissions", s, err)
	}
	if nc.ClientBatch < 1 || nc.ClientBatch > 20 || nc.GossipBatch != 0 {
		t.Errorf("admission batches: clients' %v, gossip %v; want the 20 submitted in batches of 1 to 20, and no gossip on a lone validator", nc.ClientBatch, nc.GossipBatch)
	}
	if nc.Committed < 20 || nc.CPUs <= 0 || nc.CPUusPerTx <= 0 {
		t.Errorf("committed %v, CPU %v s, %v µs/tx: want the 20 transactions and the CPU they took", nc.Committed, nc.CPUs, nc.CPUusPerTx)
	}
	if nc.IdleRSS <= 0 || nc.PeakRSS < nc.IdleRSS {
		t.Errorf("RSS idle %v, peak %v", nc.IdleRSS, nc.PeakRSS)
	}
	if nc.DiskBytes <= 0 || nc.ChainTxs < nc.Committed {
		t.Errorf("disk %v bytes for %v transactions", nc.DiskBytes, nc.ChainTxs)
	}
	if runtime.GOOS == "linux" && nc.PeakRSS < 1<<20 {
		t.Errorf("peak RSS %v: the node's getrusage gauge is missing", nc.PeakRSS)
	}
}
