package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	gonet "net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/httpserver"
	"github.com/qianchain/qianchain/node/web/webtest"
)

// serveWith serves node0's API with o behind the server the node builds
// (node/httpserver) with c, on 127.0.0.1, and returns its base URL.
func serveWith(t *testing.T, o api.Options, c httpserver.Config) string {
	t.Helper()
	raw, err := gonet.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := httpserver.New(api.NewWith(net.Nodes[0], o), c, ctx)
	go srv.Serve(httpserver.Listen(raw, c))
	t.Cleanup(func() { cancel(); srv.Close() })
	return "http://" + raw.Addr().String()
}

// clientFrom is an HTTP client whose connections come from the loopback
// address src, so one test can be several clients.
func clientFrom(src string) *http.Client {
	d := &gonet.Dialer{LocalAddr: &gonet.TCPAddr{IP: gonet.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

var serverTimeouts = httpserver.Config{ReadTimeout: time.Second, WriteTimeout: time.Second, IdleTimeout: time.Second}

// The event stream has no end, so the server's whole-request timeouts do
// not apply to it: with 1 s read and write timeouts a subscriber that
// reads keeps receiving blocks for as long as it listens. (Before, the
// stream relied on the server having no timeouts; with them, the expired
// read deadline cancelled it after a second.)
func TestEventStreamOutlivesServerTimeouts(t *testing.T) {
	needNet(t)
	url := serveWith(t, api.Options{}, serverTimeouts)
	resp, err := http.Get(url + "/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	start := time.Now()
	sc := bufio.NewScanner(resp.Body)
	var late int // blocks received after three timeouts' worth
	for sc.Scan() && late < 2 {
		if sc.Text() == "event: block" && time.Since(start) > 3*time.Second {
			late++
		}
		if time.Since(start) > 30*time.Second {
			break
		}
	}
	if late < 2 {
		t.Fatalf("the stream ended or went silent after %s (%v); a block a second was due", time.Since(start).Round(time.Millisecond), sc.Err())
	}
}

// Subscribers beyond the cap, per client or in all, get 503
// ERR_TOO_MANY_STREAMS; a subscriber that leaves frees its place.
func TestEventStreamSubscribersAreCapped(t *testing.T) {
	needNet(t)
	url := serveWith(t, api.Options{Streams: api.StreamLimits{Max: 3, PerClient: 2, LimitLoopback: true}}, httpserver.Config{})
	sp, err := webtest.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	subscribe := func(src string) (*http.Response, string) {
		resp, err := clientFrom(src).Get(url + "/v1/events")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusOK {
			t.Cleanup(func() { resp.Body.Close() })
			return resp, ""
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sp.Check(t, http.MethodGet, "/v1/events", resp, body)
		var e api.Error
		_ = json.Unmarshal(body, &e)
		return resp, e.Code
	}
	a1, _ := subscribe("127.0.0.1")
	subscribe("127.0.0.1")
	if resp, code := subscribe("127.0.0.1"); resp.StatusCode != http.StatusServiceUnavailable || code != "ERR_TOO_MANY_STREAMS" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a client's third subscription: %d %s", resp.StatusCode, code)
	}
	if resp, _ := subscribe("127.0.0.2"); resp.StatusCode != http.StatusOK {
		t.Fatalf("another client refused while the first is at its cap: %d", resp.StatusCode)
	}
	if resp, code := subscribe("127.0.0.3"); resp.StatusCode != http.StatusServiceUnavailable || code != "ERR_TOO_MANY_STREAMS" {
		t.Fatalf("a fourth subscriber in all: %d %s", resp.StatusCode, code)
	}
	a1.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, _ := subscribe("127.0.0.3")
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a subscriber that left did not free its place")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Reads (GET, pages included) have a per-client budget of their own: past
// it they get 429 ERR_RATE_LIMITED, and submissions, on their own budget,
// still get through to admission.
func TestReadsAreRateLimitedApartFromSubmissions(t *testing.T) {
	needNet(t)
	url := serveWith(t, api.Options{Read: api.LimitConfig{Rate: 0.001, Burst: 2, LimitLoopback: true}}, httpserver.Config{})
	var codes []int
	for i := 0; i < 3; i++ {
		resp, err := http.Get(url + "/v1/status")
		if err != nil {
			t.Fatal(err)
		}
		var e api.Error
		if resp.StatusCode == http.StatusTooManyRequests {
			json.NewDecoder(resp.Body).Decode(&e)
			if e.Code != "ERR_RATE_LIMITED" || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("429 body %+v, Retry-After %q", e, resp.Header.Get("Retry-After"))
			}
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v, want 200 200 429", codes)
	}
	if resp, err := clientFrom("127.0.0.2").Get(url + "/v1/status"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("another client is limited too: %v %v", resp, err)
	}
	resp, err := http.Post(url+"/v1/txs", "application/octet-stream", strings.NewReader("garbage"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a submission after the reads ran out: %d, want admission's 400", resp.StatusCode)
	}
}

// A submission whose body stops arriving is answered 408
// ERR_REQUEST_TIMEOUT when the read timeout passes (it used to say 413
// ERR_BODY_TOO_LARGE, which it is not).
func TestSlowSubmissionBodyTimesOut(t *testing.T) {
	needNet(t)
	url := serveWith(t, api.Options{}, serverTimeouts)
	c, err := gonet.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /v1/txs HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 2000\r\n\r\n0102")
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	var e api.Error
	json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != http.StatusRequestTimeout || e.Code != "ERR_REQUEST_TIMEOUT" {
		t.Fatalf("%d %s: %s", resp.StatusCode, e.Code, e.Message)
	}
}

// A body over its endpoint's limit is answered 413 ERR_BODY_TOO_LARGE
// whether the client declared its length (read into one buffer of that
// length) or streamed it chunked (read as it comes).
func TestOversizedBodiesAreRefused(t *testing.T) {
	needNet(t)
	for _, c := range []struct {
		path, ctype string
		size        int
	}{
		{"/v1/txs", "application/octet-stream", 3 << 20}, // twice the genesis's 1 MiB transaction limit, and more
		{"/v1/txs/batch", "application/json", api.MaxBatchBytes + 1},
	} {
		for _, declared := range []bool{true, false} {
			var body io.Reader = strings.NewReader(strings.Repeat("0", c.size))
			if !declared {
				body = io.MultiReader(body) // no length known: sent chunked
			}
			req, err := http.NewRequest(http.MethodPost, net.URL+c.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", c.ctype)
			if declared != (req.ContentLength == int64(c.size)) {
				t.Fatalf("%s: the request declares %d bytes", c.path, req.ContentLength)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s, length declared %v: %v", c.path, declared, err)
			}
			var e api.Error
			json.NewDecoder(resp.Body).Decode(&e)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || e.Code != "ERR_BODY_TOO_LARGE" {
				t.Errorf("%s, length declared %v: %d %s %s", c.path, declared, resp.StatusCode, e.Code, e.Message)
			}
		}
	}
}

// A body is held as it arrives, never in a buffer of the length its client
// declares: the attack run's slow clients each declared up to 16 MiB and sent
// a byte a second, and a buffer sized from the declaration held 4 GB of the
// node's memory (docs/benchmarks.md, "tried and taken back"). Sixteen such
// requests here would hold 256 MiB of heap; as read, they hold a few KB
// (the bound, 64 MiB, leaves room for the devnet's own allocations).
func TestSlowBodiesHoldOnlyWhatArrived(t *testing.T) {
	needNet(t)
	const slow = 16
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	addr := strings.TrimPrefix(net.URL, "http://")
	for i := 0; i < slow; i++ {
		c, err := gonet.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /v1/txs/batch HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"txs\":[\"", addr, api.MaxBatchBytes)
	}
	// The handlers have the headers and the first bytes; give them time to
	// allocate whatever they would.
	time.Sleep(time.Second)
	after := heap()
	if grew := int64(after) - int64(before); grew > 64<<20 {
		t.Fatalf("%d requests declaring %d bytes each and sending 9 hold %d MiB more heap (%d → %d): bodies are buffered by their declared length",
			slow, api.MaxBatchBytes, grew>>20, before>>20, after>>20)
	}
}
