package gateway_test

import (
	"net/url"
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
	x.spec = gatewaytest.LoadSpec(t)
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

// An event Qianchain does not record (an AssociationEvent, today) is
// reported per event; under proceed the others are captured.
func TestUnsupportedEventIsReportedPerEvent(t *testing.T) {
	x := startGateway(t, t.TempDir(), nil)
	x.spec = gatewaytest.LoadSpec(t)
	evs := lots("assoc", 2, true)
	doc := string(document(evs...))
	assoc := `{"type": "AssociationEvent", "eventTime": "2025-03-24T09:31:00Z", "eventTimeZoneOffset": "+00:00", "eventID": "urn:uuid:a0000000-0000-4000-8000-000000000001",
 "parentID": "urn:epc:id:grai:6923101.00001.1", "childEPCs": ["urn:epc:id:giai:6923101.1"], "action": "ADD", "bizStep": "assembling"}`
	doc = strings.Replace(doc, `"eventList": [`, `"eventList": [`+assoc+",", 1)
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
