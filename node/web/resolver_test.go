package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/internal/testenv"
)

// keys the resolver is tested with: every kind of GS1 key the chain knows.
// The items and assets come from the own EPCIS documents (webtest).
var resolverKeys = map[string]string{
	"lot":              demo.DemoLot.Path(),
	"item":             "/01/06923103000118/21/GB0002",
	"container":        "/00/" + demo.SSCCPallet,
	"returnable asset": "/8003/06923104000018C-001",
	"individual asset": "/8004/6923104TL-0008",
	"product":          "/01/" + demo.GTINMaojianSpecial,
	"location GLN":     "/414/" + demo.Logistics.SiteGLN,
	"party GLN":        "/417/" + demo.Logistics.PartyGLN,
}

func ownDocuments(t *testing.T) {
	t.Helper()
	needNet(t)
	if err := net.LoadOwnDocuments(); err != nil {
		t.Fatal(err)
	}
}

type linksetDoc struct {
	Linkset []map[string]json.RawMessage `json:"linkset"`
}

// linksetOf fetches a key's linkset, by ?linkType=all and by Accept, and
// returns its one link context.
func linksetOf(t *testing.T, path string) map[string]json.RawMessage {
	t.Helper()
	var sets []map[string]json.RawMessage
	for _, req := range []struct{ path, accept string }{{path + "?linkType=all", ""}, {path + "?linkType=linkset", ""}, {path, "application/linkset+json"}} {
		status, resp, body := fetch(t, req.path, req.accept)
		var ls linksetDoc
		if status != 200 || resp.Header.Get("Content-Type") != "application/linkset+json" || json.Unmarshal([]byte(body), &ls) != nil || len(ls.Linkset) != 1 {
			t.Fatalf("%s (Accept %q): %d %s %s", req.path, req.accept, status, resp.Header.Get("Content-Type"), body)
		}
		if !strings.Contains(resp.Header.Get("Link"), `rel="linkset"`) {
			t.Errorf("%s: no Link header to the linkset", req.path)
		}
		sets = append(sets, ls.Linkset[0])
	}
	return sets[0]
}

// Every GS1 key the chain knows resolves per the GS1-Conformant Resolver
// standard: its linkset on ?linkType=all (or linkset) and on Accept:
// application/linkset+json, and a 307 to the link of any type the linkset
// offers, named short (gs1:epcis) or in full (https://gs1.org/voc/epcis);
// a type it does not offer goes to the default link.
func TestResolverLinkTypes(t *testing.T) {
	ownDocuments(t)
	for kind, path := range resolverKeys {
		set := linksetOf(t, path)
		if _, ok := set["anchor"]; !ok {
			t.Errorf("%s: linkset without anchor", kind)
		}
		var def []struct{ Href string }
		if json.Unmarshal(set["https://gs1.org/voc/defaultLink"], &def) != nil || len(def) == 0 {
			t.Fatalf("%s: no default link: %v", kind, set)
		}
		types := 0
		for rel, raw := range set {
			typ, ok := strings.CutPrefix(rel, "https://gs1.org/voc/")
			if !ok {
				continue
			}
			types++
			var links []struct{ Href, Type string }
			if err := json.Unmarshal(raw, &links); err != nil || len(links) == 0 {
				t.Fatalf("%s: %s: %s", kind, rel, raw)
			}
			for _, lt := range []string{"gs1:" + typ, "https://gs1.org/voc/" + typ} {
				status, resp, _ := fetch(t, path+"?linkType="+url.QueryEscape(lt), "")
				if status != http.StatusTemporaryRedirect || resp.Header.Get("Location") != links[0].Href {
					t.Errorf("%s ?linkType=%s: %d -> %q, want 307 -> %q", kind, lt, status, resp.Header.Get("Location"), links[0].Href)
				}
			}
			if len(links) > 1 { // the Accept header picks among links of one type
				status, resp, _ := fetch(t, path+"?linkType=gs1:"+typ, links[1].Type)
				if status != http.StatusTemporaryRedirect || resp.Header.Get("Location") != links[1].Href {
					t.Errorf("%s ?linkType=gs1:%s, Accept %s: -> %q, want %q", kind, typ, links[1].Type, resp.Header.Get("Location"), links[1].Href)
				}
			}
		}
		if types < 2 {
			t.Errorf("%s: the linkset offers %d link types", kind, types)
		}
		status, resp, _ := fetch(t, path+"?linkType=gs1:recipeInfo", "")
		if status != http.StatusTemporaryRedirect || resp.Header.Get("Location") != def[0].Href {
			t.Errorf("%s: a link type not offered: %d -> %q, want the default link %q", kind, status, resp.Header.Get("Location"), def[0].Href)
		}
		status, _, body := fetch(t, path+"?linkType=recipes", "application/json")
		if status != http.StatusBadRequest || !strings.Contains(body, "ERR_BAD_REQUEST") || !strings.Contains(body, "gs1:defaultLink") {
			t.Errorf("%s: a linkType that is no GS1 link type: %d %s", kind, status, body)
		}
	}
	// Objects of every kind offer their EPCIS events; lots and items, what
	// a GTIN names, their product information page.
	for _, kind := range []string{"lot", "item", "container", "returnable asset", "individual asset"} {
		set := linksetOf(t, resolverKeys[kind])
		for _, rel := range []string{"epcis", "traceability", "recallStatus", "verificationService"} {
			if set["https://gs1.org/voc/"+rel] == nil {
				t.Errorf("%s: the linkset offers no gs1:%s", kind, rel)
			}
		}
		if (kind == "lot" || kind == "item") != (set["https://gs1.org/voc/pip"] != nil) {
			t.Errorf("%s: gs1:pip offered: %v", kind, set["https://gs1.org/voc/pip"] != nil)
		}
	}
	// A GLN has no page of its own: it redirects to its organisation's.
	for path, want := range map[string]string{resolverKeys["location GLN"]: "/explorer/orgs/logistics", resolverKeys["party GLN"]: "/explorer/orgs/logistics"} {
		status, resp, _ := fetch(t, path, "")
		if status != http.StatusTemporaryRedirect || !strings.HasSuffix(resp.Header.Get("Location"), want) {
			t.Errorf("%s: %d -> %s", path, status, resp.Header.Get("Location"))
		}
	}
}

