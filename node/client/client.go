// Package client talks to a node's HTTP API on behalf of a user: it submits
// transactions the user signed (the node never sees a private key) and
// waits for their outcome. The qian client commands and qian bench use it.
package client

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
)

// Client is one node's API. Safe for concurrent use.
type Client struct {
	Base string // e.g. http://127.0.0.1:26657
	HTTP *http.Client
}

// New returns a client for the node at base.
func New(base string) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// Error is a node's {code, message} rejection. An ERR_PRUNED one (410: a
// height below the node's first block) also carries FirstHeight, the lowest
// height the node holds, and Archive, the base URLs of the archive nodes it
// names (possibly none): ask one of them the same path (New(Archive[0])).
type Error struct {
	Status      int
	Code        string
	Message     string
	FirstHeight uint64
	Archive     []string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// CodeOf returns the code of a node rejection, or "".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func (c *Client) do(ctx context.Context, method, path, ctype string, body []byte, out any) error {
	raw, err := c.exchange(ctx, method, path, ctype, body)
	if err != nil {
		return err
	}
	return decodeAnswer(method, path, raw, out)
}

// decodeAnswer decodes a successful answer's body into out (nil: ignored).
func decodeAnswer(method, path string, raw []byte, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("the node's answer to %s %s is not the expected JSON: %w", method, path, err)
	}
	return nil
}

// exchange sends a request and returns the body of a successful answer, or
// the node's rejection as an *Error.
func (c *Client) exchange(ctx context.Context, method, path, ctype string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach the node at %s: %w", c.Base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("read the node's answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		var e api.Error
		if json.Unmarshal(raw, &e) == nil && e.Code != "" {
			ce := &Error{Status: resp.StatusCode, Code: e.Code, Message: e.Message, FirstHeight: e.FirstHeight}
			if e.Archive != nil {
				ce.Archive = *e.Archive
			}
			return nil, ce
		}
		return nil, &Error{Status: resp.StatusCode, Code: "ERR_HTTP", Message: fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(raw)))}
	}
	return raw, nil
}

// Status is GET /v1/status.
func (c *Client) Status(ctx context.Context) (*api.StatusResponse, error) {
	var st api.StatusResponse
	return &st, c.do(ctx, http.MethodGet, "/v1/status", "", nil, &st)
}

// Submit sends a signed transaction. A rejection is an *Error with the
// admission code (ERR_BAD_SIGNATURE, ERR_MEMPOOL_FULL, ...).
func (c *Client) Submit(ctx context.Context, tx *ledger.Tx) (ledger.Hash, error) {
	return c.SubmitEncoded(ctx, tx.Encode())
}

// SubmitEncoded is Submit for a transaction already in its canonical
// encoding (ledger.Tx.Encode): a load generator keeps thousands so.
//
// The node's 202 is read without reflection when it is exactly the body
// the node writes (api.ParseAccepted): a client sending one transaction per
// request reads thousands of these a second (the bench's JSON decoding of
// them was most of its 8.7 % in JSON). Any other form of the answer is
// decoded as JSON.
func (c *Client) SubmitEncoded(ctx context.Context, enc []byte) (ledger.Hash, error) {
	raw, err := c.exchange(ctx, http.MethodPost, "/v1/txs", "application/octet-stream", enc)
	if err != nil {
		return ledger.Hash{}, err
	}
	if h, ok := api.ParseAccepted(raw); ok {
		return h, nil
	}
	var sr api.SubmitResponse
	err = decodeAnswer(http.MethodPost, "/v1/txs", raw, &sr)
	return sr.Hash, err
}

// SubmitBatch sends up to api.MaxBatch signed transactions in one request
// (POST /v1/txs/batch) and returns each one's admission, in order.
func (c *Client) SubmitBatch(ctx context.Context, txs []*ledger.Tx) ([]api.BatchResult, error) {
	encs := make([][]byte, len(txs))
	for i, tx := range txs {
		encs[i] = tx.Encode()
	}
	return c.SubmitBatchEncoded(ctx, encs)
}

// SubmitBatchEncoded is SubmitBatch for transactions already in their
// canonical encoding.
func (c *Client) SubmitBatchEncoded(ctx context.Context, encs [][]byte) ([]api.BatchResult, error) {
	req := api.BatchRequest{Txs: make([]string, len(encs))}
	for i, enc := range encs {
		req.Txs[i] = hex.EncodeToString(enc)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var resp api.BatchResponse
	if err := c.do(ctx, http.MethodPost, "/v1/txs/batch", "application/json", body, &resp); err != nil {
		return nil, err
	}
	if len(resp.Results) != len(encs) {
		return nil, fmt.Errorf("the node answered %d results for %d transactions", len(resp.Results), len(encs))
	}
	return resp.Results, nil
}

// Outcome is what happened to a committed transaction. Events are the
// events its execution emitted (a trace capture's trace.event hashes among
// them); they are the node's word, which a proof bundle proves.
type Outcome struct {
	Hash    ledger.Hash       `json:"tx_hash"`
	Height  uint64            `json:"height"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Events  []contracts.Event `json:"events,omitempty"`
}

// ErrNotCommitted is returned by Outcome for a transaction that is pending
// or unknown.
var ErrNotCommitted = errors.New("not committed")

// Outcome returns a committed transaction's outcome, or ErrNotCommitted.
func (c *Client) Outcome(ctx context.Context, h ledger.Hash) (*Outcome, error) {
	var tr api.TxResponse
	err := c.do(ctx, http.MethodGet, "/v1/txs/"+h.String(), "", nil, &tr)
	if e := (*Error)(nil); errors.As(err, &e) && e.Status == http.StatusNotFound {
		return nil, ErrNotCommitted
	}
	if err != nil {
		return nil, err
	}
	if tr.Status != "committed" {
		return nil, ErrNotCommitted
	}
	o := &Outcome{Hash: h, Height: tr.Height, Code: tr.Code}
	if raw, err := hex.DecodeString(tr.Result); err == nil && len(raw) > 0 {
		if dec, err := node.DecodeOutcome(raw); err == nil {
			o.Code, o.Message, o.Events = dec.Code, dec.Message, dec.Events
		}
	}
	return o, nil
}

// Wait polls until h is committed or ctx ends.
func (c *Client) Wait(ctx context.Context, h ledger.Hash) (*Outcome, error) {
	delay := 20 * time.Millisecond
	for {
		o, err := c.Outcome(ctx, h)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, ErrNotCommitted) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("transaction %s: %w", h, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 250*time.Millisecond)
	}
}

// SubmitAndWait submits tx and waits for its outcome. An admission
// rejection comes back as an Outcome with height 0 and the rejection's code,
// so callers report both kinds the same way.
func (c *Client) SubmitAndWait(ctx context.Context, tx *ledger.Tx) (*Outcome, error) {
	h, err := c.Submit(ctx, tx)
	var e *Error
	if errors.As(err, &e) && e.Code != "ERR_HTTP" {
		return &Outcome{Hash: tx.Hash(), Code: e.Code, Message: e.Message}, nil
	}
	if err != nil {
		return nil, err
	}
	return c.Wait(ctx, h)
}

// Get fetches any JSON document of the API into out.
func (c *Client) Get(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, "", nil, out)
}
