package index

import (
	"fmt"
	"math/rand"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/gateway/follow"
)

// testEvent is an event the index must find, with what a query matches on.
func testEvent(r *rand.Rand, k int) string {
	steps := []string{"commissioning", "shipping", "receiving", "inspecting"}
	actions := []string{"ADD", "OBSERVE", "DELETE"}
	locs := []string{"urn:epc:id:sgln:6923101.00002.0", "urn:epc:id:sgln:6923101.00003.0"}
	id := ""
	if k%3 != 0 {
		id = fmt.Sprintf(`"eventID": "urn:uuid:00000000-0000-4000-8000-%012d",`, k)
	}
	t := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Intn(1000)) * time.Minute)
	return fmt.Sprintf(`{"type": "ObjectEvent", %s "eventTime": %q, "eventTimeZoneOffset": "+00:00", "action": %q, "bizStep": %q,
 "bizLocation": {"id": %q}, "epcList": ["urn:epc:id:sgtin:6923101.000010.%d"], "quantityList": [{"epcClass": "urn:epc:class:lgtin:6923101.000010.L%d"}]}`,
		id, t.Format(time.RFC3339), actions[r.Intn(3)], steps[r.Intn(4)], locs[r.Intn(2)], r.Intn(20), r.Intn(10))
}

// build indexes n events in blocks of random sizes, as the block loop
// does, and returns the index.
func build(t *testing.T, seed int64, n int) *Index {
	t.Helper()
	db, err := pebble.Open("", &pebble.Options{FS: vfs.NewMem(), Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ix, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(seed))
	height := uint64(1)
	for k := 0; k < n; height++ {
		blk := &follow.Block{Block: &ledger.Block{Header: ledger.Header{Height: height, Time: int64(height) * int64(time.Second)}}}
		for tx := 0; tx < 1+r.Intn(3) && k < n; tx++ {
			m := 1 + r.Intn(5)
			var payloads [][]byte
			o := &node.TxOutcome{Code: "OK"}
			for i := 0; i < m && k < n; i, k = i+1, k+1 {
				doc := `{"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-01-01T00:00:00Z", "epcisBody": {"eventList": [` + testEvent(r, k) + `]}}`
				dec, err := epcis.Decode([]byte(doc), epcis.DecodeOptions{})
				if err != nil {
					t.Fatal(err)
				}
				p := dec.Events[0].Encode()
				payloads = append(payloads, p)
				h := ledger.Sum(append([]byte{byte(k >> 8), byte(k)}, p...))
				o.Events = append(o.Events, contracts.Event{Type: "trace.event", Attrs: []contracts.Attr{{Key: "event", Value: h.String()}, {Key: "org", Value: "farm"}}})
			}
			method, payload := trace.MethodCaptureBatch, trace.EncodeCaptureBatch(payloads)
			blk.Block.Txs = append(blk.Block.Txs, &ledger.Tx{ChainID: "c", Nonce: uint64(k), Contract: trace.Contract, Method: method, Payload: payload})
			blk.Outcomes = append(blk.Outcomes, o)
			// A refused transaction records nothing.
			blk.Block.Txs = append(blk.Block.Txs, &ledger.Tx{ChainID: "c", Nonce: uint64(k) + 1<<40, Contract: trace.Contract, Method: method, Payload: payload})
			blk.Outcomes = append(blk.Outcomes, &node.TxOutcome{Code: "ERR_DUPLICATE_EVENT"})
		}
		b := db.NewBatch()
		es, err := ix.Apply(b, blk)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Commit(pebble.Sync); err != nil {
			t.Fatal(err)
		}
		ix.Committed(es)
	}
	if ix.Count() != uint64(n) {
		t.Fatalf("%d events indexed, want %d", ix.Count(), n)
	}
	return ix
}

// Paging through any query, in any order and page size, visits exactly
// the events a scan of everything with Match finds, once each, in order.
func TestPagingVisitsEveryMatchOnce(t *testing.T) {
	ix := build(t, 1, 400)
	var all []*Entry
	for s := uint64(0); s < ix.Count(); s++ {
		e, err := ix.entry(s)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, e)
	}
	queries := []string{
		"",
		"EQ_bizStep=shipping",
		"EQ_bizStep=shipping|receiving&EQ_action=ADD",
		"eventType=ObjectEvent&EQ_bizLocation=urn:epc:id:sgln:6923101.00003.0",
		"MATCH_epc=urn:epc:id:sgtin:6923101.000010.7|https://id.gs1.org/01/06923101000103/21/3",
		"MATCH_anyEPCClass=urn:epc:class:lgtin:6923101.000010.L4",
		"MATCH_epcClass=urn:epc:class:lgtin:6923101.000010.L4&MATCH_epc=urn:epc:id:sgtin:6923101.000010.1",
		"GE_eventTime=2025-01-01T05:00:00Z&LT_eventTime=2025-01-01T09:00:00Z",
		"GE_eventTime=2025-01-01T05:00:00Z&orderBy=eventTime&orderDirection=ASC",
		"orderBy=eventTime",
		"orderBy=recordTime&EQ_action=OBSERVE",
		"GE_recordTime=1970-01-01T00:00:20Z&LT_recordTime=1970-01-01T00:01:00Z",
		"EQ_eventID=urn:uuid:00000000-0000-4000-8000-000000000005|urn:uuid:00000000-0000-4000-8000-000000000007|urn:uuid:00000000-0000-4000-8000-000000000003",
	}
	for _, qs := range queries {
		vals, _ := url.ParseQuery(qs)
		q, err := Parse(vals)
		if err != nil {
			t.Fatalf("%s: %v", qs, err)
		}
		var want []uint64
		sorted := slices.Clone(all)
		slices.SortStableFunc(sorted, q.compare)
		for _, e := range sorted {
			if ok, _ := q.Match(e); ok {
				want = append(want, e.Seq)
			}
		}
		for _, c := range []struct{ per, budget int }{{1, ScanBudget}, {3, ScanBudget}, {7, ScanBudget}, {1000, ScanBudget}, {5, 11}, {1000, 2}, {1000, 1}} {
			per := c.per
			ix.budget = c.budget // a page may end early, with a Next position
			var got []uint64
			var pos *Position
			for pages := 0; ; pages++ {
				p, err := ix.Run(q, per, pos)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range p.Entries {
					got = append(got, e.Seq)
				}
				if p.Next == nil || pages > 10000 {
					break
				}
				pos = p.Next
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s, %d per page, budget %d: got %v, want %v", qs, per, c.budget, got, want)
			}
		}
		if len(want) == 0 && qs != "" {
			t.Logf("%s matches nothing in this sample", qs)
		}
	}
}

