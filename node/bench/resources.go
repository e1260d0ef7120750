package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// What a run cost the nodes, read from their /metrics (Prometheus's process
// collector and the node's own gauges): CPU seconds and committed
// transactions at the start and the end of the load, resident memory
// sampled every second, the store's size on disk at the end. CPU per
// committed transaction is the figure that stays comparable on a busy
// machine, where wall-clock throughput is noise: a validator that needs
// fewer CPU microseconds per transaction has headroom whatever its
// neighbours do.

// Metric names read from a node.
const (
	metricCPU       = "process_cpu_seconds_total"
	metricRSS       = "process_resident_memory_bytes"
	metricPeakRSS   = "qian_process_peak_resident_bytes" // getrusage's maxrss: the peak since start
	metricCommitted = "qian_txs_committed_total"
	metricDisk      = "qian_store_disk_bytes"
	metricCacheHit  = "qian_store_block_cache_hits_total"
	metricCacheMiss = "qian_store_block_cache_misses_total"
	// The admission batches' histogram, by lane: its sum over its count
	// is the mean batch (signatures verified together).
	metricClientBatchSum   = `qian_admission_batch_txs_sum{lane="client"}`
	metricClientBatchCount = `qian_admission_batch_txs_count{lane="client"}`
	metricGossipBatchSum   = `qian_admission_batch_txs_sum{lane="gossip"}`
	metricGossipBatchCount = `qian_admission_batch_txs_count{lane="gossip"}`
	// The store's point lookups of absent keys in its filter's tables:
	// answered by the filter, or read from Pebble after its "maybe".
	metricFiltered      = `qian_store_point_reads_total{answer="filter"}`
	metricFalsePositive = `qian_store_point_reads_total{answer="filter_false_positive"}`
)

// counted are the counters read at the start and the end of the load.
var counted = []string{metricCPU, metricCommitted, metricCacheHit, metricCacheMiss,
	metricClientBatchSum, metricClientBatchCount, metricGossipBatchSum, metricGossipBatchCount,
	metricFiltered, metricFalsePositive}

// NodeCost is one node's share of a run.
type NodeCost struct {
	URL       string  `json:"url"`
	CPUs      float64 `json:"cpu_s"`     // CPU seconds (user+system) during the load and its drain
	Committed float64 `json:"committed"` // transactions this node committed in the same window
	// CPUusPerTx is CPUs over Committed, in microseconds.
	CPUusPerTx float64 `json:"cpu_us_per_tx"`
	// Cores is CPUs over the window's wall time: the share of a core used.
	Cores float64 `json:"cores"`
	// IdleRSS is the resident memory before the load; PeakRSS the highest
	// seen during it (sampled every second, and the process's own peak
	// when it reports one).
	IdleRSS float64 `json:"idle_rss_bytes"`
	PeakRSS float64 `json:"peak_rss_bytes"`
	// DiskBytes is the store's size on disk after the run (0 when the
	// node does not report it), or the whole data directory's when the
	// bench was given it (--data-dirs: the consensus log too), and ChainTxs
	// the transactions the node has committed since it started: on a fresh
	// network, every transaction the store holds.
	DiskBytes float64 `json:"disk_bytes"`
	ChainTxs  float64 `json:"chain_txs"`
	// CacheHitShare is the share of the store's block reads during the
	// load that its block cache served (0 when the node does not report
	// it): the rest were read from the files, and decompressed.
	CacheHitShare float64 `json:"block_cache_hit_share"`
	// ClientBatch and GossipBatch are the mean transactions per admission
	// batch during the load, of the clients' submissions and of peers'
	// gossip (0 when there was none): how many signatures were verified
	// together.
	ClientBatch float64 `json:"client_batch_txs"`
	GossipBatch float64 `json:"gossip_batch_txs"`
	// FalsePositiveShare is the share of the store's lookups of absent
	// keys in its in-memory filter's tables during the load that the
	// filter could not rule out, each a Pebble read (0 when the node does
	// not report it): about 1 % by design (ledger/store/absent.go).
	FalsePositiveShare float64 `json:"filter_false_positive_share"`
}

// metricsClient reads nodes' /metrics.
type metricsClient struct{ http *http.Client }

// scrape returns the samples of the names asked for (a missing one is
// absent from the map); see parseMetrics.
func (m metricsClient) scrape(ctx context.Context, base string, names ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s/metrics: %s", base, resp.Status)
	}
	return parseMetrics(resp.Body, names)
}

