package main

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/internal/testenv"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/node/audit/audittest"
	"github.com/qianchain/qianchain/node/devnet"
	"github.com/qianchain/qianchain/node/web/verifier"
)

// The one-file verifier page in a real chromium, from file://, against a
// real devnet (its API serves the proofs and lots with CORS): genuine
// bundles of every kind verify — a single anchor, a notary batch item's
// certificate, a trace capture with its personal-data disclosures, a
// lot's events through its Digital Link, a bundle across validator-set
// changes — and tampered ones and one of another chain are refused; on
// every file the page and `qian verify --json` give the same verdict and
// code. A node that lies (a proxy serving a forged bundle, or a lot whose
// event list names an event no bundle proves) is caught. The page makes no
// request but to the bundles' sources.
func TestVerifierPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet, builds the WebAssembly verifier and drives chromium")
	}
	isolate(t)
	ctx, requests := verifierBrowser(t)
	wasm := verifierWasm(t)
	url, keys := runningDevnet(t)
	t.Setenv("QIAN_PASSPHRASE", devnet.DefaultPassphrase)
	t.Setenv("QIAN_NODE", url)
	t.Setenv("QIAN_KEYRING", keys)
	gen := filepath.Join(filepath.Dir(keys), "genesis.json")
	work := t.TempDir()
	page := filepath.Join(work, "verify.html")
	r := runQian(t, "", nil, "verifier-page", "--genesis", gen, "-o", page, "--wasm", wasm)
	r.want(t, 0, "SHA-256 ")
	pageBytes := mustRead(t, page)
	if sum := sha256.Sum256(pageBytes); !strings.Contains(r.stdout, fmt.Sprintf("%x", sum)) {
		t.Fatalf("the printed SHA-256 is not the file's:\n%s", r.stdout)
	}
	// Without --wasm, a qian with no verifier built in, no QIAN_VERIFIER_WASM
	// and outside the source tree (where it would build one) asks for it.
	t.Run("no verifier to be had", func(t *testing.T) {
		t.Chdir(work)
		t.Setenv("QIAN_VERIFIER_WASM", "")
		runQian(t, "", nil, "verifier-page", "--genesis", gen, "-o", page).wantErr(t, 2, "usage", "--wasm")
	})
	r = runQian(t, "", nil, "verifier-page", "--genesis", gen, "-o", page, "--wasm", wasm) // the page again, for what follows
	r.want(t, 0, "SHA-256 ")

	host := newStaticHost(t, filepath.Join(work, "host"))
	var cases []pageCase
	add := func(name string, raw []byte, wantVerified bool) {
		cases = append(cases, pageCase{name: name, path: host.put(t, name+".json", raw), want: wantVerified})
	}

	// A trace capture, whose disclosures the page checks too (by upload);
	// its bundle is fetched once later blocks prove its outcome.
	doc := filepath.Join(work, "harvest.jsonld")
	os.WriteFile(doc, mustRead(t, "testdata/harvest-new-lot.jsonld"), 0o644)
	capture := submitJSON(t, "trace", "capture", doc, "--key", "farm", "--json")

	// A single anchor, and a notary batch's certificate.
	data := filepath.Join(work, "sales.csv")
	os.WriteFile(data, []byte("month,kg\n2025-04,1200\n"), 0o644)
	anchor := submitJSON(t, "notary", "anchor", data, "--key", "farm", "--json")
	photos := filepath.Join(work, "photos")
	os.MkdirAll(photos, 0o755)
	for i := 0; i < 3; i++ {
		os.WriteFile(filepath.Join(photos, fmt.Sprintf("img%d.jpg", i)), []byte(fmt.Sprint("photo ", i)), 0o644)
	}
	runQian(t, "", nil, "notary", "batch", photos, "--out", filepath.Join(work, "certs"), "--key", "farm").want(t, 0, "3 certificates")
	cert := mustRead(t, filepath.Join(work, "certs", "img1.jpg.cert.json"))

	anchorBundle := httpGet(t, url+"/v1/txs/"+anchor.TxHash.String()+"/proof")
	add("anchor", anchorBundle, true)
	add("certificate", cert, true)
	captureBundle := httpGet(t, url+"/v1/txs/"+capture.TxHash.String()+"/proof")
	add("capture", captureBundle, true)

	// Across validator-set changes: a chain of its own, with its own page.
	vs := valsetChain(t)
	vsPage := filepath.Join(work, "verify-valset.html")
	runQian(t, "", nil, "verifier-page", "--genesis", vs.gen, "-o", vsPage, "--wasm", wasm).want(t, 0, "SHA-256")
	vsCase := pageCase{name: "valset", path: host.put(t, "valset.json", vs.bundle), want: true}
	// That chain's bundle is another chain's to the devnet's page.
	add("other-chain", vs.bundle, false)

	// Tampered: every hex string and number of the anchor bundle and the
	// certificate changed in turn, and a few malformed files.
	n := 0
	for _, src := range []struct {
		name string
		raw  []byte
	}{{"anchor", anchorBundle}, {"cert", cert}} {
		for i, v := range tamperings(src.raw) {
			if i%2 == 1 && src.name == "cert" {
				continue // the certificate's bundle is the anchor's kind: half of it is enough
			}
			add(fmt.Sprintf("tampered-%s-%03d", src.name, i), v, false)
			n++
		}
	}
	add("tampered-empty", []byte(""), false)
	add("tampered-not-json", []byte("<html>not a bundle</html>"), false)
	add("tampered-truncated", anchorBundle[:len(anchorBundle)/2], false)
	add("tampered-upper-hex", []byte(strings.Replace(string(anchorBundle), anchor.TxHash.String(), strings.ToUpper(anchor.TxHash.String()), 1)), false)
	t.Logf("%d tampered bundles", n+4)

	// The page from file://; each case through #bundle=URL.
	step(t, ctx, "open the page", chromedp.Navigate("file://"+page))
	agree, rejected := 0, 0
	for _, c := range cases {
		got := pageVerify(t, ctx, host.url+c.path)
		cli := cliVerify(t, gen, host.file(c.path))
		if got.verified != cli.Verified || got.code != cli.Code {
			t.Errorf("%s: the page says verified=%v %s, qian verify says verified=%v %s (%s)", c.name, got.verified, got.code, cli.Verified, cli.Code, cli.Message)
			continue
		}
		agree++
		if c.want != got.verified {
			t.Errorf("%s: verified=%v %s, want %v (%s)", c.name, got.verified, got.code, c.want, cli.Message)
		}
		if !got.verified {
			rejected++
		}
	}
	if rejected < 31 {
		t.Errorf("only %d bundles rejected; the issue asks for 30 tampered and one of another chain", rejected)
	}

	// Disclosures, uploaded with the capture's bundle: the right ones
	// open the commitments, a changed value does not.
	bundleFile := host.file(host.put(t, "capture-upload.json", captureBundle))
	disc := filepath.Join(work, "harvest.disclosures.json")
	wrong := filepath.Join(work, "wrong.disclosures.json")
	os.WriteFile(wrong, []byte(strings.Replace(string(mustRead(t, disc)), `"value": "`, `"value": "x`, 1)), 0o600)
	for _, d := range []struct {
		file string
		want bool
	}{{disc, true}, {wrong, false}} {
		got := pageUpload(t, ctx, page, bundleFile, d.file)
		r := runQian(t, "", nil, "verify", bundleFile, "--genesis", gen, "--disclose", d.file, "--json")
		var cli verifyOutput
		json.Unmarshal([]byte(r.stdout), &cli)
		if got.verified != d.want || cli.Verified != d.want || got.code != cli.Code {
			t.Errorf("disclosures %s: page %v %s, qian verify %v %s, want %v", filepath.Base(d.file), got.verified, got.code, cli.Verified, cli.Code, d.want)
		} else {
			agree++
		}
		if d.want && !strings.Contains(got.text, "opens the commitment") {
			t.Errorf("the page does not show the opened disclosure:\n%s", got.text)
		}
	}

	// A lot through its Digital Link: each event's bundle from the node,
	// each proving its event; qian verify --event agrees on each.
	lot := demoLot(t, url)
	got := pageVerify(t, ctx, url+"/01/"+lot.gtin+"/10/"+lot.lot)
	if !got.verified || got.events != len(lot.history) || len(lot.history) == 0 {
		t.Errorf("lot %s: verified=%v %s, %d events shown of %d:\n%s", lot.lot, got.verified, got.code, got.events, len(lot.history), got.text)
	}
	for i, ev := range lot.history {
		f := host.file(host.put(t, fmt.Sprintf("lot-event-%d.json", i), httpGet(t, url+"/v1/txs/"+ev.TxHash+"/proof")))
		r := runQian(t, "", nil, "verify", f, "--genesis", gen, "--event", ev.Hash, "--json")
		var cli verifyOutput
		json.Unmarshal([]byte(r.stdout), &cli)
		if !cli.Verified || cli.Event == nil {
			t.Errorf("qian verify --event %s: %s %s", ev.Hash, cli.Code, cli.Message)
			continue
		}
		agree++
	}

	// Lying nodes: one serves a forged bundle for the lot's first event,
	// one lists an event that no bundle proves.
	forged := regexp.MustCompile(`"encoding": "([0-9a-f])`)
	liar := lyingNode(t, url, func(path string, body []byte) []byte {
		if path == "/v1/txs/"+lot.history[0].TxHash+"/proof" {
			return forged.ReplaceAllFunc(body, func(m []byte) []byte { return flipLast(m) })
		}
		return body
	})
	if got := pageVerify(t, ctx, liar+"/01/"+lot.gtin+"/10/"+lot.lot); got.verified || !strings.HasPrefix(got.code, "ERR_") {
		t.Errorf("a node serving a forged bundle: verified=%v %s", got.verified, got.code)
	}
	fake := strings.Repeat("ab", 32)
	liar = lyingNode(t, url, func(path string, body []byte) []byte {
		if strings.HasPrefix(path, "/v1/lots/") {
			return []byte(strings.Replace(string(body), `"hash": "`+lot.history[0].Hash+`"`, `"hash": "`+fake+`"`, 1))
		}
		return body
	})
	if got := pageVerify(t, ctx, liar+"/01/"+lot.gtin+"/10/"+lot.lot); got.verified || got.code != "ERR_PROOF_EVENT" {
		t.Errorf("a node listing a forged event: verified=%v %s", got.verified, got.code)
	}

	// Across validator-set changes, on that chain's page.
	step(t, ctx, "open the valset page", chromedp.Navigate("file://"+vsPage))
	got = pageVerify(t, ctx, host.url+vsCase.path)
	cli := cliVerify(t, vs.gen, host.file(vsCase.path))
	if !got.verified || !cli.Verified || cli.Report.Transitions == 0 || !strings.Contains(got.text, "since genesis") {
		t.Errorf("across set changes: page %v %s, qian verify %v %s, %d transitions", got.verified, got.code, cli.Verified, cli.Message, cli.Report.Transitions)
	} else {
		agree++
	}
	t.Logf("the page and qian verify agree on %d verdicts", agree)

	// Nothing but the page, the node, the liars and the static host.
	for _, u := range requests() {
		if !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Errorf("the page requested %s", u)
		}
	}

	verifierFigures(t, ctx, host, page, pageBytes, wasm, host.url+cases[0].path)
	verifierScreenshots(t, ctx, page, host.url+cases[1].path)
}

