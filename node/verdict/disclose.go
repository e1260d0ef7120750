package verdict

import (
	"encoding/hex"
	"fmt"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/disclosure"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger/proof"
)

// DisclosureCheck is one disclosure that opened a commitment of the proven
// transaction: Event is the trace event that recorded it (the Index-th
// event of the transaction, whose hash the proven outcome names).
type DisclosureCheck struct {
	Field      string `json:"field"`
	Value      string `json:"value"`
	Commitment string `json:"commitment"`
	Event      string `json:"event"`
	Index      int    `json:"event_index"`
}

// DisclosureSkip is a disclosure of a file that was not checked because it
// names another event than the one asked for, or one this transaction did
// not record: it says nothing about this transaction.
type DisclosureSkip struct {
	Field  string `json:"field"`
	Event  string `json:"event"`
	Reason string `json:"reason"`
}

// capturedEvents returns the trace events the proven transaction recorded,
// in order, and their hashes from its proven outcome: a trace.capture
// records one event; a trace.capture_batch records its k-th payload event
// as the k-th trace.event of its outcome. Without a proven outcome OK
// nothing says the events were recorded (a refused capture is in its block
// too), so the disclosures cannot be checked.
func capturedEvents(rep *proof.Report) ([]*epcis.Event, []string, error) {
	tx := rep.Tx
	var events []*epcis.Event
	switch {
	case tx.Contract == trace.Contract && tx.Method == trace.MethodCapture:
		ev, err := trace.DecodeCapture(tx.Payload)
		if err != nil {
			return nil, nil, call.Errorf(call.ErrDisclosure, "the proven transaction's event does not decode: %v", err)
		}
		events = []*epcis.Event{ev}
	case tx.Contract == trace.Contract && tx.Method == trace.MethodCaptureBatch:
		b, err := trace.DecodeCaptureBatch(tx.Payload)
		if err != nil {
			return nil, nil, call.Errorf(call.ErrDisclosure, "the proven transaction's events do not decode: %v", err)
		}
		events = b.Events
	default:
		return nil, nil, call.Errorf(call.ErrDisclosure, "the proven transaction is %s.%s, not a trace capture: it records no personal data", tx.Contract, tx.Method)
	}
	if rep.Result == nil || rep.Result.Code != "OK" {
		return nil, nil, call.Errorf(call.ErrDisclosure, "nothing proves that transaction %s recorded its events: %s", rep.TxHash, noEvents(rep))
	}
	var hashes []string
	for _, h := range eventHashes(rep) {
		hashes = append(hashes, h.String())
	}
	if len(hashes) != len(events) {
		return nil, nil, call.Errorf(call.ErrDisclosure, "the proven outcome names %d trace events for the transaction's %d", len(hashes), len(events))
	}
	return events, hashes, nil
}

// checkDisclosures checks the disclosures of one file against the proven
// transaction (docs/verification.md §4). A disclosure is matched to the
// event that records its field with its commitment; it must open that
// commitment. When it names an event, or the verifier asks about one
// (want), the event that records it must be that one. A disclosure that
// names another event than want, or (without want) an event this
// transaction did not record, is about something else and is skipped, not
// failed; the verdict lists it. Any other mismatch fails with
// ERR_DISCLOSURE.
func checkDisclosures(rep *proof.Report, ds []disclosure.Disclosure, want string) ([]DisclosureCheck, []DisclosureSkip, error) {
	events, hashes, err := capturedEvents(rep)
	if err != nil {
		return nil, nil, err
	}
	indexOf := func(h string) int {
		for i, x := range hashes {
			if x == h {
				return i
			}
		}
		return -1
	}
	if want != "" && indexOf(want) < 0 {
		return nil, nil, call.Errorf(call.ErrDisclosure, "transaction %s recorded no trace event %s", rep.TxHash, want)
	}
	var checked []DisclosureCheck
	var skipped []DisclosureSkip
	for _, d := range ds {
		target := want
		switch {
		case d.Event != "" && want != "" && d.Event != want:
			skipped = append(skipped, DisclosureSkip{Field: d.Field, Event: d.Event, Reason: "for another event than " + want})
			continue
		case d.Event != "" && want == "":
			if indexOf(d.Event) < 0 {
				skipped = append(skipped, DisclosureSkip{Field: d.Field, Event: d.Event, Reason: "for an event this transaction did not record"})
				continue
			}
			target = d.Event
		}
		k := -1
		if target != "" {
			k = indexOf(target)
			if !records(events[k], d) {
				return nil, nil, call.Errorf(call.ErrDisclosure, "event %s (event %d of the transaction) records no commitment %s for field %q", target, k, d.Commitment, d.Field)
			}
		} else {
			for i, ev := range events {
				if records(ev, d) {
					k = i
					break
				}
			}
			if k < 0 {
				return nil, nil, call.Errorf(call.ErrDisclosure, "no event of transaction %s records commitment %s for field %q", rep.TxHash, d.Commitment, d.Field)
			}
		}
		var c [32]byte
		hex.Decode(c[:], []byte(d.Commitment)) // 64 hex digits: disclosure.ParseFile checked them
		if err := disclosure.Check(d, d.Field, c); err != nil {
			return nil, nil, err
		}
		checked = append(checked, DisclosureCheck{Field: d.Field, Value: d.Value, Commitment: d.Commitment, Event: hashes[k], Index: k})
	}
	if len(checked) == 0 {
		return nil, nil, call.Errorf(call.ErrDisclosure, "none of the file's disclosures is about this transaction's events")
	}
	return checked, skipped, nil
}

// noEvents says why a bundle names no trace events.
func noEvents(rep *proof.Report) string {
	if rep.Result == nil {
		return fmt.Sprintf("the bundle carries no outcome (block %d's app hash proves it: fetch the bundle again once that block is committed)", rep.Height+1)
	}
	return "the capture was refused (" + rep.Result.Code + ") and recorded no event"
}

// records reports whether ev recorded d's commitment for d's field.
func records(ev *epcis.Event, d disclosure.Disclosure) bool {
	for _, c := range ev.PersonalData {
		if c.Field == d.Field && fmt.Sprintf("%x", c.Hash) == d.Commitment {
			return true
		}
	}
	return false
}
