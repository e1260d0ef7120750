package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/node/view"
)

// The Digital Link path of a lot negotiates: HTML for browsers, the lot as
// JSON, or its RFC 9264 linkset.
func TestDigitalLinkNegotiates(t *testing.T) {
	needNet(t)
	path := demo.DemoLot.Path()
	status, resp, body := fetch(t, path, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if status != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("HTML: %d %s", status, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"都匀毛尖", "Duyun Maojian", "螺丝壳", "DYMJ20250325A", "已验证", "signed by", `id="timeline"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	// One script, the in-browser check of the verification panel, whose
	// element is hidden until it runs: the page works without it.
	if strings.Count(body, "<script") != 1 || !strings.Contains(body, `<script src="/verifier/phone.js" defer></script>`) ||
		!strings.Contains(body, `<p id="phone-verify" class="phone" hidden`) {
		t.Error("the page carries a script other than the phone check, or shows its panel without it")
	}
	if !strings.Contains(resp.Header.Get("Link"), `rel="linkset"`) {
		t.Errorf("no linkset Link header: %q", resp.Header.Get("Link"))
	}

	status, resp, body = fetch(t, path, "application/json")
	var l view.Lot
	if status != 200 || json.Unmarshal([]byte(body), &l) != nil || l.Object.Lot != demo.LotMaojian || l.Verification == nil {
		t.Fatalf("JSON: %d %s", status, body[:min(len(body), 300)])
	}

	status, resp, body = fetch(t, path+"?linkType=all", "")
	if status != 200 || resp.Header.Get("Content-Type") != "application/linkset+json" {
		t.Fatalf("linkset: %d %s", status, resp.Header.Get("Content-Type"))
	}
	var ls struct {
		Linkset []map[string]json.RawMessage `json:"linkset"`
	}
	if err := json.Unmarshal([]byte(body), &ls); err != nil || len(ls.Linkset) != 1 {
		t.Fatalf("linkset: %v %s", err, body)
	}
	set := ls.Linkset[0]
	if string(set["anchor"]) != `"`+demo.DemoLot.URI()+`"` {
		t.Fatalf("anchor %s", set["anchor"])
	}
	for _, rel := range []string{"pip", "defaultLink", "traceability", "epcis", "certificationInfo", "recallStatus", "verificationService"} {
		if _, ok := set["https://gs1.org/voc/"+rel]; !ok {
			t.Errorf("linkset without gs1:%s", rel)
		}
	}
}

// Malformed Digital Links get 400 with the reason; unknown lots 404.
func TestDigitalLinkErrors(t *testing.T) {
	needNet(t)
	cases := []struct {
		path   string
		status int
		code   string
		reason string
	}{
		{"/01/06923103000119/10/DYMJ20250325A", 400, "ERR_INVALID_GTIN", "check digit"},
		{"/01/0692310300011X/10/A", 400, "ERR_INVALID_GTIN", ""},
		{"/01/069231030001/10/A", 400, "ERR_INVALID_GTIN", ""},
		{"/01/06923103000118/10/A/99/B", 400, "ERR_BAD_REQUEST", "99"},
		{"/01/06923103000118/10", 400, "ERR_BAD_REQUEST", "pairs"},
		{"/01/06923103000118/10/NOPE", 404, "ERR_NOT_FOUND", ""},
		{"/01/06923103000118/21/NOPE", 404, "ERR_NOT_FOUND", ""},
		{"/01/06901234567892", 404, "ERR_NOT_FOUND", ""},
	}
	for _, c := range cases {
		status, _, body := fetch(t, c.path, "application/json")
		var e struct{ Code, Message string }
		_ = json.Unmarshal([]byte(body), &e)
		if status != c.status || e.Code != c.code || !strings.Contains(e.Message, c.reason) {
			t.Errorf("%s: %d %+v, want %d %s mentioning %q", c.path, status, e, c.status, c.code, c.reason)
		}
		status, resp, body := fetch(t, c.path, "")
		if status != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, c.code) {
			t.Errorf("%s as HTML: %d %s", c.path, status, resp.Header.Get("Content-Type"))
		}
	}
	// A serial of a lot shows the lot; a data attribute in the query is
	// ignored. (A GTIN-13 is redirected: TestResolverRedirectsToGTIN14.)
	for _, p := range []string{demo.DemoLot.Path() + "/21/0001", demo.DemoLot.Path() + "?17=260925"} {
		if status, _, body := fetch(t, p, ""); status != 200 || !strings.Contains(body, "DYMJ20250325A") {
			t.Errorf("%s: %d", p, status)
		}
	}
}

func TestRecalledLotPage(t *testing.T) {
	needNet(t)
	_, _, body := fetch(t, demo.RecalledLot.Path(), "")
	if !strings.Contains(body, `class="recall"`) || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "黔南市监〔2025〕召字第 7 号") {
		t.Fatal("the recalled lot's page has no recall banner with the notice")
	}
	for _, o := range demo.RecallReaches {
		if !strings.Contains(body, o.Path()) {
			t.Errorf("the banner does not list %s", o)
		}
	}
	_, _, body = fetch(t, demo.RecallReaches[1].Path(), "")
	if !strings.Contains(body, `class="recall"`) || !strings.Contains(body, demo.RecalledLot.Path()) {
		t.Fatal("a lot reached by the recall does not say what it was made from")
	}
	_, _, body = fetch(t, demo.DemoLot.Path(), "")
	if strings.Contains(body, `class="recall"`) {
		t.Fatal("the demo lot shows a recall banner")
	}
}

// The explorer pages render, link to each other, and search redirects to a
// single match.
func TestExplorerPages(t *testing.T) {
	needNet(t)
	_, _, lotJSON := fetch(t, "/v1/lots/"+demo.DemoLot.Key+"/"+demo.DemoLot.Ext, "")
	var l view.Lot
	json.Unmarshal([]byte(lotJSON), &l)
	tx := l.History[0].TxHash.String()
	cert := l.Certificates[0].SHA256.String()
	pages := map[string][]string{
		"/explorer":                         {"最新区块", "Latest blocks", "/explorer/blocks/", "已召回"},
		"/explorer/lots":                    {"DYMJ20250325A", "recalled"},
		"/explorer/blocks/2":                {"Block", "Tx root", "/explorer/blocks/1"},
		"/explorer/txs/" + tx:               {"trace.capture", "TransformationEvent", "Verified", "Download proof bundle", "processor"},
		"/explorer/notary/" + cert:          {"QNTC-2025-0412", cert, "黔南州茶叶质量检测中心", "Verified"},
		"/explorer/orgs/farm2":              {"摆桑", "joined at block"},
		"/01/" + demo.GTINGradedLeaves:      {demo.LotCoop1, demo.LotCoop2, "recalled"},
		"/00/" + demo.SSCCPallet:            {"SSCC", demo.SSCCPallet, "has been recalled", "物流单元"},
		"/explorer/search?q=nothing-at-all": {"Nothing on this chain matches"},
	}
	for p, wants := range pages {
		status, _, body := fetch(t, p, "")
		if status != 200 && !strings.Contains(p, "nothing") {
			t.Errorf("%s: %d", p, status)
			continue
		}
		for _, w := range wants {
			if !strings.Contains(body, w) {
				t.Errorf("%s does not say %q", p, w)
			}
		}
		if strings.Contains(body, "could not be rendered") {
			t.Errorf("%s failed to render", p)
		}
	}
	for q, want := range map[string]string{tx: "/explorer/txs/" + tx, cert: "/explorer/notary/" + cert, demo.LotMaojian: demo.DemoLot.Path(), "3": "/explorer/blocks/3"} {
		status, resp, _ := fetch(t, "/explorer/search?q="+q, "")
		if status != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("search %s: %d -> %s, want %s", q, status, resp.Header.Get("Location"), want)
		}
	}
	if status, resp, _ := fetch(t, "/", ""); status != http.StatusFound || resp.Header.Get("Location") != "/explorer" {
		t.Errorf("/ -> %d %s", status, resp.Header.Get("Location"))
	}
	status, resp, body := fetch(t, "/static/qian.css", "")
	if status != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, ".timeline") {
		t.Errorf("css: %d %s", status, resp.Header.Get("Content-Type"))
	}
	for _, p := range []string{"/explorer/blocks/x", "/explorer/blocks/99999999", "/explorer/txs/zz", "/explorer/notary/" + strings.Repeat("0", 64), "/explorer/orgs/nobody"} {
		if status, _, _ := fetch(t, p, ""); status != 400 && status != 404 {
			t.Errorf("%s: %d", p, status)
		}
	}
}

// Nothing the pages load comes from another host: the network may be
// closed.
func TestPagesLoadNothingFromOutside(t *testing.T) {
	needNet(t)
	ext := regexp.MustCompile(`(?i)(src|href)="(https?:)?//`)
	for _, p := range []string{demo.DemoLot.Path(), demo.RecalledLot.Path(), "/explorer"} {
		_, _, body := fetch(t, p, "")
		for _, m := range ext.FindAllString(body, -1) {
			if !strings.Contains(m, "href") { // links out are fine; loads are not
				t.Errorf("%s loads %s", p, m)
			}
		}
		if strings.Contains(body, "@import") || strings.Contains(body, "fonts.googleapis") {
			t.Errorf("%s loads external fonts", p)
		}
	}
}
