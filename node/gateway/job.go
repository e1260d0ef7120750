package gateway

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/qianchain/qianchain/ledger"
)

// Capture error behaviours (GS1-Capture-Error-Behaviour).
const (
	Rollback = "rollback" // all or nothing (the default)
	Proceed  = "proceed"  // capture what can be captured
)

// Chunk states.
const (
	chunkNew       = "new"       // not signed yet
	chunkSent      = "sent"      // signed, persisted, submitted (perhaps more than once)
	chunkCommitted = "committed" // in a verified block with outcome OK
	chunkFailed    = "failed"    // refused at admission or in execution
)

// chunk is one transaction of a job: trace.capture of one event or
// trace.capture_batch of several, in document order.
type chunk struct {
	Events  []int       `json:"events"` // positions in the document
	Tx      []byte      `json:"tx,omitempty"`
	Hash    ledger.Hash `json:"hash"`
	State   string      `json:"state"`
	Height  uint64      `json:"height,omitempty"`
	Code    string      `json:"code,omitempty"`
	Message string      `json:"message,omitempty"`
}

// job is a capture job as the gateway stores it: everything needed to
// resume it after a restart, and to answer GET /capture/{id}.
type job struct {
	ID         string     `json:"id"`
	CreatedAt  time.Time  `json:"createdAt"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
	Behaviour  string     `json:"behaviour"`
	Running    bool       `json:"running"`
	Errors     []Problem  `json:"errors"`
	// Payloads are the canonical events (trace.capture payloads), by
	// position in the document; nil where an event was refused before
	// signing or skipped.
	Payloads [][]byte `json:"payloads"`
	// Keys are the events' idempotency keys, by position.
	Keys    []string `json:"keys"`
	Skipped []Skip   `json:"skipped,omitempty"`
	Chunks  []*chunk `json:"chunks"`
	// Sequential: a rollback job of several transactions sends each after
	// the previous one committed, so a refusal stops the rest.
	Sequential bool `json:"sequential"`
}

// Skip is an event not captured again because its idempotency key was
// already captured (by this gateway's job CapturedBy, or found on chain).
type Skip struct {
	Event      int    `json:"qian:event"`
	Key        string `json:"qian:key"`
	CapturedBy string `json:"qian:capturedBy,omitempty"`
}

// JobView is GS1's capture-job document, with Qianchain's extensions: the
// transactions the job became, with their heights and proof bundles.
type JobView struct {
	CaptureID  string    `json:"captureID"`
	CreatedAt  string    `json:"createdAt"`
	FinishedAt string    `json:"finishedAt,omitempty"`
	Running    bool      `json:"running"`
	Success    bool      `json:"success"`
	Behaviour  string    `json:"captureErrorBehaviour"`
	Errors     []Problem `json:"errors"`
	Events     int       `json:"qian:events"`
	Captured   int       `json:"qian:captured"`
	Skipped    []Skip    `json:"qian:skipped,omitempty"`
	Txs        []TxView  `json:"qian:transactions"`
}

// TxView is one transaction of a job.
type TxView struct {
	Hash   string `json:"txHash"`
	Events int    `json:"events"`
	State  string `json:"state"` // sent, committed, failed
	Height uint64 `json:"height,omitempty"`
	Code   string `json:"code,omitempty"`
	Proof  string `json:"proof,omitempty"`
}

func (j *job) view(nodeURL string) *JobView {
	v := &JobView{CaptureID: j.ID, CreatedAt: j.CreatedAt.UTC().Format(time.RFC3339Nano), Running: j.Running,
		Success: len(j.Errors) == 0, Behaviour: j.Behaviour, Errors: append([]Problem{}, j.Errors...),
		Events: len(j.Keys), Skipped: j.Skipped, Txs: []TxView{}}
	if j.FinishedAt != nil {
		v.FinishedAt = j.FinishedAt.UTC().Format(time.RFC3339Nano)
	}
	for _, c := range j.Chunks {
		if c.State == chunkNew {
			continue
		}
		t := TxView{Hash: c.Hash.String(), Events: len(c.Events), State: c.State, Height: c.Height, Code: c.Code}
		if c.State == chunkCommitted {
			v.Captured += len(c.Events)
			t.Proof = nodeURL + "/v1/txs/" + c.Hash.String() + "/proof"
		}
		v.Txs = append(v.Txs, t)
	}
	return v
}

// finishIfDone ends the job when no transaction is left to send or await.
func (j *job) finishIfDone(now time.Time) {
	if !j.Running {
		return
	}
	for _, c := range j.Chunks {
		if c.State == chunkNew || c.State == chunkSent {
			return
		}
	}
	j.Running = false
	j.FinishedAt = &now
	// The events are on the chain (or refused): a finished job keeps only
	// what its view and the idempotency keys need.
	j.Payloads = nil
	for _, c := range j.Chunks {
		c.Tx = nil
	}
}

// eventProblem is GS1's error shape for one refused event.
func eventProblem(pos int, eventID, code, msg string) Problem {
	p := Problem{Type: exValidation, Title: "Event not captured", Status: 400, Detail: msg, Code: code, Event: &pos}
	if strings.Contains(eventID, ":") {
		p.Instance = eventID
	}
	return p
}

// failedEvent reads which event of a batch a refusal names: the contract
// prefixes its message with "event i: " (trace.RunCaptureBatch).
func failedEvent(msg string) (int, string, bool) {
	rest, ok := strings.CutPrefix(msg, "event ")
	if !ok {
		return 0, msg, false
	}
	n, tail, ok := strings.Cut(rest, ": ")
	if !ok {
		return 0, msg, false
	}
	i, err := strconv.Atoi(n)
	if err != nil {
		return 0, msg, false
	}
	return i, tail, true
}

func (j *job) String() string { return fmt.Sprintf("capture job %s", j.ID) }
