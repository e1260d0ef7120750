// Command cometload loads a CometBFT network running the built-in kvstore
// with the side-by-side method of docs/benchmarks.md, and measures it the
// way qian bench measures Qianchain: one unsigned transaction of --size
// bytes per request (broadcast_tx_sync over HTTP/1.1 keep-alive), --workers
// concurrent requests per node, spread over every node, as fast as the
// nodes take them for --duration; committed transactions per second counted
// from the blocks; latency from just before a transaction's request to the
// moment the first node's latest block holding it is seen (its height
// polled every 10 ms, as qian bench does); CPU seconds per committed
// transaction and peak resident memory of each node process (--pids, read
// from /proc). It writes the summary in qian bench's JSON form, so that
// `qian bench table` puts both engines in one table.
//
// CometBFT is a benchmark tool here, installed by scripts/cometbft-bench.sh
// with `go install`; nothing of it is imported.
//
//	go run ./scripts/cometload --nodes http://127.0.0.1:26657,... --pids 123,... --duration 60s --json out.json
package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qianchain/qianchain/node/bench"
)

func main() {
	nodes := flag.String("nodes", "", "comma-separated CometBFT RPC URLs")
	pids := flag.String("pids", "", "comma-separated node process ids, in the order of --nodes (CPU and memory from /proc)")
	duration := flag.Duration("duration", 60*time.Second, "how long to offer load")
	workers := flag.Int("workers", 16, "concurrent requests per node")
	size := flag.Int("size", 300, "bytes per transaction")
	endpoint := flag.String("endpoint", "broadcast_tx_sync", "broadcast_tx_sync or broadcast_tx_async")
	label := flag.String("label", "cometbft kvstore", "the run's label in the summary")
	out := flag.String("json", "", "write the summary here")
	dataDirs := flag.String("data-dirs", "", "comma-separated data directories of the nodes, in --nodes order (disk per transaction)")
	flag.Parse()
	if *nodes == "" {
		fmt.Fprintln(os.Stderr, "cometload needs --nodes")
		os.Exit(2)
	}
	var pidList []int
	for _, p := range strings.Split(*pids, ",") {
		if p = strings.TrimSpace(p); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil {
				fmt.Fprintf(os.Stderr, "--pids: %q is not a process id\n", p)
				os.Exit(2)
			}
			pidList = append(pidList, n)
		}
	}
	r := &run{urls: strings.Split(*nodes, ","), pids: pidList, workers: *workers, size: *size, endpoint: *endpoint,
		sent: map[string]time.Time{}, http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        4 * *workers * len(strings.Split(*nodes, ",")),
			MaxIdleConnsPerHost: 2 * *workers,
			IdleConnTimeout:     90 * time.Second,
		}}}
	s, err := r.do(context.Background(), *duration)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cometload:", err)
		os.Exit(1)
	}
	s.Label = *label
	for i, d := range strings.Split(*dataDirs, ",") {
		if d = strings.TrimSpace(d); d != "" && i < len(s.Costs) {
			s.Costs[i].DiskBytes = bench.DirSize(d)
		}
	}
	fmt.Printf("%s: committed %d (%.0f tx/s), p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, %d blocks of %.0f; CPU %.0f µs/tx per node, peak RSS %.0f MiB\n",
		s.Label, s.Committed, s.CommittedTPS, s.P50ms, s.P95ms, s.P99ms, s.Blocks, s.TxsPerBlock, s.MeanCPUusPerTx(), s.MaxPeakRSS()/(1<<20))
	if *out != "" {
		b, _ := json.MarshalIndent(s, "", "  ")
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "cometload:", err)
			os.Exit(1)
		}
	}
}

type run struct {
	urls     []string
	pids     []int
	workers  int
	size     int
	endpoint string
	http     *http.Client

	mu        sync.Mutex
	sent      map[string]time.Time // transaction bytes -> when its request left
	latencies []time.Duration
	rejected  map[string]int
	submitted atomic.Int64
	committed atomic.Int64
}