// parseMetrics reads Prometheus's text format for the samples named: a name
// is everything before the sample's value, so a labelled sample is asked for
// with its labels as the node writes them (`name{lane="gossip"}`).
func parseMetrics(r io.Reader, names []string) (map[string]float64, error) {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 || !want[string(line[:sp])] {
			continue
		}
		fields := strings.Fields(string(line[sp+1:]))
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return nil, fmt.Errorf("metric %s: %w", line[:sp], err)
		}
		out[string(line[:sp])] = v
	}
	return out, sc.Err()
}

// costMeter follows the nodes' costs through one run.
type costMeter struct {
	m     metricsClient
	nodes []string
	costs []NodeCost
	start []map[string]float64
	t0    time.Time
}

func newCostMeter(nodes []string) *costMeter {
	c := &costMeter{m: metricsClient{http: &http.Client{Timeout: 5 * time.Second}}, nodes: nodes,
		costs: make([]NodeCost, len(nodes)), start: make([]map[string]float64, len(nodes))}
	for i, u := range nodes {
		c.costs[i].URL = u
	}
	return c
}

// begin records the counters as the load starts.
func (c *costMeter) begin(ctx context.Context) {
	c.t0 = time.Now()
	for i, u := range c.nodes {
		s, err := c.m.scrape(ctx, u, append([]string{metricRSS}, counted...)...)
		if err != nil {
			continue
		}
		c.start[i] = s
		c.costs[i].IdleRSS = s[metricRSS]
	}
}

// sample records resident memory; called every second during the load.
func (c *costMeter) sample(ctx context.Context) {
	for i, u := range c.nodes {
		s, err := c.m.scrape(ctx, u, metricRSS)
		if err != nil {
			continue
		}
		c.costs[i].PeakRSS = max(c.costs[i].PeakRSS, s[metricRSS])
	}
}

// end records the counters once the load has drained.
func (c *costMeter) end(ctx context.Context) []NodeCost {
	wall := time.Since(c.t0).Seconds()
	for i, u := range c.nodes {
		s, err := c.m.scrape(ctx, u, append([]string{metricRSS, metricPeakRSS, metricDisk}, counted...)...)
		if err != nil || c.start[i] == nil {
			continue
		}
		nc := &c.costs[i]
		nc.CPUs = s[metricCPU] - c.start[i][metricCPU]
		nc.Committed = s[metricCommitted] - c.start[i][metricCommitted]
		if nc.Committed > 0 {
			nc.CPUusPerTx = nc.CPUs / nc.Committed * 1e6
		}
		if wall > 0 {
			nc.Cores = nc.CPUs / wall
		}
		nc.PeakRSS = max(nc.PeakRSS, s[metricRSS], s[metricPeakRSS])
		nc.DiskBytes, nc.ChainTxs = s[metricDisk], s[metricCommitted]
		hits, misses := s[metricCacheHit]-c.start[i][metricCacheHit], s[metricCacheMiss]-c.start[i][metricCacheMiss]
		if hits >= 0 && misses >= 0 && hits+misses > 0 { // a node restarted meanwhile counts from 0
			nc.CacheHitShare = hits / (hits + misses)
		}
		nc.ClientBatch = c.mean(i, s, metricClientBatchSum, metricClientBatchCount)
		nc.GossipBatch = c.mean(i, s, metricGossipBatchSum, metricGossipBatchCount)
		filtered, fp := s[metricFiltered]-c.start[i][metricFiltered], s[metricFalsePositive]-c.start[i][metricFalsePositive]
		if filtered >= 0 && fp >= 0 && filtered+fp > 0 {
			nc.FalsePositiveShare = fp / (filtered + fp)
		}
	}
	return c.costs
}

// mean is a histogram's mean during the load, from its sum and count at the
// end (s) and at the start: 0 without samples, or when the node restarted.
func (c *costMeter) mean(i int, s map[string]float64, sum, count string) float64 {
	n, total := s[count]-c.start[i][count], s[sum]-c.start[i][sum]
	if n <= 0 || total < 0 {
		return 0
	}
	return total / n
}

// DirSize is the bytes of the regular files under dir (what du -b counts,
// near enough): disk per committed transaction for nodes whose data
// directory the caller names, whatever engine they run.
func DirSize(dir string) float64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed by a compaction meanwhile
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return float64(n)
}
