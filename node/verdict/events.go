package verdict

import (
	"encoding/json"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/genesis/anchor"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
)

// Event is a trace event the proven outcome records (docs/state.md §4,
// trace.event): its record hash, type, bizStep, the recording
// organisation as the contract found it, and the objects it is about, as
// canonical Digital Link URIs. Record is the event itself, decoded from
// the transaction's payload (the k-th event of the payload is the k-th
// trace.event of the outcome).
type Event struct {
	Index   int             `json:"index"` // among the transaction's trace events
	Hash    ledger.Hash     `json:"hash"`
	Type    string          `json:"type"`
	BizStep string          `json:"biz_step"`
	Org     *Org            `json:"org,omitempty"`
	Objects []string        `json:"objects"`
	Record  json.RawMessage `json:"record,omitempty"`
}

// events lists the trace events the proven outcome records; none without a
// proven outcome OK (a refused capture recorded nothing; a bundle of the
// newest block proves no outcome yet).
func events(g *anchor.Genesis, rep *proof.Report) []Event {
	if rep.Result == nil || rep.Result.Code != "OK" {
		return nil
	}
	payload := payloadEvents(rep.Tx)
	var out []Event
	for _, ev := range rep.Result.Events {
		if ev.Type != "trace.event" {
			continue
		}
		e := Event{Index: len(out), Objects: []string{}}
		for _, at := range ev.Attrs {
			switch at.Key {
			case "event":
				e.Hash, _ = ledger.ParseHash(at.Value)
			case "type":
				e.Type = at.Value
			case "biz_step":
				e.BizStep = at.Value
			case "org":
				e.Org = orgByID(g, at.Value)
			case "object":
				e.Objects = append(e.Objects, at.Value)
			}
		}
		if e.Index < len(payload) && len(payload) == countTraceEvents(rep) {
			e.Record, _ = recorded(rep, payload[e.Index], e.Hash).MarshalJSON()
		}
		out = append(out, e)
	}
	return out
}

// payloadEvents decodes the EPCIS events of a trace capture's payload.
func payloadEvents(tx *ledger.Tx) []*epcis.Event {
	if tx.Contract != trace.Contract {
		return nil
	}
	switch tx.Method {
	case trace.MethodCapture:
		if ev, err := trace.DecodeCapture(tx.Payload); err == nil {
			return []*epcis.Event{ev}
		}
	case trace.MethodCaptureBatch:
		if b, err := trace.DecodeCaptureBatch(tx.Payload); err == nil {
			return b.Events
		}
	}
	return nil
}

func countTraceEvents(rep *proof.Report) int {
	n := 0
	for _, ev := range rep.Result.Events {
		if ev.Type == "trace.event" {
			n++
		}
	}
	return n
}

// eventHashes are the record hashes of the trace events the proven
// outcome records, in order.
func eventHashes(rep *proof.Report) []ledger.Hash {
	if rep.Result == nil || rep.Result.Code != "OK" {
		return nil
	}
	var out []ledger.Hash
	for _, ev := range rep.Result.Events {
		if ev.Type != "trace.event" {
			continue
		}
		for _, at := range ev.Attrs {
			if at.Key == "event" {
				h, _ := ledger.ParseHash(at.Value)
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// provenEvent is the event h among those the verdict's proven outcome
// records, or ErrEvent saying why the bundle does not prove it.
func provenEvent(v *Verdict, h ledger.Hash) (*Event, error) {
	rep := v.Report
	switch {
	case rep.Result == nil:
		return nil, coded(ErrEvent, "the bundle carries no outcome of transaction %s, so it proves no event yet: block %d's app hash proves it; fetch the bundle again once that block is committed", rep.TxHash, rep.Height+1)
	case rep.Result.Code != "OK":
		return nil, coded(ErrEvent, "the chain refused transaction %s (%s): it recorded no event", rep.TxHash, rep.Result.Code)
	}
	for i := range v.Events {
		if v.Events[i].Hash == h {
			e := v.Events[i]
			return &e, nil
		}
	}
	return nil, coded(ErrEvent, "transaction %s recorded %d trace events, none of them %s", rep.TxHash, len(v.Events), h)
}