func (r *run) do(ctx context.Context, d time.Duration) (*bench.Summary, error) {
	r.rejected = map[string]int{}
	h0, err := r.height(ctx, r.urls[0])
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", r.urls[0], err)
	}
	cpu0 := make([]float64, len(r.pids))
	costs := make([]bench.NodeCost, len(r.urls))
	for i, p := range r.pids {
		cpu0[i] = procCPU(p)
		if i < len(costs) {
			costs[i].IdleRSS = procRSS(p, "VmRSS")
		}
	}
	for i, u := range r.urls {
		costs[i].URL = u
	}
	// The loader's own CPU over the same window, as qian bench reports
	// its own (bench_cpu_s): both loaders share the cores with the nodes.
	self0 := procCPU(os.Getpid())
	start := time.Now()
	end := start.Add(d)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Watch blocks on the first node, as qian bench does.
	type seen struct {
		time int64
		txs  int
	}
	var blocks []seen
	stopWatch, watchDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watchDone)
		next := h0 + 1
		for {
			select {
			case <-stopWatch:
				return
			case <-time.After(10 * time.Millisecond):
			}
			h, err := r.height(ctx, r.urls[0])
			if err != nil {
				continue
			}
			for ; next <= h; next++ {
				txs, t, err := r.block(ctx, r.urls[0], next)
				if err != nil {
					break
				}
				now := time.Now()
				ours := 0
				r.mu.Lock()
				for _, tx := range txs {
					if t0, ok := r.sent[tx]; ok {
						delete(r.sent, tx)
						r.latencies = append(r.latencies, now.Sub(t0))
						ours++
					}
				}
				r.mu.Unlock()
				r.committed.Add(int64(ours))
				blocks = append(blocks, seen{t, len(txs)})
			}
		}
	}()
	// Sample memory every second.
	stopMem, memDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(memDone)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopMem:
				return
			case <-t.C:
				for i, p := range r.pids {
					if i < len(costs) {
						costs[i].PeakRSS = max(costs[i].PeakRSS, procRSS(p, "VmRSS"))
					}
				}
				fmt.Fprintf(os.Stderr, "%5.0fs  submitted %7d  committed %7d\n", time.Since(start).Seconds(), r.submitted.Load(), r.committed.Load())
			}
		}
	}()

	// Submit: every worker makes its own distinct transactions.
	var wg sync.WaitGroup
	tag := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffffff)
	for n, u := range r.urls {
		for w := 0; w < r.workers; w++ {
			wg.Add(1)
			go func(u string, id int) {
				defer wg.Done()
				for i := 0; time.Now().Before(end); i++ {
					r.submit(ctx, u, r.tx(tag, id, i))
				}
			}(u, n*r.workers+w)
		}
	}
	wg.Wait()
	// The window is the time transactions were offered, as in qian bench
	// (node/bench/run.go): no worker starts a request after end, and the
	// last replies' round trip is not the chain's.
	elapsed := end.Sub(start)
	// Give the chain a moment to commit what was accepted.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		left := len(r.sent)
		r.mu.Unlock()
		if left == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stopWatch)
	<-watchDone
	close(stopMem)
	<-memDone
	window := time.Since(start).Seconds()

	s := &bench.Summary{Kind: "kvstore", Batch: 1, RecordsPerTx: 1, Nodes: len(r.urls), Validators: len(r.urls), Rejected: r.rejected, Failed: map[string]int{}}
	s.DurationS = elapsed.Seconds()
	s.Submitted = int(r.submitted.Load())
	s.Committed = int(r.committed.Load())
	s.CommittedTPS = float64(s.Committed) / elapsed.Seconds()
	s.RecordsPerS = s.CommittedTPS
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	pct := func(p float64) float64 {
		if len(r.latencies) == 0 {
			return 0
		}
		return float64(r.latencies[int(p*float64(len(r.latencies)-1))].Microseconds()) / 1000
	}
	s.P50ms, s.P95ms, s.P99ms, s.MaxMs = pct(0.5), pct(0.95), pct(0.99), pct(1)
	txs := 0
	for _, b := range blocks {
		txs += b.txs
	}
	s.Blocks = len(blocks)
	if len(blocks) > 0 {
		s.TxsPerBlock = float64(txs) / float64(len(blocks))
	}
	for i, p := range r.pids {
		if i >= len(costs) {
			break
		}
		c := &costs[i]
		c.CPUs = procCPU(p) - cpu0[i]
		c.Committed = float64(s.Committed)
		c.ChainTxs = float64(s.Committed)
		if s.Committed > 0 {
			c.CPUusPerTx = c.CPUs / float64(s.Committed) * 1e6
		}
		c.Cores = c.CPUs / window
		c.PeakRSS = max(c.PeakRSS, procRSS(p, "VmHWM"))
	}
	if len(r.pids) > 0 {
		s.Costs = costs
	}
	s.BenchCPUs = procCPU(os.Getpid()) - self0
	return s, nil
}

