package gateway_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/node/gateway/gatewaytest"
)

type queryDoc struct {
	Context []any `json:"@context"`
	Type    string
	Body    struct {
		QueryResults struct {
			QueryName   string `json:"queryName"`
			ResultsBody struct {
				EventList []map[string]any `json:"eventList"`
			} `json:"resultsBody"`
		} `json:"queryResults"`
	} `json:"epcisBody"`
}

func events(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var d queryDoc
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return d.Body.QueryResults.ResultsBody.EventList
}

func ids(evs []map[string]any) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i], _ = e["eventID"].(string)
	}
	return out
}

// A document captured through the gateway is on the chain and answers
// every standard query path, each answer as GS1's OpenAPI describes it,
// each event with the transaction, block and proof bundle that prove it.
func TestCaptureThenQueryFromTheChain(t *testing.T) {
	x := startGateway(t, t.TempDir(), nil)
	x.spec = gatewaytest.SpecIfPresent(t)

	// Discovery.
	resp, body := x.do("OPTIONS", "/", nil)
	expect(t, resp, body, 204)
	resp, body = x.do("GET", "/", nil)
	expect(t, resp, body, 200)
	resp, body = x.do("OPTIONS", "/capture", nil)
	expect(t, resp, body, 204)
	if resp.Header.Get("GS1-EPCIS-Capture-Limit") == "" || resp.Header.Get("GS1-EPCIS-Capture-File-Size-Limit") == "" {
		t.Errorf("OPTIONS /capture announces no limits: %v", resp.Header)
	}

	evs := lots("q", 3, true)
	for i := range evs {
		evs[i].loc = siteGLN // this test's events only: the network is shared
	}
	evs[2].action, evs[2].step = "OBSERVE", "inspecting"
	evs[2].lot = evs[0].lot // an observation of the first lot
	job := x.capture(document(evs...))
	if !job.Success || job.Captured != 3 || len(job.Txs) != 1 || job.Txs[0].Height == 0 || job.Txs[0].State != "committed" {
		t.Fatalf("job: %+v", job)
	}
	resp, body = x.do("GET", "/capture", nil)
	expect(t, resp, body, 200)

	get := func(path string) []map[string]any {
		t.Helper()
		resp, body := x.do("GET", path, nil)
		expect(t, resp, body, 200)
		return events(t, body)
	}
	all := get("/events?EQ_bizLocation=" + url.QueryEscape(siteGLN))
	if len(all) != 3 {
		t.Fatalf("GET /events: %d events, want 3", len(all))
	}
	for _, e := range all {
		for _, k := range []string{"qian:tx", "qian:block", "qian:proof", "recordTime"} {
			if e[k] == nil {
				t.Errorf("event %v has no %s", e["eventID"], k)
			}
		}
	}
	// The proof bundle link is served by the node.
	proof := all[0]["qian:proof"].(string)
	if r, err := httpGet(proof); err != nil || r != 200 {
		t.Errorf("GET %s: %d %v", proof, r, err)
	}

	lot0 := "urn:epc:class:lgtin:6923101.000010." + evs[0].lot
	for _, c := range []struct {
		query string
		want  int
	}{
		{"EQ_bizStep=commissioning&EQ_bizLocation=" + url.QueryEscape(siteGLN), 2},
		{"EQ_bizStep=urn:epcglobal:cbv:bizstep:inspecting", 1},
		{"EQ_action=OBSERVE|DELETE&EQ_bizLocation=" + url.QueryEscape(siteGLN), 1},
		{"eventType=ObjectEvent&MATCH_epcClass=" + url.QueryEscape(lot0), 2},
		{"MATCH_anyEPCClass=" + url.QueryEscape(lot0) + "&EQ_bizStep=inspecting", 1},
		{"EQ_eventID=" + url.QueryEscape(evs[1].id), 1},
		{"eventID=" + url.QueryEscape(evs[1].id) + "|" + url.QueryEscape(evs[2].id), 2},
		{"EQ_disposition=active&MATCH_epcClass=" + url.QueryEscape(lot0), 2},
		{"EQ_readPoint=" + url.QueryEscape(siteGLN) + "&MATCH_epcClass=" + url.QueryEscape(lot0), 2},
		{"GE_eventTime=2025-03-24T09:30:01Z&LT_eventTime=2025-03-24T09:30:02Z&EQ_bizLocation=" + url.QueryEscape(siteGLN), 1},
		{"GE_recordTime=2000-01-01T00:00:00Z&MATCH_epcClass=" + url.QueryEscape(lot0), 2},
		{"LT_recordTime=2000-01-01T00:00:00Z", 0},
		{"MATCH_epc=" + url.QueryEscape(lot0), 0}, // a class is not an instance
	} {
		if got := get("/events?" + c.query); len(got) != c.want {
			t.Errorf("GET /events?%s: %d events %v, want %d", c.query, len(got), ids(got), c.want)
		}
	}

	// Ordering and paging: three pages of one, newest eventTime first.
	path := "/events?perPage=1&orderBy=eventTime&orderDirection=DESC&EQ_bizLocation=" + url.QueryEscape(siteGLN)
	var seen []string
	for path != "" && len(seen) < 5 {
		resp, body := x.do("GET", path, nil)
		expect(t, resp, body, 200)
		seen = append(seen, ids(events(t, body))...)
		path = nextLink(resp.Header.Get("Link"))
	}
	if strings.Join(seen, ",") != strings.Join([]string{evs[2].id, evs[1].id, evs[0].id}, ",") {
		t.Errorf("pages in eventTime DESC: %v", seen)
	}

	// One event, and the top-level resources.
	one := get("/events/" + url.PathEscape(evs[1].id))
	if len(one) != 1 || one[0]["eventID"] != evs[1].id {
		t.Errorf("GET /events/{id}: %v", ids(one))
	}
	for _, p := range []string{"/eventTypes", "/bizSteps", "/bizLocations", "/readPoints", "/dispositions", "/epcs", "/epcs?perPage=1"} {
		resp, body := x.do("GET", p, nil)
		expect(t, resp, body, 200)
	}
	for _, p := range []string{"/eventTypes/ObjectEvent", "/bizSteps/commissioning", "/dispositions/active", "/epcs/" + url.PathEscape(lot0),
		"/bizLocations/" + url.PathEscape(siteGLN), "/readPoints/" + url.PathEscape(siteGLN)} {
		resp, body := x.do("GET", p, nil)
		expect(t, resp, body, 200)
		if got := get(p + "/events?perPage=1000"); len(got) == 0 {
			t.Errorf("GET %s/events: none", p)
		}
	}
	if got := get("/epcs/" + url.PathEscape(lot0) + "/events"); len(got) != 2 {
		t.Errorf("GET /epcs/{lot}/events: %d, want 2", len(got))
	}

	// What the gateway does not do is answered in GS1's error shape.
	for _, c := range []struct {
		method, path string
		status       int
		hdr          []string
	}{
		{"GET", "/events/" + url.PathEscape("urn:uuid:00000000-0000-4000-8000-000000000000"), 404, nil},
		{"GET", "/events?EQ_quantity=3", 501, nil},
		{"GET", "/events?MATCH_epc=" + url.QueryEscape("urn:epc:idpat:sgtin:6923101.000010.*"), 501, nil},
		{"GET", "/events?EQ_bizStep=shipping&perPage=0", 400, nil},
		{"GET", "/events?GE_eventTime=yesterday", 400, nil},
		{"GET", "/events?nextPageToken=garbage", 400, nil},
		{"GET", "/events", 406, []string{"Accept", "application/xml"}},
		{"GET", "/bizSteps/nothing-here", 404, nil},
		{"GET", "/eventTypes/AssociationEventX", 404, nil},
		{"GET", "/capture/nope", 404, nil},
		{"GET", "/queries/nope", 404, nil},
		{"POST", "/capture", 415, []string{"Content-Type", "application/xml"}},
	} {
		resp, body := x.do(c.method, c.path, []byte(`{}`), c.hdr...)
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s %s: %s %s %s, want %d as a problem", c.method, c.path, resp.Status, resp.Header.Get("Content-Type"), body, c.status)
		}
	}
	// Unknown paths too (they are outside GS1's description, so checked by hand).
	x.spec = nil
	resp, body = x.do("GET", "/nowhere", nil)
	if resp.StatusCode != 404 || !strings.Contains(string(body), "epcisException:NoSuchNameException") {
		t.Errorf("GET /nowhere: %s %s", resp.Status, body)
	}
	resp, body = x.do("PUT", "/events", []byte(`{}`))
	if resp.StatusCode != 501 || !strings.Contains(string(body), "epcisException:ImplementationException") {
		t.Errorf("PUT /events: %s %s", resp.Status, body)
	}
}