type pageCase struct {
	name, path string
	want       bool
}

// pageResult is what the page left in #result.
type pageResult struct {
	verified bool
	code     string
	text     string
	events   int
	ms       int
}

// pageVerify verifies url through #bundle=URL on the open page.
func pageVerify(t *testing.T, ctx context.Context, url string) pageResult {
	t.Helper()
	q, _ := json.Marshal(url)
	step(t, ctx, "verify "+url, chromedp.Evaluate[any](`document.getElementById("result").dataset.source = ""; location.hash = "#bundle=" + encodeURIComponent(`+string(q)+`); null`))
	return waitResult(t, ctx, url, 60*time.Second)
}

// waitResult waits until #result holds the outcome for source.
func waitResult(t *testing.T, ctx context.Context, source string, timeout time.Duration) pageResult {
	t.Helper()
	q, _ := json.Marshal(source)
	c, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var raw struct {
		Verified string `json:"verified"`
		Code     string `json:"code"`
		Text     string `json:"text"`
		Events   int    `json:"events"`
		MS       string `json:"ms"`
	}
	// Evaluated again and again rather than polled in the page: a page
	// still loading replaces the context a poll runs in.
	expr := `(() => { const r = document.getElementById("result");
		if (!r || r.dataset.source !== ` + string(q) + ` || !r.dataset.verified) return "";
		return JSON.stringify({verified: r.dataset.verified, code: r.dataset.code, text: r.innerText, events: r.querySelectorAll(".event").length, ms: r.dataset.ms}); })()`
	var s string
	var err error
	for c.Err() == nil {
		if s, err = chromedp.Run(c, chromedp.Evaluate[string](expr)); err == nil && s != "" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s == "" {
		t.Fatalf("no result for %s: %v", source, err)
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		t.Fatal(err)
	}
	ms, _ := strconv.Atoi(raw.MS)
	return pageResult{verified: raw.Verified == "true", code: raw.Code, text: raw.Text, events: raw.Events, ms: ms}
}

// pageUpload opens the page afresh and verifies a bundle file with a
// disclosure file, as a person picks them.
func pageUpload(t *testing.T, ctx context.Context, page, bundle, disclosures string) pageResult {
	t.Helper()
	step(t, ctx, "open the page", chromedp.Navigate("file://"+page))
	step(t, ctx, "ready", chromedp.Poll[bool](`!document.getElementById("verify").disabled`, chromedp.WithPollingTimeout(60*time.Second)))
	step(t, ctx, "pick the bundle", chromedp.SetUploadFiles(chromedp.ID("bundle-file"), []string{bundle}))
	step(t, ctx, "pick the disclosures", chromedp.SetUploadFiles(chromedp.ID("disclosure-file"), []string{disclosures}))
	step(t, ctx, "verify", chromedp.Click(chromedp.ID("verify")))
	return waitResult(t, ctx, filepath.Base(bundle), 60*time.Second)
}

// cliVerify is qian verify --json on a file.
func cliVerify(t *testing.T, gen, file string) verifyOutput {
	t.Helper()
	r := runQian(t, "", nil, "verify", file, "--genesis", gen, "--json")
	var out verifyOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("qian verify %s --json: %v\n%s\n%s", file, err, r.stdout, r.stderr)
	}
	return out
}

