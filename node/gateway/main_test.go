package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/gateway"
	"github.com/qianchain/qianchain/node/gateway/gatewaytest"
	"github.com/qianchain/qianchain/node/nodetest"
)

// The live network every test of this package shares: four validators
// running the contracts, with the demo farm (prefix 6923101) as the one
// member whose key the gateways hold. Started by the first test that needs
// it, stopped by TestMain.
var (
	netOnce sync.Once
	shared  *nodetest.Network
	farmKey ledger.PrivateKey
	stopNet func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	if stopNet != nil {
		stopNet()
	}
	os.Exit(code)
}

func network(t *testing.T) *nodetest.Network {
	t.Helper()
	if testing.Short() {
		t.Skip("runs a 4-validator network")
	}
	netOnce.Do(func() {
		farmKey, _ = ledger.GenerateKey()
		spec := demo.Farm.Spec("farm", farmKey.PublicKey())
		org := genesis.Organisation{ID: spec.ID, Name: spec.Name, Roles: []genesis.Role{genesis.Role(membership.Farm)},
			GS1Prefixes: spec.Prefixes, GLNs: spec.GLNs, Admins: spec.Admins}
		// The network outlives the test that starts it: it gets a TB of its
		// own whose cleanup TestMain runs.
		nt := &lifetimeTB{TB: t}
		shared = nodetest.New(nt, nodetest.Options{Validators: 4, ChainID: "qian-gateway-test", Orgs: []genesis.Organisation{org},
			App:     func() node.Application { return node.NewContractsApp() },
			Handler: func(n *node.Node) http.Handler { return api.New(n) }})
		shared.StartAll()
		shared.WaitHeight(2, 60*time.Second)
		stopNet = func() { shared.StopAll(); nt.cleanup() }
	})
	if shared == nil {
		t.Fatal("the shared network did not start")
	}
	return shared
}

// lifetimeTB defers cleanups registered on it to TestMain, and fails
// through whichever test is running.
type lifetimeTB struct {
	testing.TB
	mu  sync.Mutex
	fns []func()
}

func (l *lifetimeTB) Cleanup(f func()) { l.mu.Lock(); l.fns = append(l.fns, f); l.mu.Unlock() }
func (l *lifetimeTB) TempDir() string {
	d, err := os.MkdirTemp("", "qian-gateway-net-")
	if err != nil {
		panic(err)
	}
	l.Cleanup(func() { os.RemoveAll(d) })
	return d
}
func (l *lifetimeTB) Logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func (l *lifetimeTB) cleanup() {
	for i := len(l.fns) - 1; i >= 0; i-- {
		l.fns[i]()
	}
}

const apiKey = "test-api-key-0123456789"

// gw is a running gateway with its HTTP server.
type gw struct {
	t    *testing.T
	G    *gateway.Gateway
	URL  string
	home string
	srv  *httptest.Server
	stop func()
	spec *gatewaytest.Spec
}

func startGateway(t *testing.T, home string, opt func(*gateway.Options)) *gw {
	t.Helper()
	nw := network(t)
	o := gateway.Options{Home: home, NodeURL: nw.Members[0].URL, Genesis: nw.Genesis, Key: farmKey,
		Auth: gateway.Auth{APIKeys: []string{apiKey}}}
	if opt != nil {
		opt(&o)
	}
	g, err := gateway.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	srv := httptest.NewServer(g.Handler())
	x := &gw{t: t, G: g, URL: srv.URL, home: home, srv: srv}
	var once sync.Once
	x.stop = func() {
		once.Do(func() {
			srv.Close()
			cancel()
			if err := <-done; err != nil && err != context.Canceled {
				t.Errorf("gateway stopped: %v", err)
			}
			g.Close()
		})
	}
	t.Cleanup(x.stop)
	return x
}