// POST /events captures one event and answers 201 with its Location once
// it is on the chain; the same event again is a conflict.
func TestPostOneEvent(t *testing.T) {
	x := startGateway(t, t.TempDir(), nil)
	x.spec = gatewaytest.SpecIfPresent(t)
	e := lots("single", 1, true)[0]
	resp, body := x.do("POST", "/events", []byte(e.json()))
	expect(t, resp, body, 201)
	if loc := resp.Header.Get("Location"); loc != "/events/"+url.PathEscape(e.id) {
		t.Fatalf("Location %q", loc)
	}
	resp, body = x.do("GET", resp.Header.Get("Location"), nil)
	expect(t, resp, body, 200)
	resp, body = x.do("POST", "/events", []byte(e.json()))
	expect(t, resp, body, 409)
	// Without an eventID, the Location names the event by its hash.
	e2 := lots("single-noid", 1, false)[0]
	resp, body = x.do("POST", "/events", []byte(e2.json()))
	expect(t, resp, body, 201)
	if !strings.HasPrefix(resp.Header.Get("Location"), "/events/urn:qian:event:") {
		t.Errorf("Location %q", resp.Header.Get("Location"))
	}
}

// siteGLN is where TestCaptureThenQueryFromTheChain's events happen.
const siteGLN = "urn:epc:id:sgln:6923101.00003.0"

func nextLink(h string) string {
	for _, part := range strings.Split(h, ",") {
		if strings.Contains(part, `rel="next"`) {
			s := strings.TrimSpace(part)
			return s[1:strings.Index(s, ">")]
		}
	}
	return ""
}
