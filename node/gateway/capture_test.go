package gateway_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/node/gateway/gatewaytest"
)

// A document with one event the chain refuses (a lot of a company prefix
// the farm does not own): under rollback (the default) nothing is
// captured; under proceed everything else is. Either way the job names the
// refused event in GS1's error shape.
func TestCaptureErrorBehaviour(t *testing.T) {
	x := startGateway(t, t.TempDir(), nil)
	x.spec = gatewaytest.SpecIfPresent(t)
	for _, beh := range []string{"", "proceed"} {
		t.Run("behaviour="+beh, func(t *testing.T) {
			evs := lots("beh"+beh, 3, true)
			evs[1].prefix = "0614141" // not the farm's: refused in execution
			var hdr []string
			if beh != "" {
				hdr = []string{"GS1-Capture-Error-Behaviour", beh}
			}
			job := x.capture(document(evs...), hdr...)
			if job.Success || len(job.Errors) != 1 || job.Errors[0].Event == nil || *job.Errors[0].Event != 1 ||
				job.Errors[0].Code != "ERR_PREFIX_NOT_OWNED" || job.Errors[0].Instance != evs[1].id {
				t.Fatalf("job: %+v", job)
			}
			want := 0
			if beh == "proceed" {
				want = 2
			}
			if job.Captured != want {
				t.Errorf("captured %d, want %d: %+v", job.Captured, want, job)
			}
			resp, body := x.do("GET", "/events?eventID="+url.QueryEscape(evs[0].id)+"|"+url.QueryEscape(evs[1].id)+"|"+url.QueryEscape(evs[2].id), nil)
			expect(t, resp, body, 200)
			if got := events(t, body); len(got) != want {
				t.Errorf("%d events on the chain, want %d", len(got), want)
			}
			// A refused event's key is free again: fixed, it captures.
			evs[1].prefix = ""
			job = x.capture(document(evs...), hdr...)
			if !job.Success || job.Captured != 3-want || len(job.Skipped) != want {
				t.Errorf("second capture: %+v", job)
			}
		})
	}
}

// An event Qianchain does not record (valid EPCIS 2.0, but an eventTime
// in 2300, past what a Unix nanosecond time holds) is reported per event;
// under proceed the others are captured.
func TestUnsupportedEventIsReportedPerEvent(t *testing.T) {
	x := startGateway(t, t.TempDir(), nil)
	x.spec = gatewaytest.SpecIfPresent(t)
	evs := lots("unsup", 2, true)
	doc := string(document(evs...))
	late := `{"type": "ObjectEvent", "eventTime": "2300-03-24T09:31:00Z", "eventTimeZoneOffset": "+00:00", "eventID": "urn:uuid:a0000000-0000-4000-8000-000000000001",
 "epcList": ["urn:epc:id:sgtin:6923101.000010.1"], "action": "OBSERVE", "bizStep": "inspecting"}`
	doc = strings.Replace(doc, `"eventList": [`, `"eventList": [`+late+",", 1)
	job := x.capture([]byte(doc), "GS1-Capture-Error-Behaviour", "proceed")
	if job.Success || job.Captured != 2 || len(job.Errors) != 1 || *job.Errors[0].Event != 0 || job.Errors[0].Code != "ERR_EPCIS_UNSUPPORTED" {
		t.Fatalf("job: %+v", job)
	}
	// The whole document that is not EPCIS is refused at once.
	resp, body := x.do("POST", "/capture", []byte(`{"type": "Nonsense"}`))
	expect(t, resp, body, 400)
	resp, body = x.do("POST", "/capture", []byte(`not json`))
	expect(t, resp, body, 400)
}

// Personal data goes on the chain as commitments only; the gateway keeps
// the disclosures in its home, private, before it signs anything.
func TestPersonalDataDisclosuresAreKept(t *testing.T) {
	home := t.TempDir()
	x := startGateway(t, home, nil)
	ev := lots("pd", 1, true)[0].json()
	ev = strings.Replace(ev, `"type": "ObjectEvent",`, `"type": "ObjectEvent", "qian:personalData": {"farmerName": "王秀英"},`, 1)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"qian": "https://qianchain.org/ns/epcis/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-03-24T09:35:00+08:00", "epcisBody": {"eventList": [` + ev + `]}}`
	job := x.capture([]byte(doc))
	if !job.Success {
		t.Fatalf("job: %+v", job)
	}
	raw, err := os.ReadFile(filepath.Join(home, "disclosures", job.CaptureID+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "王秀英") {
		t.Errorf("disclosures: %s", raw)
	}
	if st, _ := os.Stat(filepath.Join(home, "disclosures", job.CaptureID+".json")); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	_, body := x.do("GET", "/events?EQ_eventID="+url.QueryEscape(lots("pd", 1, true)[0].id), nil)
	if strings.Contains(string(body), "王秀英") || !strings.Contains(string(body), "qian:commitments") {
		t.Errorf("the chain shows: %s", body)
	}
}

// An error declaration re-captures an event with the event's eventID: the
// gateway captures it (it is not the event posted again), an eventID query
// answers the event and its declaration, GET /events/{eventID} the event,
// and posting the declaration again, or the event, is skipped.
func TestErrorDeclarationIsCaptured(t *testing.T) {
	x := startGateway(t, t.TempDir(), nil)
	x.spec = gatewaytest.SpecIfPresent(t)
	ev := lots("decl", 1, true)[0]
	if job := x.capture(document(ev)); !job.Success || job.Captured != 1 {
		t.Fatalf("the event: %+v", job)
	}
	decl := strings.Replace(ev.json(), `"action":`, `"errorDeclaration": {"declarationTime": "2025-03-24T10:00:00Z", "reason": "incorrect_data"}, "action":`, 1)
	declDoc := strings.Replace(string(document(ev)), ev.json(), decl, 1)
	job := x.capture([]byte(declDoc))
	if !job.Success || job.Captured != 1 || len(job.Skipped) != 0 {
		t.Fatalf("the declaration: %+v", job)
	}
	resp, body := x.do("GET", "/events?EQ_eventID="+url.QueryEscape(ev.id), nil)
	expect(t, resp, body, 200)
	got := events(t, body)
	declared := 0
	for _, e := range got {
		if e["errorDeclaration"] != nil {
			declared++
		}
	}
	if len(got) != 2 || declared != 1 {
		t.Fatalf("an eventID query answers %d events, %d of them declarations; want the event and its declaration", len(got), declared)
	}
	resp, body = x.do("GET", "/events/"+url.PathEscape(ev.id), nil)
	expect(t, resp, body, 200)
	if strings.Contains(string(body), "errorDeclaration") {
		t.Errorf("GET /events/{eventID} answers the declaration, not the event: %s", body)
	}
	for name, doc := range map[string][]byte{"the declaration": []byte(declDoc), "the event": document(ev)} {
		if job := x.capture(doc); job.Captured != 0 || len(job.Skipped) != 1 || job.Skipped[0].CapturedBy == "" {
			t.Errorf("%s posted again: %+v", name, job)
		}
	}
}