// tamperings are raw with one change each: every lowercase hex string of
// 8 digits or more has a digit changed, every number is increased.
func tamperings(raw []byte) [][]byte {
	var out [][]byte
	for _, m := range regexp.MustCompile(`"[0-9a-f]{8,}"|: [0-9]+`).FindAllIndex(raw, -1) {
		v := append([]byte{}, raw...)
		if v[m[0]] == '"' {
			i := (m[0] + m[1]) / 2
			if v[i] == '0' {
				v[i] = '1'
			} else {
				v[i] = '0'
			}
		} else {
			n, _ := strconv.ParseUint(string(raw[m[0]+2:m[1]]), 10, 64)
			v = append(append(append([]byte{}, raw[:m[0]+2]...), strconv.FormatUint(n+1, 10)...), raw[m[1]:]...)
		}
		out = append(out, v)
	}
	return out
}

// flipLast changes the last character of m, a hex digit.
func flipLast(m []byte) []byte {
	m = append([]byte{}, m...)
	if m[len(m)-1] == '0' {
		m[len(m)-1] = '1'
	} else {
		m[len(m)-1] = '0'
	}
	return m
}

// submitJSON runs a submitting command with --json and returns its result.
func submitJSON(t *testing.T, argv ...string) txResult {
	t.Helper()
	r := runQian(t, "", nil, argv...)
	var res txResult
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &res); err != nil || r.code != 0 || res.TxHash.IsZero() {
		t.Fatalf("%s: %d %v\n%s\n%s", strings.Join(argv, " "), r.code, err, r.stdout, r.stderr)
	}
	return res
}

