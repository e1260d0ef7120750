package trace_test

import (
	"bytes"
	"testing"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
)

func history(t *testing.T) (*contracttest.Chain, []*trace.Record) {
	c := cast(t)
	expect(t, capture(c, farmKey, commission(leaves)), call.OK)
	expect(t, capture(c, labKey, ev(2, "inspecting", leaves)), call.OK)
	expect(t, capture(c, farmKey, ship(coopGLN, leaves)), call.OK)
	expect(t, capture(c, coopKey, receive(leaves)), call.OK)
	h, err := trace.History(c.Store, leaves)
	if err != nil || len(h) != 4 {
		t.Fatalf("%d records, %v", len(h), err)
	}
	return c, h
}

// Each event names the previous event on the lot, so a verifier detects a
// missing, reordered or substituted event.
func TestHistoryIsAHashChain(t *testing.T) {
	c, h := history(t)
	head := object(t, c, leaves).Head
	if err := trace.VerifyChain(leaves, h, head); err != nil {
		t.Fatal(err)
	}
	if p, _ := h[0].Prev(leaves); p != (ledger.Hash{}) {
		t.Fatal("the first event names a previous event")
	}
	gap := []*trace.Record{h[0], h[1], h[3]}
	if err := trace.VerifyChain(leaves, gap, head); codeOf(err) != call.ErrInvalid {
		t.Fatalf("gap: %v", err)
	}
	swapped := []*trace.Record{h[0], h[2], h[1], h[3]}
	if err := trace.VerifyChain(leaves, swapped, head); err == nil {
		t.Fatal("reordering passed")
	}
	if err := trace.VerifyChain(leaves, h[:3], head); err == nil {
		t.Fatal("a truncated history passed")
	}
	forged := *h[1]
	forged.Org = "coop"
	if err := trace.VerifyChain(leaves, []*trace.Record{h[0], &forged, h[2], h[3]}, head); err == nil {
		t.Fatal("a substituted event passed")
	}
	if err := trace.VerifyChain(gs1.ObjectID{Kind: gs1.Lot, Key: leaves.Key, Ext: "other"}, h, head); err == nil {
		t.Fatal("another object's history passed")
	}
	// Records are stored under their hash.
	for _, r := range h {
		got, err := trace.GetRecord(c.Store, r.Hash())
		if err != nil || got == nil || !bytes.Equal(got.Encode(), r.Encode()) {
			t.Fatal("record not stored under its hash")
		}
	}
}

func TestFuzzSeedsAreCurrent(t *testing.T) {
	when = startTime // the seeds must not depend on which tests ran before
	_, h := history(t)
	var seeds [][]byte
	for _, r := range h {
		seeds = append(seeds, r.Encode())
	}
	contracttest.WriteSeeds(t, "FuzzDecodeRecord", append(seeds, []byte{1}, []byte{})...)
}

// FuzzDecodeRecord: the record decoder never panics and round-trips.
func FuzzDecodeRecord(f *testing.F) {
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := trace.DecodeRecord(b)
		if err != nil {
			return
		}
		if !bytes.Equal(r.Encode(), b) {
			t.Fatal("record does not round-trip")
		}
		_, _ = r.Event()
		_, _ = trace.DecodeRegisterProduct(b)
	})
}
