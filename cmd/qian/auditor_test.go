package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/client"
)

// The auditor's workflow of docs/traceability.md §5, end to end against a
// running devnet, with only the files the commands write: the farm captures
// a harvest (one event: trace.capture) and a harvest day (two events: one
// trace.capture_batch), each writing DOC.disclosures.json; the auditor
// checks those files against a proof bundle, against a bundle and one
// event (--event), and with no bundle at all (--event --node). Each
// disclosure is reported with the event that recorded it; a disclosure of
// the batch's other event is listed as not checked; a changed value fails.
func TestAuditorWorkflow(t *testing.T) {
	url, gen := devnetClient(t)
	work := t.TempDir()

	// The farm captures.
	capture := func(name string) (doc, disclosures string, tx ledger.Hash, events []string) {
		t.Helper()
		doc = filepath.Join(work, name+".jsonld")
		raw, err := os.ReadFile("testdata/auditor-" + name + ".jsonld")
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(doc, raw, 0o644)
		r := runQian(t, "", nil, "trace", "capture", doc, "--key", "farm", "--node", url)
		r.want(t, 0, "OK (block")
		m := regexp.MustCompile(`tx ([0-9a-f]{64}) OK`).FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("capture printed no transaction:\n%s", r.stdout)
		}
		tx, _ = ledger.ParseHash(m[1])
		events = traceEventsOf(t, url, tx)
		for i, ev := range events {
			if !strings.Contains(r.stdout, "trace event "+itoa(uint64(i))+": "+ev) {
				t.Errorf("capture does not print trace event %d (%s):\n%s", i, ev, r.stdout)
			}
		}
		disclosures = filepath.Join(work, name+".disclosures.json")
		if st, err := os.Stat(disclosures); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("disclosure file %s: %v", disclosures, err)
		}
		return doc, disclosures, tx, events
	}
	_, single, singleTx, singleEvents := capture("harvest")
	_, day, dayTx, dayEvents := capture("harvest-day")
	if len(singleEvents) != 1 || len(dayEvents) != 2 {
		t.Fatalf("trace events: %d and %d, want 1 and 2", len(singleEvents), len(dayEvents))
	}
	// Bundles prove outcomes once the next block is committed.
	waitHeightAbove(t, url, txHeight(t, url, dayTx))

	bundle := func(tx ledger.Hash) string {
		path := filepath.Join(work, tx.String()[:8]+".bundle.json")
		runQian(t, "", nil, "proof", tx.String(), "--node", url, "-o", path).want(t, 0)
		return path
	}
	singleBundle, dayBundle := bundle(singleTx), bundle(dayTx)

	// One event: with its bundle, and by its event hash alone.
	for _, argv := range [][]string{
		{"verify", singleBundle, "--genesis", gen, "--disclose", single},
		{"verify", singleBundle, "--genesis", gen, "--disclose", single, "--event", singleEvents[0]},
		{"verify", "--disclose", single, "--event", singleEvents[0], "--node", url, "--genesis", gen},
	} {
		r := runQian(t, "", nil, argv...)
		r.want(t, 0, "VERIFIED", "Disclosure farmerName: 王秀英 opens commitment", "Disclosure farmerPhone: 13985400217 opens commitment",
			"in trace event "+singleEvents[0][:16]+"… (its event 0, as its proven outcome says)")
	}

	// Two events in one transaction: every disclosure with its own event.
	r := runQian(t, "", nil, "verify", dayBundle, "--genesis", gen, "--disclose", day, "--json")
	r.want(t, 0)
	var out verifyOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range out.Disclosures {
		got[d.Field+"="+d.Value] = d.Index
		if d.Event != dayEvents[d.Index] {
			t.Errorf("%s: event %s, want event %d's %s", d.Field, d.Event, d.Index, dayEvents[d.Index])
		}
	}
	want := map[string]int{"farmerName=王秀英": 0, "farmerPhone=13985400217": 0, "farmerName=李德芳": 1}
	if len(got) != len(want) || len(out.Skipped) != 0 || !out.Verified {
		t.Fatalf("disclosures %v (skipped %v), want %v", got, out.Skipped, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("disclosures %v, want %v", got, want)
		}
	}
	// The second event alone, from the node and from the bundle: the
	// first event's disclosures are listed as not checked.
	for _, argv := range [][]string{
		{"verify", "--disclose", day, "--event", dayEvents[1], "--node", url, "--genesis", gen},
		{"verify", dayBundle, "--disclose", day, "--event", dayEvents[1], "--genesis", gen},
	} {
		r := runQian(t, "", nil, argv...)
		r.want(t, 0, "Disclosure farmerName: 李德芳 opens commitment", "in trace event "+dayEvents[1][:16]+"… (its event 1",
			"Not checked: the disclosure of farmerName is for another event", "Not checked: the disclosure of farmerPhone is for another event")
		if strings.Contains(r.stdout, "王秀英 opens") {
			t.Fatalf("the first event's disclosure reported for the second:\n%s", r.stdout)
		}
	}

	// A changed value opens nothing; the single event's file says nothing
	// about the day's transaction; an event of another transaction is not
	// this bundle's.
	raw, _ := os.ReadFile(day)
	forged := filepath.Join(work, "forged.disclosures.json")
	os.WriteFile(forged, []byte(strings.Replace(string(raw), "李德芳", "李德方", 1)), 0o600)
	runQian(t, "", nil, "verify", dayBundle, "--genesis", gen, "--disclose", forged).wantErr(t, 1, "ERR_DISCLOSURE", "do not open commitment")
	runQian(t, "", nil, "verify", dayBundle, "--genesis", gen, "--disclose", single).wantErr(t, 1, "ERR_DISCLOSURE", "none of the file's disclosures")
	runQian(t, "", nil, "verify", dayBundle, "--genesis", gen, "--disclose", day, "--event", singleEvents[0]).wantErr(t, 1, "ERR_DISCLOSURE", "recorded no trace event")
}

// traceEventsOf asks the node for a committed transaction's outcome and
// returns the hashes of the trace events it recorded, in order.
func traceEventsOf(t *testing.T, url string, tx ledger.Hash) []string {
	t.Helper()
	var tr api.TxResponse
	if err := client.New(url).Get(context.Background(), "/v1/txs/"+tx.String(), &tr); err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(tr.Result)
	if err != nil {
		t.Fatal(err)
	}
	o, err := node.DecodeOutcome(raw)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range o.Events {
		for _, at := range ev.Attrs {
			if ev.Type == "trace.event" && at.Key == "event" {
				out = append(out, at.Value)
			}
		}
	}
	return out
}

func txHeight(t *testing.T, url string, tx ledger.Hash) uint64 {
	t.Helper()
	var tr api.TxResponse
	if err := client.New(url).Get(context.Background(), "/v1/txs/"+tx.String(), &tr); err != nil {
		t.Fatal(err)
	}
	return tr.Height
}

// waitHeightAbove waits until the node has committed a block above h.
func waitHeightAbove(t *testing.T, url string, h uint64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var st api.StatusResponse
		if err := client.New(url).Get(context.Background(), "/v1/status", &st); err == nil && st.Height > h {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no block above %d within a minute", h)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