func httpGet(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v %s", url, resp.StatusCode, err, b)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("GET %s: CORS headers %v", url, resp.Header)
	}
	return b
}

// lotEvents is a demo lot and the events its page lists.
type lotEvents struct {
	gtin, lot string
	history   []struct {
		Hash   string `json:"hash"`
		TxHash string `json:"tx_hash"`
	}
}

// demoLot picks a lot of the demo story with a few events.
func demoLot(t *testing.T, url string) lotEvents {
	t.Helper()
	var page struct {
		Lots []struct {
			Object struct{ GTIN, Lot string } `json:"object"`
			Events int                        `json:"events"`
		} `json:"lots"`
	}
	json.Unmarshal(httpGet(t, url+"/v1/lots"), &page)
	for _, l := range page.Lots {
		if l.Events < 3 {
			continue
		}
		out := lotEvents{gtin: l.Object.GTIN, lot: l.Object.Lot}
		var lot struct {
			History json.RawMessage `json:"history"`
		}
		json.Unmarshal(httpGet(t, url+"/v1/lots/"+out.gtin+"/"+neturl.PathEscape(out.lot)), &lot)
		json.Unmarshal(lot.History, &out.history)
		return out
	}
	t.Fatal("no demo lot with three events")
	return lotEvents{}
}