// The query parameters are read as the REST bindings write them, and the
// ones the gateway does not implement say so.
func TestParse(t *testing.T) {
	for _, c := range []struct {
		qs          string
		unsupported bool
		bad         bool
		check       func(q *Query) bool
	}{
		{qs: "EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping|https://ref.gs1.org/cbv/BizStep-receiving", check: func(q *Query) bool {
			return slices.Equal(q.BizSteps, []string{"shipping", "receiving"})
		}},
		{qs: "EQ_bizLocation=urn:epc:id:sgln:6923101.00002.0", check: func(q *Query) bool {
			return q.BizLocations[0] == "https://id.gs1.org/414/6923101000028"
		}},
		{qs: "MATCH_epcClass=urn:epc:class:lgtin:6923101.000010.L1", check: func(q *Query) bool {
			return q.MatchEPCClass[0] == "https://id.gs1.org/01/06923101000103/10/L1"
		}},
		{qs: "orderBy=eventTime", check: func(q *Query) bool { return q.ByEventTime && q.Desc }},
		{qs: "orderBy=eventTime&orderDirection=ASC", check: func(q *Query) bool { return q.ByEventTime && !q.Desc }},
		{qs: "eventID=a&EQ_eventID=b", check: func(q *Query) bool { return len(q.EventIDs) == 2 }},
		{qs: "perPage=3&nextPageToken=x", check: func(q *Query) bool { return true }},
		{qs: "EQ_quantity=3", unsupported: true},
		{qs: "EQ_ex:temperature=3", unsupported: true},
		{qs: "MATCH_epc=urn:epc:idpat:sgtin:6923101.*.*", unsupported: true},
		{qs: "orderBy=ex:weight", unsupported: true},
		{qs: "EQ_action=MOVE", bad: true},
		{qs: "GE_eventTime=monday", bad: true},
		{qs: "orderDirection=UP", bad: true},
		{qs: "eventType=Nothing", bad: true},
		{qs: "colour=red", bad: true},
		{qs: "EQ_bizStep=", bad: true},
		{qs: "MATCH_epc=https://id.gs1.org/01/06923101000107/21/3", bad: true}, // wrong check digit
	} {
		vals, _ := url.ParseQuery(c.qs)
		q, err := Parse(vals)
		pe, _ := err.(*ParamError)
		switch {
		case c.unsupported || c.bad:
			if pe == nil || pe.Unsupported != c.unsupported {
				t.Errorf("%s: %v, want unsupported=%v", c.qs, err, c.unsupported)
			}
		case err != nil:
			t.Errorf("%s: %v", c.qs, err)
		case !c.check(q):
			t.Errorf("%s: %+v", c.qs, q)
		}
	}
}

type quiet struct{}

func (quiet) Infof(string, ...any)  {}
func (quiet) Errorf(string, ...any) {}
func (quiet) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}
