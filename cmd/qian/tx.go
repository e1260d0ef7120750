package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/config"
)

// txSession is a client command's signing key and node, resolved once.
type txSession struct {
	e      *env
	cfg    *config.Client
	key    ledger.PrivateKey
	node   *client.Client
	status *struct{ ChainID string }
}

// openTxSession resolves --node, --key and the passphrase, unlocks the key
// and asks the node for its chain id.
func openTxSession(cmd *cobra.Command, e *env) (*txSession, error) {
	c, err := loadClient(cmd)
	if err != nil {
		return nil, err
	}
	if c.Node == "" {
		return nil, usagef("no node: give --node URL or set QIAN_NODE")
	}
	if c.Key == "" {
		return nil, usagef("no key: give --key NAME or set QIAN_KEY")
	}
	k, err := unlockSigner(e, c)
	if err != nil {
		return nil, err
	}
	s := &txSession{e: e, cfg: c, key: k, node: client.New(c.Node)}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	st, err := s.node.Status(ctx)
	if err != nil {
		return nil, err
	}
	s.status = &struct{ ChainID string }{st.ChainID}
	return s, nil
}

var nonceSeq atomic.Uint64

// newNonce makes a transaction distinct from any other this key signs: the
// current time in nanoseconds plus a counter. Nonces carry no order; the
// ledger refuses only a transaction hash it has already seen.
func newNonce() uint64 { return uint64(time.Now().UnixNano()) + nonceSeq.Add(1) }

// tx builds and signs a transaction of the session's key.
func (s *txSession) tx(contract, method string, payload []byte) (*ledger.Tx, error) {
	tx := &ledger.Tx{ChainID: s.status.ChainID, Nonce: newNonce(), Contract: contract, Method: method, Payload: payload}
	if err := tx.Sign(s.key); err != nil {
		return nil, err
	}
	return tx, nil
}

// txResult is what a submitting command prints, as JSON with --json.
type txResult struct {
	TxHash  ledger.Hash `json:"tx_hash"`
	Height  uint64      `json:"height"`
	Code    string      `json:"code"`
	Message string      `json:"message,omitempty"`
	// Label says what the transaction was about (a file, an event).
	Label string `json:"label,omitempty"`
	// TraceEvents are the hashes of the trace events the transaction
	// recorded, in order (a capture_batch records one per event).
	TraceEvents []string `json:"trace_events,omitempty"`
}

// send submits tx and, unless --async, waits for its commit. A rejection
// (at admission or in execution) is a result, not an error; the command
// fails at the end if any result is not OK (see finish).
func (s *txSession) send(tx *ledger.Tx, label string) (*txResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if s.cfg.Async {
		h, err := s.node.Submit(ctx, tx)
		var ce *client.Error
		if errors.As(err, &ce) && ce.Code != "ERR_HTTP" {
			return &txResult{TxHash: tx.Hash(), Code: ce.Code, Message: ce.Message, Label: label}, nil
		}
		if err != nil {
			return nil, err
		}
		return &txResult{TxHash: h, Code: "PENDING", Label: label}, nil
	}
	o, err := s.node.SubmitAndWait(ctx, tx)
	if err != nil {
		return nil, err
	}
	r := &txResult{TxHash: o.Hash, Height: o.Height, Code: o.Code, Message: o.Message, Label: label}
	for _, ev := range o.Events {
		for _, at := range ev.Attrs {
			if ev.Type == "trace.event" && at.Key == "event" {
				r.TraceEvents = append(r.TraceEvents, at.Value)
			}
		}
	}
	return r, nil
}

// print shows one result: a line for people, or a JSON object per line.
func (s *txSession) print(r *txResult) {
	w := s.e.stdout
	if s.cfg.JSON {
		b, _ := json.Marshal(r)
		fmt.Fprintln(w, string(b))
		return
	}
	prefix := ""
	if r.Label != "" {
		prefix = r.Label + "  "
	}
	switch {
	case r.Code == "PENDING":
		fmt.Fprintf(w, "%stx %s submitted\n", prefix, r.TxHash)
	case r.Height == 0:
		fmt.Fprintf(w, "%stx %s rejected: %s: %s\n", prefix, r.TxHash, r.Code, r.Message)
	case r.Code == "OK":
		fmt.Fprintf(w, "%stx %s OK (block %d)\n", prefix, r.TxHash, r.Height)
		for i, h := range r.TraceEvents {
			fmt.Fprintf(w, "  trace event %d: %s\n", i, h)
		}
	default:
		fmt.Fprintf(w, "%stx %s failed in block %d: %s: %s\n", prefix, r.TxHash, r.Height, r.Code, r.Message)
	}
}

// finish turns the results into the command's exit status: an error naming
// the first code that is not OK.
func finish(results []*txResult) error {
	for _, r := range results {
		if r.Code != "OK" && r.Code != "PENDING" {
			return &txFailed{r}
		}
	}
	return nil
}

// txFailed makes a command exit non-zero with the transaction's code.
type txFailed struct{ r *txResult }

func (f *txFailed) Error() string {
	return fmt.Sprintf("transaction %s: %s: %s", f.r.TxHash.Short(), f.r.Code, f.r.Message)
}