// lyingNode is a proxy to the node at url that rewrites what it answers.
func lyingNode(t *testing.T, url string, rewrite func(path string, body []byte) []byte) string {
	t.Helper()
	target, _ := neturl.Parse(url)
	p := httputil.NewSingleHostReverseProxy(target)
	p.ModifyResponse = func(r *http.Response) error {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		b = rewrite(r.Request.URL.Path, b)
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	s := httptest.NewServer(p)
	t.Cleanup(s.Close)
	return s.URL
}

// staticHost is a static web server on 127.0.0.1, as a regulator's site
// or a bundle's host: files with CORS for GET, gzip when asked.
type staticHost struct {
	dir, url string
}

func newStaticHost(t *testing.T, dir string) *staticHost {
	os.MkdirAll(dir, 0o755)
	fs := http.FileServer(http.Dir(dir))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") && strings.HasSuffix(r.URL.Path, ".html") {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			zw := gzip.NewWriter(w)
			defer zw.Close()
			f, err := os.Open(filepath.Join(dir, filepath.Clean(r.URL.Path)))
			if err != nil {
				http.Error(w, err.Error(), 404)
				return
			}
			defer f.Close()
			io.Copy(zw, f)
			return
		}
		fs.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return &staticHost{dir: dir, url: s.URL}
}

func (h *staticHost) put(t *testing.T, name string, b []byte) string {
	if err := os.WriteFile(filepath.Join(h.dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return "/" + name
}

func (h *staticHost) file(path string) string { return filepath.Join(h.dir, path) }

// verifierBrowser starts chromium and records every request its tab makes.
func verifierBrowser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(testenv.Chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	var mu sync.Mutex
	var urls []string
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			urls = append(urls, e.Request.URL)
			mu.Unlock()
		}
	}))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string{}, urls...) }
}

// verifierWasm builds cmd/qian-verify-wasm once for the test.
func verifierWasm(t *testing.T) string {
	t.Helper()
	b, err := verifier.Build("../..")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "qian-verify.wasm")
	os.WriteFile(p, b, 0o644)
	return p
}

// valsetChain is a chain whose validator set changed twice (a validator
// added, one rotated), and the bundle of a transaction after both.
type valset struct {
	gen    string
	bundle []byte
}

func valsetChain(t *testing.T) valset {
	t.Helper()
	c := audittest.New(t, 4)
	c.Block(c.Anchors(2), nil)
	newcomer, rotated := audittest.Key("newcomer"), audittest.Key("rotated v2")
	c.AddKey(newcomer)
	c.AddKey(rotated)
	peerID := sha256.Sum256([]byte("inspector-node"))
	c.Govern(membership.ValidatorChange{Kind: membership.AddValidator, Org: "inspector", Name: "inspector-node",
		Key: newcomer.PublicKey(), Power: 10, PeerID: append(membership.PeerID{0x00, 0x24, 0x08, 0x01, 0x12, 0x20}, peerID[:]...)})
	c.Block(c.Anchors(2), nil)
	c.Govern(membership.ValidatorChange{Kind: membership.RotateValidator, Key: c.ValKeys[2].PublicKey(), NewKey: rotated.PublicKey()})
	c.Block(nil, nil)
	c.Block(nil, nil)
	b := c.Block(c.Anchors(1), nil)
	c.Block(nil, nil)
	c.Block(nil, nil)
	tx := b.Txs[0].Hash()
	st := c.Store
	bundle, err := proof.Build(st, tx)
	if err != nil {
		t.Fatal(err)
	}
	if len(bundle.Transitions) < 2 {
		t.Fatalf("the bundle carries %d transitions", len(bundle.Transitions))
	}
	return valset{gen: c.GenesisFile(), bundle: bundle.Marshal()}
}

