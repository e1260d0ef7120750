package api_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/httpserver"
	"github.com/qianchain/qianchain/node/view"
)

func TestStatusAndBlocks(t *testing.T) {
	needNet(t)
	var st api.StatusResponse
	get(t, "/v1/status", http.StatusOK, &st)
	if st.ChainID != "qian-devnet" || st.Validators != 4 || st.Height < 40 {
		t.Fatalf("%+v", st)
	}
	// The software and protocol versions; no upgrade scheduled or applied.
	if p := st.Protocol; p == nil || p.Software == "" || p.Version != 1 || p.Supported < 1 || p.Planned != nil || len(p.Applied) != 0 {
		t.Fatalf("protocol in status: %+v", p)
	}
	var b view.Block
	get(t, "/v1/blocks/1", http.StatusOK, &b)
	if b.Height != 1 || b.Hash.IsZero() || b.ProposerIndex < 0 || b.ProposerName == "" {
		t.Fatalf("%+v", b)
	}
	get(t, "/v1/blocks/latest", http.StatusOK, &b)
	var page api.BlocksResponse
	get(t, "/v1/blocks?limit=3", http.StatusOK, &page)
	if len(page.Blocks) != 3 || page.Blocks[0].Height <= page.Blocks[2].Height || page.Next != page.Blocks[2].Height {
		t.Fatalf("blocks page: %d blocks, next %d", len(page.Blocks), page.Next)
	}
	var older api.BlocksResponse
	get(t, fmt.Sprintf("/v1/blocks?limit=2&before=%d", page.Next), http.StatusOK, &older)
	if older.Blocks[0].Height != page.Next-1 {
		t.Fatalf("before=%d gave %d", page.Next, older.Blocks[0].Height)
	}
	get(t, "/v1/blocks/0", http.StatusBadRequest, nil)
	get(t, "/v1/blocks/99999999", http.StatusNotFound, nil)

	// The block's transactions' hashes alone are the view's, in order.
	var full view.Block
	var hs view.BlockTxHashes
	for h := uint64(1); len(full.Txs) == 0; h++ {
		get(t, fmt.Sprintf("/v1/blocks/%d", h), http.StatusOK, &full)
		get(t, fmt.Sprintf("/v1/blocks/%d/txhashes", h), http.StatusOK, &hs)
		if hs.Height != h || hs.Hash != full.Hash || hs.Time != full.Time || len(hs.TxHashes) != len(full.Txs) {
			t.Fatalf("txhashes of %d: %+v; the block's view: hash %s time %s, %d txs", h, hs, full.Hash, full.Time, len(full.Txs))
		}
		for i, tx := range full.Txs {
			if hs.TxHashes[i] != tx.Hash {
				t.Fatalf("txhashes of %d: [%d] %s, the view's %s", h, i, hs.TxHashes[i], tx.Hash)
			}
		}
	}
	get(t, "/v1/blocks/0/txhashes", http.StatusBadRequest, nil)
	get(t, "/v1/blocks/x/txhashes", http.StatusBadRequest, nil)
	get(t, "/v1/blocks/99999999/txhashes", http.StatusNotFound, nil)
	get(t, "/v1/blocks?limit=1000", http.StatusBadRequest, nil)
}