// tx is a kvstore transaction "key=value" of r.size bytes, distinct per
// worker and index.
func (r *run) tx(tag string, worker, i int) string {
	k := fmt.Sprintf("b%s-%d-%d=", tag, worker, i)
	if len(k) >= r.size {
		return k + "v"
	}
	return k + strings.Repeat("v", r.size-len(k))
}

func (r *run) submit(ctx context.Context, url, tx string) {
	r.mu.Lock()
	r.sent[tx] = time.Now()
	r.mu.Unlock()
	var resp struct {
		Result *struct {
			Code uint32 `json:"code"`
			Log  string `json:"log"`
		} `json:"result"`
		Error *struct {
			Message string `json:"message"`
			Data    string `json:"data"`
		} `json:"error"`
	}
	err := r.get(ctx, url+"/"+r.endpoint+"?tx=0x"+hex.EncodeToString([]byte(tx)), &resp)
	code := ""
	switch {
	case err != nil:
		code = "ERR_TRANSPORT"
	case resp.Error != nil:
		code = "rpc error: " + firstWords(resp.Error.Data+" "+resp.Error.Message)
	case resp.Result == nil:
		code = "no result"
	case resp.Result.Code != 0:
		code = fmt.Sprintf("code %d", resp.Result.Code)
	}
	if code == "" {
		r.submitted.Add(1)
		return
	}
	r.mu.Lock()
	delete(r.sent, tx)
	r.rejected[code]++
	r.mu.Unlock()
	time.Sleep(5 * time.Millisecond) // a full mempool: back off a little, as qian bench does
}

func firstWords(s string) string {
	f := strings.Fields(s)
	if len(f) > 4 {
		f = f[:4]
	}
	return strings.Join(f, " ")
}

func (r *run) height(ctx context.Context, url string) (uint64, error) {
	var st struct {
		Result struct {
			SyncInfo struct {
				Height string `json:"latest_block_height"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := r.get(ctx, url+"/status", &st); err != nil {
		return 0, err
	}
	return strconv.ParseUint(st.Result.SyncInfo.Height, 10, 64)
}

// block returns the transactions of the block at h and its time (Unix ns).
func (r *run) block(ctx context.Context, url string, h uint64) ([]string, int64, error) {
	var b struct {
		Result struct {
			Block struct {
				Header struct {
					Time time.Time `json:"time"`
				} `json:"header"`
				Data struct {
					Txs []string `json:"txs"`
				} `json:"data"`
			} `json:"block"`
		} `json:"result"`
	}
	if err := r.get(ctx, fmt.Sprintf("%s/block?height=%d", url, h), &b); err != nil {
		return nil, 0, err
	}
	txs := make([]string, 0, len(b.Result.Block.Data.Txs))
	for _, t := range b.Result.Block.Data.Txs {
		raw, err := base64.StdEncoding.DecodeString(t)
		if err != nil {
			return nil, 0, err
		}
		txs = append(txs, string(raw))
	}
	return txs, b.Result.Block.Header.Time.UnixNano(), nil
}

func (r *run) get(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusInternalServerError {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return json.Unmarshal(body, v)
}

// procCPU is a process's user+system CPU seconds (/proc/PID/stat, fields
// 14 and 15, in clock ticks of 1/100 s).
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields after it follow
	// the last ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

// procRSS reads a memory line of /proc/PID/status (VmRSS now, VmHWM the
// peak) in bytes.
func procRSS(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line[len(field)+1:])
			if len(f) >= 1 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb * 1024
			}
		}
	}
	return 0
}