// A GTIN-8, -12 or -13 is redirected to its 14-digit form, keeping the
// rest of the path and the query.
func TestResolverRedirectsToGTIN14(t *testing.T) {
	needNet(t)
	for from, to := range map[string]string{
		"/01/6923103000118/10/DYMJ20250325A?17=260925": demo.DemoLot.Path() + "?17=260925",
		"/01/6923103000118":                            "/01/" + demo.GTINMaojianSpecial,
		"/01/6923103000118?linkType=gs1:epcis":         "/01/" + demo.GTINMaojianSpecial + "?linkType=gs1:epcis",
	} {
		status, resp, _ := fetch(t, from, "")
		if status != http.StatusMovedPermanently || resp.Header.Get("Location") != to {
			t.Errorf("%s: %d -> %q, want 301 -> %q", from, status, resp.Header.Get("Location"), to)
		}
	}
}

// Lot and serial errors say the lot or serial is wrong, naming a non-ASCII
// character as typed with its code point; key errors name the key.
func TestResolverSaysWhatIsWrong(t *testing.T) {
	needNet(t)
	cases := []struct {
		path, code string
		status     int
		says       []string
		notSays    string
	}{
		{"/01/06923103000118/10/%E6%89%B9%E6%AC%A1", "ERR_BAD_REQUEST", 400, []string{`lot number (AI 10) "批次"`, "'批' (U+6279)"}, "GTIN \""},
		{"/01/06923103000118/21/A%09B", "ERR_BAD_REQUEST", 400, []string{"serial number (AI 21)", "U+0009"}, "GTIN \""},
		{"/01/06923103000118/10/NOPE", "ERR_NOT_FOUND", 404, []string{`lot "NOPE" of GTIN 06923103000118`, "the GTIN is"}, ""},
		{"/01/06923103000118/21/NOPE", "ERR_NOT_FOUND", 404, []string{`serial number "NOPE" of GTIN 06923103000118`}, ""},
		{"/01/06901234567892/10/A", "ERR_NOT_FOUND", 404, []string{"GTIN 06901234567892 is neither registered nor traced"}, ""},
		{"/01/%EF%BC%90%EF%BC%96923103000118", "ERR_INVALID_GTIN", 400, []string{"'０' (U+FF10)"}, ""},
		{"/00/069231030000000018", "ERR_INVALID_GTIN", 400, []string{"SSCC", "check digit"}, ""},
		{"/8003/06923104000018", "ERR_NOT_FOUND", 404, []string{"names a type of returnable asset"}, ""},
		{"/414/6923199000016", "ERR_NOT_FOUND", 404, []string{"not registered by any member"}, ""},
		{"/414/6923104000032", "ERR_NOT_FOUND", 404, []string{"under logistics's company prefix"}, ""},
		{"/10/A/01/06923103000118", "ERR_BAD_REQUEST", 400, []string{"before the primary key"}, ""},
	}
	for _, c := range cases {
		status, _, body := fetch(t, c.path, "application/json")
		var e struct{ Code, Message string }
		_ = json.Unmarshal([]byte(body), &e)
		if status != c.status || e.Code != c.code {
			t.Errorf("%s: %d %s, want %d %s: %s", c.path, status, e.Code, c.status, c.code, e.Message)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(e.Message, s) {
				t.Errorf("%s: %q does not say %q", c.path, e.Message, s)
			}
		}
		if c.notSays != "" && strings.Contains(e.Message, c.notSays) {
			t.Errorf("%s: %q blames the GTIN", c.path, e.Message)
		}
	}
}

// GS1's Digital Link examples (../shared/fixtures/gs1/digital-link.json):
// the valid ones resolve on a node (a key it does not trace is 404, never
// 400), the invalid ones are 400 with the reason's code.
func TestResolverWithGS1Examples(t *testing.T) {
	needNet(t)
	raw, err := os.ReadFile(testenv.Fixture(t, "gs1/digital-link.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Valid   []string `json:"digital_link_valid"`
		Invalid []struct {
			URI string `json:"uri"`
			Why string `json:"why"`
		} `json:"digital_link_invalid"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	path := func(uri string) string {
		u, err := url.Parse(uri)
		if err != nil {
			t.Fatal(err)
		}
		// Drop a resolver's own path prefix (/products): up to the first
		// segment that is an AI.
		p := u.EscapedPath()
		for segs := strings.Split(p, "/"); len(segs) > 1; segs = segs[1:] {
			if s := segs[1]; s == "01" || s == "10" || s == "21" || s == "00" {
				p = "/" + strings.Join(segs[1:], "/")
				break
			}
		}
		if u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
		return p
	}
	for _, uri := range f.Valid {
		status, _, body := fetch(t, path(uri), "application/json")
		if status != http.StatusOK && status != http.StatusNotFound {
			t.Errorf("%s: %d %s", uri, status, body)
		}
	}
	for _, c := range f.Invalid {
		status, _, body := fetch(t, path(c.URI), "application/json")
		if status != http.StatusBadRequest || !strings.Contains(body, `"ERR_`) {
			t.Errorf("%s (%s): %d %s", c.URI, c.Why, status, body)
		}
	}
}