// do sends a request with the API key and returns the answer, checked
// against GS1's OpenAPI description when spec is set.
func (x *gw) do(method, path string, body []byte, hdr ...string) (*http.Response, []byte) {
	x.t.Helper()
	req, err := http.NewRequest(method, x.URL+path, bytes.NewReader(body))
	if err != nil {
		x.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/ld+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		x.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("GS1-EPCIS-Version") != gateway.EPCISVersion || resp.Header.Get("GS1-CBV-Version") != gateway.CBVVersion {
		x.t.Errorf("%s %s: version headers %q %q", method, path, resp.Header.Get("GS1-EPCIS-Version"), resp.Header.Get("GS1-CBV-Version"))
	}
	if x.spec != nil {
		if err := x.spec.Validate(method, path, resp, b); err != nil {
			x.t.Error(err)
		}
	}
	return resp, b
}

// expect fails unless the answer has the status.
func expect(t *testing.T, resp *http.Response, body []byte, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: %s, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.Status, status, body)
	}
}

// waitJob polls a capture job until it is no longer running.
func (x *gw) waitJob(loc string) *gateway.JobView {
	x.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, body := x.do("GET", loc, nil)
		expect(x.t, resp, body, 200)
		var v gateway.JobView
		if err := json.Unmarshal(body, &v); err != nil {
			x.t.Fatal(err)
		}
		if !v.Running {
			return &v
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("%s still running: %s", loc, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// capture posts a document and waits for its job.
func (x *gw) capture(doc []byte, hdr ...string) *gateway.JobView {
	x.t.Helper()
	resp, body := x.do("POST", "/capture", doc, hdr...)
	expect(x.t, resp, body, 202)
	return x.waitJob(resp.Header.Get("Location"))
}

// event is a test event: a farm commissioning (ADD) a lot of its own, or
// observing one.
type event struct {
	id     string // eventID; "" for none
	lot    string // lot number of GTIN 06923101000104
	action string
	step   string
	time   time.Time
	prefix string // company prefix of the lot's GTIN (default the farm's)
	loc    string // readPoint and bizLocation (default farmGLN)
}

const farmGLN = "urn:epc:id:sgln:6923101.00002.0"

func (e event) json() string {
	prefix := e.prefix
	if prefix == "" {
		prefix = "6923101"
	}
	action, step := e.action, e.step
	if action == "" {
		action, step = "ADD", "commissioning"
	}
	id := ""
	if e.id != "" {
		id = fmt.Sprintf(`"eventID": %q,`, e.id)
	}
	loc := e.loc
	if loc == "" {
		loc = farmGLN
	}
	ts := e.time
	if ts.IsZero() {
		ts = time.Date(2025, 3, 24, 9, 30, 0, 0, time.UTC)
	}
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventTime": %q, "eventTimeZoneOffset": "+08:00", %s
 "action": %q, "bizStep": %q, "disposition": "active", "readPoint": {"id": %q}, "bizLocation": {"id": %q}, "epcList": [],
 "quantityList": [{"epcClass": "urn:epc:class:lgtin:%s.%s.%s", "quantity": 12.5, "uom": "KGM"}]}`,
		ts.In(time.FixedZone("", 8*3600)).Format(time.RFC3339Nano), id, action, step, loc, loc, prefix, itemRef(prefix), e.lot)
}

// itemRef completes a 7-digit company prefix to 13 digits.
func itemRef(string) string { return "000010" }

func document(events ...event) []byte {
	parts := make([]string, len(events))
	for i, e := range events {
		parts[i] = e.json()
	}
	return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument",
 "schemaVersion": "2.0", "creationDate": "2025-03-24T09:35:00+08:00", "epcisBody": {"eventList": [` + strings.Join(parts, ",\n") + `]}}`)
}

// lots returns n commissioning events for lots "<tag>-0", "<tag>-1", ...
func lots(tag string, n int, withIDs bool) []event {
	out := make([]event, n)
	for i := range out {
		out[i] = event{lot: fmt.Sprintf("%s-%d", tag, i), time: time.Date(2025, 3, 24, 9, 30, i, 0, time.UTC)}
		if withIDs {
			out[i].id = fmt.Sprintf("urn:uuid:%08x-0000-4000-8000-%012d", hash32(tag), i)
		}
	}
	return out
}

func hash32(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

func httpGet(u string) (int, error) {
	resp, err := http.Get(u)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func newServer(g *gateway.Gateway) *httptest.Server { return httptest.NewServer(g.Handler()) }