// A committed transaction shows its result, its events and its payload
// decoded; a capture's payload is the EPCIS event.
func TestTxIsDecoded(t *testing.T) {
	needNet(t)
	var l view.Lot
	get(t, lotPath(demo.DemoLot), http.StatusOK, &l)
	var tx api.TxResponse
	get(t, "/v1/txs/"+l.History[0].TxHash.String(), http.StatusOK, &tx)
	if tx.Status != "committed" || tx.Code != "OK" || tx.SenderOrg == nil || tx.SenderOrg.ID != "processor" || tx.Tx == nil {
		t.Fatalf("%+v", tx)
	}
	var ev map[string]any
	if err := json.Unmarshal(tx.Payload, &ev); err != nil || ev["type"] != "TransformationEvent" {
		t.Fatalf("payload %s: %v", tx.Payload, err)
	}
	if len(tx.Events) == 0 || tx.Events[0].Type != "trace.event" {
		t.Fatalf("events %+v", tx.Events)
	}
	// The payload is the event as captured: the demo's transformation had
	// no eventID and gains none; its hash on chain is in the events.
	if id, has := ev["eventID"]; has {
		t.Fatalf("the payload shows an eventID the capture did not have: %v", id)
	}
	if a := tx.Events[0].Attrs; len(a) == 0 || a[0].Key != "event" || a[0].Value != l.History[0].Hash.String() {
		t.Fatalf("the trace.event does not name the record hash %s: %+v", l.History[0].Hash, a)
	}
	// The deliberately refused sale of the recalled lot.
	found := false
	for h := uint64(1); h <= net.Nodes[0].Store.Height() && !found; h++ {
		var b view.Block
		if do(t, http.MethodGet, fmt.Sprintf("/v1/blocks/%d", h), "", nil, http.StatusOK, &b) == nil {
			continue
		}
		for _, s := range b.Txs {
			if s.Code == "ERR_RECALLED" {
				get(t, "/v1/txs/"+s.Hash.String(), http.StatusOK, &tx)
				if tx.Code != "ERR_RECALLED" || tx.Message == "" || len(tx.Events) != 0 {
					t.Fatalf("refused tx: %+v", tx)
				}
				found = true
			}
		}
	}
	if !found {
		t.Fatal("no ERR_RECALLED transaction on the chain")
	}
	get(t, "/v1/txs/zz", http.StatusBadRequest, nil)
	get(t, "/v1/txs/"+strings.Repeat("0", 64), http.StatusNotFound, nil)
}

// anchorTx signs a notary.anchor of a fresh random hash by the data
// exchange.
func anchorTx(t *testing.T) (*ledger.Tx, ledger.Hash) {
	t.Helper()
	k, err := net.Key(membership.DataExchange)
	if err != nil {
		t.Fatal(err)
	}
	var h ledger.Hash
	rand.Read(h[:])
	var nonce [8]byte
	rand.Read(nonce[:])
	p := &notary.Anchor{Hash: h, Kind: notary.Evidence, Name: "api test " + h.Short(), MediaType: "text/plain"}
	tx := &ledger.Tx{ChainID: net.Genesis.ChainID, Sender: k.PublicKey(), Nonce: uint64(nonce[0])<<32 | uint64(nonce[1])<<24 | uint64(nonce[2]), Contract: notary.Contract, Method: notary.MethodAnchor, Payload: p.Encode()}
	if err := tx.Sign(k); err != nil {
		t.Fatal(err)
	}
	return tx, h
}