// verifierFigures measures what a phone downloads and how long the first
// result takes: the page served gzip by a static host, verifying the
// anchor bundle on load, on desktop, then with Slow 4G and a 4x slower CPU
// (Chrome DevTools' "Slow 4G": 562.5 ms latency, 1.6 Mbit/s × 0.9 down,
// 750 kbit/s × 0.9 up).
func verifierFigures(t *testing.T, ctx context.Context, host *staticHost, page string, pageBytes []byte, wasmPath, bundleURL string) {
	t.Helper()
	host.put(t, "verify.html", pageBytes)
	wasm := mustRead(t, wasmPath)
	t.Logf("verifier: %d bytes WebAssembly, %d gzip -9; page %d bytes, %d gzip", len(wasm), gzipLen(wasm), len(pageBytes), gzipLen(pageBytes))
	measure := func(what string) {
		u := host.url + "/verify.html?" + what + "#bundle=" + neturl.QueryEscape(bundleURL)
		step(t, ctx, "open "+what, chromedp.Navigate("about:blank"))
		step(t, ctx, "load "+what, chromedp.Navigate(u))
		got := waitResult(t, ctx, bundleURL, 5*time.Minute)
		transfer := step(t, ctx, "transfer", chromedp.Evaluate[float64](`performance.getEntriesByType("navigation")[0].transferSize +
			performance.getEntriesByType("resource").reduce((s, e) => s + e.transferSize, 0)`))
		if !got.verified {
			t.Errorf("%s: %s", what, got.code)
		}
		t.Logf("%s: first result %d ms after navigation, %.0f bytes transferred", what, got.ms, transfer)
	}
	measure("desktop")
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Latency: 562.5, DownloadThroughput: 1.6e6 * 0.9 / 8, UploadThroughput: 750e3 * 0.9 / 8}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4}); err != nil {
		t.Fatal(err)
	}
	measure("phone")
	chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: -1}}})
	chromedp.Call(ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 1})
}

func gzipLen(b []byte) int {
	var n countWriter
	zw, _ := gzip.NewWriterLevel(&n, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return int(n)
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// verifierScreenshots takes the page on a phone and a desktop, showing a
// verified certificate; into docs/screenshots with QIAN_UPDATE_SCREENSHOTS=1.
func verifierScreenshots(t *testing.T, ctx context.Context, page, bundleURL string) {
	t.Helper()
	dir := t.TempDir()
	if os.Getenv("QIAN_UPDATE_SCREENSHOTS") != "" {
		dir = filepath.Join("..", "..", "docs", "screenshots")
	}
	for _, v := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"verifier-phone", 390, 844, true}, {"verifier-desktop", 1280, 900, false}} {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(2)}
		if v.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
		} else {
			opts = []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		}
		step(t, ctx, "viewport", chromedp.EmulateViewport(v.width, v.height, opts...))
		step(t, ctx, "open", chromedp.Navigate("about:blank"))
		step(t, ctx, "open", chromedp.Navigate("file://"+page+"?"+v.name+"#bundle="+neturl.QueryEscape(bundleURL)))
		if got := waitResult(t, ctx, bundleURL, 60*time.Second); !got.verified {
			t.Errorf("%s: %s", v.name, got.code)
		}
		step(t, ctx, "top", chromedp.Evaluate[any](`window.scrollTo(0, 0); null`))
		img := step(t, ctx, "screenshot", chromedp.FullScreenshot(70))
		if err := os.WriteFile(filepath.Join(dir, v.name+".jpg"), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// step runs a chromedp action with a timeout.
func step[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}
