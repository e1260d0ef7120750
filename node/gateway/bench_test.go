package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/gateway"
	"github.com/qianchain/qianchain/node/nodetest"
)

// The gateway's measurements (docs/benchmarks.md, "The gateway"). They run
// only when asked, through scripts/gateway-bench.sh; they report figures
// and assert only that the work was done.

// benchKey is the API key the capture measurement uses.
var benchKey = apiKey

// benchEnv skips unless QIAN_GATEWAY_BENCH names this measurement.
func benchEnv(t *testing.T, name string) {
	if os.Getenv("QIAN_GATEWAY_BENCH") != name {
		t.Skip("a measurement: run scripts/gateway-bench.sh " + name)
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return s[i]
}

// Capture throughput through the gateway on the shared 4-validator
// network: C clients each POST documents of D events, then poll the
// capture job until it is finished (committed and indexed); the latency
// of a document is from its POST to the poll that sees it finished.
func TestBenchCaptureThroughput(t *testing.T) {
	benchEnv(t, "capture")
	clients := envInt("QIAN_BENCH_CLIENTS", 8)
	per := envInt("QIAN_BENCH_DOC_EVENTS", 100)
	docs := envInt("QIAN_BENCH_DOCS", 40) // per client
	where := "4 validators in one process"
	var x *gw
	if u := os.Getenv("QIAN_BENCH_GATEWAY"); u != "" {
		// A gateway process in front of validator processes
		// (scripts/gateway-bench.sh capture-processes); its key is the
		// testnet's farm and QIAN_BENCH_API_KEY one of its API keys.
		x, where = &gw{t: t, URL: u}, "4 validator processes and a gateway process"
		benchKey = os.Getenv("QIAN_BENCH_API_KEY")
	} else {
		x = startGateway(t, t.TempDir(), func(o *gateway.Options) {
			o.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		})
	}
	var mu sync.Mutex
	var lat []time.Duration
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for d := 0; d < docs; d++ {
				evs := lots(fmt.Sprintf("T%dx%d", c, d), per, false)
				doc := document(evs...)
				t0 := time.Now()
				req, _ := http.NewRequest("POST", x.URL+"/capture", bytesReader(doc))
				req.Header.Set("Authorization", "Bearer "+benchKey)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil || resp.StatusCode != 202 {
					t.Errorf("POST: %v %v", resp, err)
					return
				}
				resp.Body.Close()
				loc := resp.Header.Get("Location")
				deadline := time.Now().Add(5 * time.Minute) // a stuck chain fails the run, never hangs it
				for {
					if time.Now().After(deadline) {
						t.Errorf("job %s still running after 5 minutes", loc)
						return
					}
					req, _ := http.NewRequest("GET", x.URL+loc, nil)
					req.Header.Set("Authorization", "Bearer "+benchKey)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					var v gateway.JobView
					_ = json.NewDecoder(resp.Body).Decode(&v)
					resp.Body.Close()
					if !v.Running {
						if !v.Success || v.Captured != per {
							t.Errorf("job %s: %+v", loc, v)
						}
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	el := time.Since(start)
	n := clients * docs * per
	t.Logf("capture through the gateway, %s: %d clients × %d documents × %d events = %d events in %.1f s: %.0f events/s; POST to committed and indexed: p50 %v, p99 %v, max %v",
		where, clients, docs, per, n, el.Seconds(), float64(n)/el.Seconds(), percentile(lat, 0.5).Round(time.Millisecond),
		percentile(lat, 0.99).Round(time.Millisecond), percentile(lat, 1).Round(time.Millisecond))
}

// GET /events latency on a chain of at least QIAN_BENCH_EVENTS events
// (default 1,000,000), built with trace.capture_batch transactions of
// 1,000 events on a one-validator network (the number of validators does
// not change what the gateway indexes); then a gateway on a fresh home
// indexes the whole chain (its build time), and answers a mix of queries.
func TestBenchQueryLatency(t *testing.T) {
	benchEnv(t, "query")
	total := envInt("QIAN_BENCH_EVENTS", 1_000_000)
	farm, _ := ledger.GenerateKey()
	spec := demo.Farm.Spec("farm", farm.PublicKey())
	org := genesis.Organisation{ID: spec.ID, Name: spec.Name, Roles: []genesis.Role{genesis.Role(membership.Farm)},
		GS1Prefixes: spec.Prefixes, GLNs: spec.GLNs, Admins: spec.Admins}
	nw := nodetest.New(t, nodetest.Options{Validators: 1, ChainID: "qian-gateway-bench", Orgs: []genesis.Organisation{org},
		App:     func() node.Application { return node.NewContractsApp() },
		Handler: func(n *node.Node) http.Handler { return api.New(n) }})
	nw.StartAll()
	nw.WaitHeight(1, 30*time.Second)
	c := client.New(nw.Members[0].URL)
	ctx := context.Background()

	// Build the chain: a window of transactions in flight.
	const batch = 1000
	build := time.Now()
	var inflight []ledger.Hash
	for b := 0; b*batch < total; b++ {
		evs := make([]event, batch)
		for i := range evs {
			k := b*batch + i
			evs[i] = event{lot: fmt.Sprintf("B%d", k), time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Second)}
			if k%2 == 0 {
				evs[i].id = fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", k)
			}
			if k%10 == 9 { // every tenth event observes the lot before it
				evs[i].action, evs[i].step, evs[i].lot = "OBSERVE", "inspecting", fmt.Sprintf("B%d", k-1)
			}
		}
		dec, err := epcis.Decode(document(evs...), epcis.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		payloads := make([][]byte, len(dec.Events))
		for i, ev := range dec.Events {
			payloads[i] = ev.Encode()
		}
		tx := &ledger.Tx{ChainID: nw.Genesis.ChainID, Nonce: uint64(b + 1), Contract: trace.Contract, Method: trace.MethodCaptureBatch, Payload: trace.EncodeCaptureBatch(payloads)}
		_ = tx.Sign(farm)
		h, err := c.Submit(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		inflight = append(inflight, h)
		if len(inflight) >= 8 {
			if o, err := c.Wait(ctx, inflight[0]); err != nil || o.Code != "OK" {
				t.Fatalf("batch: %+v %v", o, err)
			}
			inflight = inflight[1:]
		}
		if b%100 == 99 {
			t.Logf("  %d events on the chain after %.0f s", (b+1)*batch, time.Since(build).Seconds())
		}
	}
	for _, h := range inflight {
		if o, err := c.Wait(ctx, h); err != nil || o.Code != "OK" {
			t.Fatalf("batch: %+v %v", o, err)
		}
	}
	t.Logf("chain of %d events built in %.0f s (height %d)", total, time.Since(build).Seconds(), nw.Members[0].Node.Store.Height())

	// A gateway on a fresh home indexes the whole chain.
	tip := nw.Members[0].Node.Store.Height()
	g, err := gateway.Open(gateway.Options{Home: t.TempDir(), NodeURL: nw.Members[0].URL, Genesis: nw.Genesis, Key: farm, Auth: gateway.Auth{APIKeys: []string{apiKey}}})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- g.Run(rctx) }()
	defer func() { cancel(); <-done }()
	ib := time.Now()
	if err := g.WaitHeight(ctx, tip-1); err != nil {
		t.Fatal(err)
	}
	t.Logf("index built from height 1 to %d (%d events) in %.0f s: %.0f events/s", tip-1, g.Events(), time.Since(ib).Seconds(), float64(g.Events())/time.Since(ib).Seconds())

	srv := newServer(g)
	defer srv.Close()
	at := func(k int) time.Time {
		return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Second)
	}
	queries := []struct {
		name string
		q    func(k int) string
	}{
		{"(none: the first page)", func(int) string { return "" }},
		{"EQ_bizStep=inspecting", func(int) string { return "EQ_bizStep=inspecting" }},
		{"eventType, EQ_action, orderBy=eventTime DESC", func(int) string {
			return "eventType=ObjectEvent&EQ_action=OBSERVE&orderBy=eventTime&orderDirection=DESC"
		}},
		{"MATCH_epcClass (one lot)", func(k int) string {
			return "MATCH_epcClass=" + url.QueryEscape(fmt.Sprintf("urn:epc:class:lgtin:6923101.000010.B%d", k))
		}},
		{"EQ_eventID", func(k int) string {
			return "EQ_eventID=" + url.QueryEscape(fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", k))
		}},
		{"GE_eventTime, LT_eventTime (30 s)", func(k int) string {
			return "GE_eventTime=" + url.QueryEscape(at(k).Format(time.RFC3339)) + "&LT_eventTime=" + url.QueryEscape(at(k+30).Format(time.RFC3339))
		}},
		{"EQ_bizLocation, GE_recordTime", func(int) string {
			return "EQ_bizLocation=" + url.QueryEscape(farmGLN) + "&GE_recordTime=2000-01-01T00:00:00Z"
		}},
	}
	var lat []time.Duration
	per := map[int][]time.Duration{}
	const rounds = 300
	for r := 0; r < rounds; r++ {
		for qi, qq := range queries {
			k := (r * 7919) % (total - 40)
			k -= k % 2
			q := qq.q(k)
			t0 := time.Now()
			req, _ := http.NewRequest("GET", srv.URL+"/events?"+q, nil)
			req.Header.Set("Authorization", "Bearer "+apiKey)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("GET /events?%s: %v %v", q, resp, err)
			}
			var d queryDoc
			_ = json.NewDecoder(resp.Body).Decode(&d)
			resp.Body.Close()
			el := time.Since(t0)
			if len(d.Body.QueryResults.ResultsBody.EventList) == 0 {
				t.Errorf("GET /events?%s: no events", q)
			}
			lat = append(lat, el)
			per[qi] = append(per[qi], el)
		}
	}
	for qi, q := range queries {
		t.Logf("  %-46s p50 %v p99 %v", q.name, percentile(per[qi], 0.5).Round(10*time.Microsecond), percentile(per[qi], 0.99).Round(10*time.Microsecond))
	}
	t.Logf("GET /events on %d events, %d requests (perPage 30, one client): p50 %v, p99 %v", g.Events(), len(lat),
		percentile(lat, 0.5).Round(10*time.Microsecond), percentile(lat, 0.99).Round(10*time.Microsecond))
}
