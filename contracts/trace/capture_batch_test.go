package trace_test

import (
	"testing"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/trace"
)

func batchOf(evs ...*epcis.Event) []byte {
	var ps [][]byte
	for _, e := range evs {
		if err := e.Validate(); err != nil {
			panic(err)
		}
		ps = append(ps, e.Encode())
	}
	return trace.EncodeCaptureBatch(ps)
}

// A batch records its events in order, as separate captures would: the
// second event builds on the first (custody moves within the batch).
func TestCaptureBatchRecordsEveryEvent(t *testing.T) {
	c := cast(t)
	a, b := lot("6923101", "00010", "B1"), lot("6923101", "00010", "B2")
	r := c.Do(farmKey, trace.Contract, trace.MethodCaptureBatch, batchOf(commission(a), commission(b), ship(coopGLN, a)))
	expect(t, r, call.OK)
	if o := object(t, c, a); o == nil || o.Receiver != "coop" || o.Count != 2 {
		t.Fatalf("lot a after the batch: %+v", o)
	}
	if o := object(t, c, b); o == nil {
		t.Fatal("lot b was not commissioned")
	}
	hist, err := trace.History(c.Store, a)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history of a: %d records, %v", len(hist), err)
	}
}

// All or nothing: an event refused refuses the batch, its code names the
// event, and nothing of the earlier events stays.
func TestCaptureBatchIsAtomic(t *testing.T) {
	c := cast(t)
	a := lot("6923101", "00010", "B3")
	foreign := lot("6923102", "00010", "B4") // the co-op's prefix
	r := c.Do(farmKey, trace.Contract, trace.MethodCaptureBatch, batchOf(commission(a), commission(foreign)))
	expect(t, r, call.ErrPrefixNotOwned, "event 1:")
	if o, err := trace.GetObject(c.Store, a); err != nil || o != nil {
		t.Fatalf("the first event's lot exists though the batch was refused: %+v %v", o, err)
	}
}

func TestCaptureBatchPayloadErrors(t *testing.T) {
	c := cast(t)
	expect(t, c.Do(farmKey, trace.Contract, trace.MethodCaptureBatch, trace.EncodeCaptureBatch(nil)), call.ErrPayload, "at least one")
	expect(t, c.Do(farmKey, trace.Contract, trace.MethodCaptureBatch, trace.EncodeCaptureBatch([][]byte{{0xde, 0xad}})), call.ErrPayload, "event 0")
	good := batchOf(commission(lot("6923101", "00010", "B5")))
	expect(t, c.Do(farmKey, trace.Contract, trace.MethodCaptureBatch, append(good, 0)), call.ErrPayload)
}

// FuzzDecodeCaptureBatch: the batch decoder never panics, and what it
// accepts re-encodes to exactly its input.
func FuzzDecodeCaptureBatch(f *testing.F) {
	f.Add(batchOf(commission(lot("6923101", "00010", "F1")), ship(coopGLN, lot("6923101", "00010", "F1"))))
	f.Add(trace.EncodeCaptureBatch(nil))
	f.Add([]byte{2, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		cb, err := trace.DecodeCaptureBatch(b)
		if err != nil {
			return
		}
		if got := trace.EncodeCaptureBatch(cb.Payloads); string(got) != string(b) {
			t.Fatal("a capture batch does not round-trip")
		}
	})
}
