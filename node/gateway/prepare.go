package gateway

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/disclosure"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/trace"
)

// prepared is a captured document turned into events to sign, event by
// event: an event Qianchain's decoding refuses gets a problem of its own
// instead of refusing the document, so that GS1-Capture-Error-Behaviour
// can decide.
type prepared struct {
	Payloads    [][]byte // canonical events; nil where refused
	Problems    []*Problem
	Keys        []string // idempotency keys
	EventIDs    []string
	Declaring   []bool // the event is an error declaration (of the event its eventID names)
	Disclosures [][]disclosure.Disclosure
}

// docError is a document refused as a whole (400 or 413 before a job
// exists).
type docError struct {
	status int
	typ    string
	detail string
	code   string
}

func (e *docError) Error() string { return e.detail }

// prepare checks a posted EPCISDocument or EPCISQueryDocument: JSON, its
// type, GS1's schema when the gateway has it, the capture limit; then
// decodes each event as trace.capture will record it.
func (g *Gateway) prepare(doc []byte) (*prepared, error) {
	var root struct {
		Context  json.RawMessage `json:"@context"`
		Type     string          `json:"type"`
		Creation json.RawMessage `json:"creationDate"`
		Body     struct {
			EventList    []json.RawMessage `json:"eventList"`
			QueryResults struct {
				ResultsBody struct {
					EventList []json.RawMessage `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(doc, &root); err != nil {
		return nil, &docError{400, exValidation, "the document is not valid JSON: " + err.Error(), call.ErrEPCISInvalid}
	}
	events := root.Body.EventList
	switch root.Type {
	case "EPCISDocument":
	case "EPCISQueryDocument":
		events = root.Body.QueryResults.ResultsBody.EventList
	default:
		return nil, &docError{400, exValidation, fmt.Sprintf("document type %q is neither EPCISDocument nor EPCISQueryDocument", root.Type), call.ErrEPCISInvalid}
	}
	if len(events) == 0 {
		return nil, &docError{400, exValidation, "the document has no events", call.ErrEPCISInvalid}
	}
	if len(events) > g.opt.CaptureLimit {
		return nil, &docError{413, exCaptureLimit, fmt.Sprintf("the document holds %d events; this gateway captures at most %d per request (GS1-EPCIS-Capture-Limit)", len(events), g.opt.CaptureLimit), "ERR_CAPTURE_LIMIT"}
	}
	if g.opt.Schema != nil {
		if err := g.opt.Schema.Validate(doc); err != nil {
			return nil, &docError{400, exValidation, err.Error(), call.ErrEPCISSchema}
		}
	}
	creation := root.Creation
	if len(creation) == 0 {
		creation, _ = json.Marshal(time.Now().UTC().Format(time.RFC3339))
	}
	ctx := root.Context
	if len(ctx) == 0 {
		ctx = []byte(`"` + epcis.StandardContext + `"`)
	}
	p := &prepared{}
	for i, raw := range events {
		var one bytes.Buffer
		one.WriteString(`{"@context":`)
		one.Write(ctx)
		one.WriteString(`,"type":"EPCISDocument","schemaVersion":"2.0","creationDate":`)
		one.Write(creation)
		one.WriteString(`,"epcisBody":{"eventList":[`)
		one.Write(raw)
		one.WriteString(`]}}`)
		var id struct {
			EventID          string          `json:"eventID"`
			ErrorDeclaration json.RawMessage `json:"errorDeclaration"`
		}
		_ = json.Unmarshal(raw, &id)
		declaring := len(id.ErrorDeclaration) > 0
		p.EventIDs = append(p.EventIDs, id.EventID)
		p.Declaring = append(p.Declaring, declaring)
		p.Keys = append(p.Keys, idempotencyKey(id.EventID, declaring, raw))
		c, err := trace.PrepareCapture(one.Bytes(), trace.CaptureOptions{})
		if err != nil {
			code, msg := call.ErrEPCISInvalid, err.Error()
			if ce, ok := call.AsError(err); ok {
				code, msg = ce.Code, ce.Message
			}
			if _, tail, ok := failedEvent(msg); ok {
				msg = fmt.Sprintf("event %d: %s", i, tail)
			}
			pr := eventProblem(i, id.EventID, code, msg)
			p.Payloads = append(p.Payloads, nil)
			p.Problems = append(p.Problems, &pr)
			p.Disclosures = append(p.Disclosures, nil)
			continue
		}
		p.Payloads = append(p.Payloads, c.Payloads[0])
		p.Problems = append(p.Problems, nil)
		p.Disclosures = append(p.Disclosures, c.Disclosures[0])
	}
	return p, nil
}

// idempotencyKey names an event across captures: its eventID, or, for an
// event captured without one, the SHA-256 of its JSON with insignificant
// whitespace removed (the same document posted twice gives the same keys).
// An error declaration shares the eventID of the event it declares, which
// it may declare once: its key is that eventID as a declaration's.
func idempotencyKey(eventID string, declaring bool, raw json.RawMessage) string {
	switch {
	case eventID != "" && declaring:
		return "declaration:" + eventID
	case eventID != "":
		return "id:" + eventID
	}
	var c bytes.Buffer
	if json.Compact(&c, raw) != nil {
		c.Reset()
		c.Write(raw)
	}
	h := sha256.Sum256(c.Bytes())
	return "sha256:" + hex.EncodeToString(h[:])
}
