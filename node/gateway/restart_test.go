package gateway_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/node/gateway"
)

// countLots pages through the chain's commissioning events and counts, per
// lot whose number starts with tag, how many events the gateway answers.
func countLots(t *testing.T, x *gw, tag string) map[string]int {
	t.Helper()
	out := map[string]int{}
	path := "/events?EQ_bizStep=commissioning&perPage=1000"
	for path != "" {
		resp, body := x.do("GET", path, nil)
		expect(t, resp, body, 200)
		for _, e := range events(t, body) {
			ql, _ := e["quantityList"].([]any)
			for _, q := range ql {
				c, _ := q.(map[string]any)["epcClass"].(string)
				if i := strings.LastIndex(c, "/10/"); i >= 0 && strings.HasPrefix(c[i+4:], tag+"-") {
					out[c[i+4:]]++
				}
			}
		}
		path = nextLink(resp.Header.Get("Link"))
	}
	return out
}

// A gateway stopped in the middle of a capture of several transactions
// resumes the job when it starts again on the same home: every event ends
// up on the chain exactly once, although the events carry no eventID (the
// gateway keys them by content) and although some of the job's
// transactions may have been signed, sent or committed before the stop.
// Posting the same document again captures nothing twice.
func TestRestartMidCapture(t *testing.T) {
	network(t)
	const n = 2300 // three transactions: 1000, 1000, 300
	for _, stopAt := range []string{"accepted", "sent", "committed"} {
		t.Run("stop after "+stopAt, func(t *testing.T) {
			home := t.TempDir()
			tag := "r" + stopAt[:1] // lot numbers are at most 20 characters
			doc := document(lots(tag, n, false)...)
			x := startGateway(t, home, nil)
			resp, body := x.do("POST", "/capture", doc, "GS1-Capture-Error-Behaviour", "proceed")
			expect(t, resp, body, 202)
			loc := resp.Header.Get("Location")
			deadline := time.Now().Add(60 * time.Second)
			for stopAt != "accepted" {
				_, body := x.do("GET", loc, nil)
				var v gateway.JobView
				_ = json.Unmarshal(body, &v)
				done := 0
				for _, tx := range v.Txs {
					if stopAt == "sent" || tx.State == "committed" {
						done++
					}
				}
				if done > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no transaction %s: %s", stopAt, body)
				}
				time.Sleep(5 * time.Millisecond)
			}
			x.stop()

			y := startGateway(t, home, nil)
			job := y.waitJob(loc)
			if !job.Success || job.Captured != n {
				t.Fatalf("after restart: success %v, captured %d of %d, errors %v", job.Success, job.Captured, n, job.Errors)
			}
			got := countLots(t, y, tag)
			if len(got) != n {
				t.Errorf("%d lots on the chain, want %d", len(got), n)
			}
			for lot, c := range got {
				if c != 1 {
					t.Errorf("lot %s commissioned %d times", lot, c)
				}
			}
			again := y.capture(doc)
			if !again.Success || again.Captured != 0 || len(again.Skipped) != n {
				t.Errorf("the same document again: captured %d, skipped %d", again.Captured, len(again.Skipped))
			}
		})
	}
}

// receiver is a webhook endpoint that records the eventIDs it is sent.
type receiver struct {
	mu     chan struct{}
	got    map[string]int
	fail   int // answer 500 to this many calls first
	calls  int
	secret string
	bad    int // calls whose signature did not verify
}

func (r *receiver) count(tag string) (distinct, total int) {
	r.mu <- struct{}{}
	defer func() { <-r.mu }()
	for id, c := range r.got {
		if strings.Contains(id, fmt.Sprintf("%08x", hash32(tag))) {
			distinct++
			total += c
		}
	}
	return
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
