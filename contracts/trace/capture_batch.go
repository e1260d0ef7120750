package trace

import (
	"fmt"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/membership"
)

// MaxBatchEvents is the most events one trace.capture_batch carries.
const MaxBatchEvents = 1000

// EncodeCaptureBatch is the payload of trace.capture_batch: a count, then
// each event's canonical encoding (the trace.capture payload) as bytes.
// One transaction — one signature to check — records a whole EPCIS
// document, as a co-op's harvest day arrives.
func EncodeCaptureBatch(events [][]byte) []byte {
	n := 8
	for _, e := range events {
		n += 4 + len(e)
	}
	enc := &codec.Encoder{Buf: make([]byte, 0, n)}
	enc.Count(len(events))
	for _, e := range events {
		enc.Bytes(e)
	}
	return enc.Buf
}

// CaptureBatch is a decoded trace.capture_batch payload.
type CaptureBatch struct {
	Events   []*epcis.Event `json:"events"`
	Payloads [][]byte       `json:"-"` // each event's canonical encoding
}

// DecodeCaptureBatch decodes a trace.capture_batch payload: 1 to
// MaxBatchEvents events, each a valid trace.capture payload.
func DecodeCaptureBatch(b []byte) (*CaptureBatch, error) {
	d := codec.NewDecoder("trace.capture_batch payload", b)
	n := d.Count("events", MaxBatchEvents)
	if d.Err() == nil && n == 0 {
		d.Fail("events", "a batch holds at least one event")
	}
	out := &CaptureBatch{}
	for i := 0; i < n && d.Err() == nil; i++ {
		p := d.Bytes("events", len(b))
		if d.Err() != nil {
			break
		}
		ev, err := DecodeCapture(p)
		if err != nil {
			if e, ok := call.AsError(err); ok {
				return nil, call.Errorf(e.Code, "event %d: %s", i, e.Message)
			}
			return nil, err
		}
		out.Events = append(out.Events, ev)
		out.Payloads = append(out.Payloads, p)
	}
	if err := d.Finish(); err != nil {
		return nil, call.PayloadError(err)
	}
	return out, nil
}

// RunCaptureBatch executes trace.capture_batch: each event as trace.capture
// would, in order, all or nothing — the first event refused refuses the
// transaction, and its code names the event.
func RunCaptureBatch(c *call.Context, who *membership.Caller, payload []byte) error {
	b, err := DecodeCaptureBatch(payload)
	if err != nil {
		return err
	}
	return ApplyCaptureBatch(c, who, b, payload)
}

// ApplyCaptureBatch is RunCaptureBatch from the batch DecodeCaptureBatch
// made of payload (the executor's decode-once path); b is not changed.
func ApplyCaptureBatch(c *call.Context, who *membership.Caller, b *CaptureBatch, _ []byte) error {
	for i, ev := range b.Events {
		if err := runEvent(c, who, ev, b.Payloads[i]); err != nil {
			if e, ok := call.AsError(err); ok {
				return call.Errorf(e.Code, "event %d: %s", i, e.Message)
			}
			return fmt.Errorf("event %d: %w", i, err)
		}
	}
	return nil
}