func waitCommitted(t *testing.T, h ledger.Hash) *api.TxResponse {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var tx api.TxResponse
		get(t, "/v1/txs/"+h.String(), http.StatusOK, &tx)
		if tx.Status == "committed" {
			return &tx
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not committed", h.Short())
	return nil
}

// Submission accepts only signed transactions, in JSON, raw bytes or a
// batch, and the anchored hash is then found by the notary lookup.
//
// The devnet's nodes answer plain one-transaction submissions in the HTTP
// lane (node/httpserver) until a connection carries another kind of
// request (then net/http serves it), so the first two submissions here, on
// a fresh connection, are the lane's, and their statuses and bodies are
// held to docs/openapi.yaml by do as the rest are.
func TestSubmitAndNotaryLookup(t *testing.T) {
	needNet(t)
	http.DefaultClient.CloseIdleConnections()
	laned := laneRequests(t)
	defer func() {
		if n := laneRequests(t) - laned; n < 2 {
			t.Errorf("the lane answered %v of the submissions; want the first two at least", n)
		}
	}()
	tx, anchored := anchorTx(t)
	body, _ := json.Marshal(api.SubmitRequest{Tx: hex.EncodeToString(tx.Encode())})
	var sr api.SubmitResponse
	do(t, http.MethodPost, "/v1/txs", "application/json", body, http.StatusAccepted, &sr)
	if sr.Hash != tx.Hash() || sr.Code != "OK" {
		t.Fatalf("%+v", sr)
	}
	do(t, http.MethodPost, "/v1/txs", "application/octet-stream", tx.Encode(), http.StatusConflict, nil)
	if got := waitCommitted(t, tx.Hash()); got.Code != "OK" {
		t.Fatalf("%+v", got)
	}
	var it view.NotaryItem
	get(t, "/v1/notary/"+anchored.String(), http.StatusOK, &it)
	if it.Org.ID != "data_exchange" || it.TxHash != tx.Hash() || it.Verification == nil || !it.Verification.Verified {
		t.Fatalf("%+v", it)
	}
	// The demo's certificate document.
	cert := sha256.Sum256([]byte("黔南州茶叶质量检测中心 检测报告 QNTC-2025-0412: 都匀毛尖 DYMJ20250325A/B, GB 2763-2021 农药残留 54 项 未检出 (54 pesticide residues per GB 2763-2021: none detected)\n"))
	get(t, "/v1/notary/"+hex.EncodeToString(cert[:]), http.StatusOK, &it)
	if it.Kind != "evidence" || !strings.Contains(string(it.Metadata), "QNTC-2025-0412") {
		t.Fatalf("%+v %s", it, it.Metadata)
	}
	get(t, "/v1/notary/"+strings.Repeat("ab", 32), http.StatusNotFound, nil)

	// Unsigned: the signature is zero.
	bad := *tx
	bad.Nonce++
	bad.Sig = ledger.Signature{}
	var e api.Error
	do(t, http.MethodPost, "/v1/txs", "application/octet-stream", bad.Encode(), http.StatusBadRequest, &e)
	if !strings.Contains(e.Code, "SIG") {
		t.Fatalf("unsigned tx: %+v", e)
	}
	do(t, http.MethodPost, "/v1/txs", "application/json", []byte(`{"tx":"zz"}`), http.StatusBadRequest, nil)
	do(t, http.MethodPost, "/v1/txs", "application/json", []byte(`nope`), http.StatusBadRequest, nil)
	do(t, http.MethodPost, "/v1/txs", "application/octet-stream", make([]byte, 8<<20), http.StatusRequestEntityTooLarge, nil)

	// A batch: one good, one duplicate, one garbage.
	tx2, _ := anchorTx(t)
	body, _ = json.Marshal(api.BatchRequest{Txs: []string{hex.EncodeToString(tx2.Encode()), hex.EncodeToString(tx.Encode()), "00ff", "xyz"}})
	var br api.BatchResponse
	do(t, http.MethodPost, "/v1/txs/batch", "application/json", body, http.StatusOK, &br)
	if br.Accepted != 1 || br.Rejected != 3 || br.Results[0].Code != "OK" || br.Results[1].Code == "OK" || br.Results[3].Code != "ERR_BAD_JSON" {
		t.Fatalf("%+v", br)
	}
	waitCommitted(t, tx2.Hash())
	do(t, http.MethodPost, "/v1/txs/batch", "application/json", []byte(`{"txs":[]}`), http.StatusBadRequest, nil)
}

// Submissions beyond the bucket get 429 ERR_RATE_LIMITED; loopback is
// exempt unless configured otherwise.
func TestSubmissionsAreRateLimited(t *testing.T) {
	needNet(t)
	n := net.Nodes[0]
	for _, c := range []struct {
		cfg     api.LimitConfig
		limited bool
	}{
		{api.LimitConfig{Rate: 0.001, Burst: 2, LimitLoopback: true}, true},
		{api.LimitConfig{Rate: 0.001, Burst: 2}, false},
	} {
		for _, lane := range []bool{false, true} {
			rateLimited(t, api.NewWith(n, api.Options{Limit: c.cfg}), c.cfg, c.limited, lane)
		}
	}
}

// rateLimited submits four transactions to h's server (with or without
// the lane) and checks that the last two are refused with 429 when limited.
func rateLimited(t *testing.T, h *api.Server, cfg api.LimitConfig, limited, lane bool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	if lane {
		s := httpserver.NewServer(h, httpserver.Config{}, context.Background(), h.Lane())
		go s.Serve(srv.Listener)
		defer func() {
			if s.Served() != 4 {
				t.Errorf("the lane answered %d of the 4 submissions", s.Served())
			}
			s.Close()
		}()
		srv.URL = "http://" + srv.Listener.Addr().String()
	} else {
		srv.Start()
		defer srv.Close()
	}
	{
		var codes []int
		for i := 0; i < 4; i++ {
			resp, err := http.Post(srv.URL+"/v1/txs", "application/octet-stream", strings.NewReader("garbage"))
			if err != nil {
				t.Fatal(err)
			}
			codes = append(codes, resp.StatusCode)
			if resp.StatusCode == http.StatusTooManyRequests {
				var e api.Error
				json.NewDecoder(resp.Body).Decode(&e)
				if e.Code != "ERR_RATE_LIMITED" || resp.Header.Get("Retry-After") == "" {
					t.Fatalf("429 body %+v, Retry-After %q", e, resp.Header.Get("Retry-After"))
				}
			}
			resp.Body.Close()
		}
		got429 := codes[2] == http.StatusTooManyRequests && codes[3] == http.StatusTooManyRequests && codes[0] == http.StatusBadRequest
		if got429 != limited {
			t.Fatalf("limit %+v, lane %v: statuses %v", cfg, lane, codes)
		}
	}
}

// laneRequests is node0's count of requests its HTTP lane answered.
func laneRequests(t *testing.T) float64 {
	t.Helper()
	mfs, err := net.Nodes[0].Metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "qian_http_lane_requests_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("node0 has no qian_http_lane_requests_total")
	return 0
}

func TestCORSAndUnknownRoutes(t *testing.T) {
	needNet(t)
	resp, err := http.Get(net.URL + "/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatal("GET without CORS header")
	}
	req, _ := http.NewRequest(http.MethodOptions, net.URL+"/v1/txs", nil)
	req.Header.Set("Origin", "https://example.cn")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	var e api.Error
	get(t, "/v1/nothing", http.StatusNotFound, &e)
	if e.Code != "ERR_NO_ROUTE" {
		t.Fatalf("%+v", e)
	}
}

func TestSearchProductsAndOrgs(t *testing.T) {
	needNet(t)
	var l view.Lot
	get(t, lotPath(demo.DemoLot), http.StatusOK, &l)
	cases := map[string]string{
		l.History[0].TxHash.String(): "tx",
		l.History[0].Hash.String():   "event",
		demo.DemoLot.Path():          "lot",
		demo.DemoLot.URI():           "lot",
		demo.LotMaojian:              "lot",
		"1":                          "block",
		demo.GTINMaojianSpecial:      "product",
		"inspector":                  "org",
	}
	for q, kind := range cases {
		var sr api.SearchResponse
		get(t, "/v1/search?q="+urlQuery(q), http.StatusOK, &sr)
		if len(sr.Results) == 0 || sr.Results[0].Kind != kind {
			t.Errorf("search %q: %+v, want a %s", q, sr.Results, kind)
		}
	}
	var sr api.SearchResponse
	get(t, "/v1/search?q=nothing-here", http.StatusOK, &sr)
	if len(sr.Results) != 0 {
		t.Fatalf("%+v", sr)
	}
	var p view.ProductView
	get(t, "/v1/products/"+demo.GTINGradedLeaves, http.StatusOK, &p)
	if p.Product == nil || p.Owner.ID != "cooperative" || len(p.Lots) != 2 {
		t.Fatalf("%+v", p)
	}
	get(t, "/v1/products/06923103000119", http.StatusBadRequest, nil)
	get(t, "/v1/products/06901234567892", http.StatusNotFound, nil)
	var o struct {
		Founding bool
		Since    uint64
		Accounts []map[string]any
	}
	get(t, "/v1/orgs/farm2", http.StatusOK, &o)
	if o.Founding || o.Since == 0 || len(o.Accounts) != 1 {
		t.Fatalf("%+v", o)
	}
	var os struct{ Orgs []map[string]any }
	get(t, "/v1/orgs", http.StatusOK, &os)
	if len(os.Orgs) != 9 {
		t.Fatalf("%d orgs", len(os.Orgs))
	}
	get(t, "/v1/orgs/nobody", http.StatusNotFound, nil)
}

func urlQuery(s string) string {
	r := strings.NewReplacer("/", "%2F", ":", "%3A", "?", "%3F", "&", "%26", "#", "%23", " ", "%20")
	return r.Replace(s)
}

// The stream replays committed blocks from ?from= (with their events),
// then follows new ones.
func TestEventStream(t *testing.T) {
	needNet(t)
	resp, err := http.Get(net.URL + "/v1/events?from=1&types=trace.recall")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	tip := net.Nodes[0].Store.Height()
	sc := bufio.NewScanner(resp.Body)
	var event string
	var blocks, recalls int
	var last uint64
	deadline := time.Now().Add(20 * time.Second)
	for sc.Scan() && time.Now().Before(deadline) {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data := strings.TrimPrefix(line, "data: ")
			switch event {
			case "block":
				var b api.StreamBlock
				if err := json.Unmarshal([]byte(data), &b); err != nil {
					t.Fatal(err)
				}
				if b.Height != last+1 {
					t.Fatalf("block %d after %d", b.Height, last)
				}
				last = b.Height
				blocks++
			case "event":
				var e api.StreamEvent
				if err := json.Unmarshal([]byte(data), &e); err != nil {
					t.Fatal(err)
				}
				if e.Type != "trace.recall" {
					t.Fatalf("filtered stream sent %s", e.Type)
				}
				recalls++
			}
		}
		if last > tip+1 { // replayed everything and saw a live block
			break
		}
	}
	if recalls != 1 || last <= tip {
		t.Fatalf("%d blocks up to %d (tip was %d), %d recalls", blocks, last, tip, recalls)
	}
	get(t, "/v1/events?from=x", http.StatusBadRequest, nil)
}

// GET /v1/validators: the set of a height from the chain's state; the
// genesis set at height 1, unknown beyond tip+2.
func TestValidatorsOfAHeight(t *testing.T) {
	needNet(t)
	var vs view.Validators
	get(t, "/v1/validators?height=1", http.StatusOK, &vs)
	want, err := net.Genesis.ValidatorSet()
	if err != nil {
		t.Fatal(err)
	}
	if vs.From != 1 || vs.Hash != want.Hash() || len(vs.Validators) != want.Size() || vs.Validators[0].Name != net.Genesis.Validators[0].Name ||
		vs.Validators[0].Org != net.Genesis.Validators[0].Org || vs.Validators[0].PeerID != net.Genesis.Validators[0].PeerID.String() {
		t.Fatalf("height 1: %+v", vs)
	}
	var next view.Validators
	get(t, "/v1/validators", http.StatusOK, &next)
	if next.Height != next.Tip+1 || next.Hash != want.Hash() || len(next.Pending) != 0 {
		t.Fatalf("next height: %+v", next)
	}
	get(t, fmt.Sprintf("/v1/validators?height=%d", next.Tip+100), http.StatusNotFound, nil)
	get(t, "/v1/validators?height=0", http.StatusBadRequest, nil)
}
