package webtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/internal/testenv"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/devnet"
)

// Capture turns an EPCIS 2.0 document into one trace.capture_batch signed
// by the admin key of role's organisation (trace.PrepareCapture, as `qian
// trace capture` does), submits it to node0 and waits until it is
// committed. It returns the transaction's result code: OK, or the code
// of the refusal.
func (t *Net) Capture(role membership.Role, doc []byte) (string, error) {
	k, err := t.Key(role)
	if err != nil {
		return "", err
	}
	n := t.Nodes[0]
	org, err := membership.GetOrg(n.Store, string(role))
	if err != nil || org == nil {
		return "", fmt.Errorf("organisation %s: %v", role, err)
	}
	cp, err := trace.PrepareCapture(doc, trace.CaptureOptions{Org: org})
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	t.nonce++
	nonce := uint64(time.Now().UnixNano()) + t.nonce // unique: replay protection is by transaction hash
	t.mu.Unlock()
	tx := &ledger.Tx{ChainID: t.Genesis.ChainID, Sender: k.PublicKey(), Nonce: nonce, Contract: trace.Contract,
		Method: trace.MethodCaptureBatch, Payload: trace.EncodeCaptureBatch(cp.Payloads)}
	if err := tx.Sign(k); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return devnet.SubmitAndWait(ctx, n, tx, time.Minute)
}

// OwnDocuments are the trace contract's own EPCIS documents of the event
// model (contracts/trace/testdata), in the order they tell their story,
// each with the organisation that captures it: a crate and a data logger
// associated with it, the crate shipped to the wrong warehouse, declared
// erroneous and corrected, the special-grade tins counted as a product
// class, two serialised tins of which one is exported outside the chain,
// and a tin commissioned by mistake and declared erroneous (void).
var OwnDocuments = []struct {
	Role membership.Role
	File string
}{
	{membership.Logistics, "assets.jsonld"},
	{membership.Logistics, "crate-wrong-shipment.jsonld"},
	{membership.Logistics, "crate-correction.jsonld"},
	{membership.Retailer, "stocktake.jsonld"},
	{membership.Processor, "export.jsonld"},
	{membership.Processor, "void.jsonld"},
}

// LoadOwnDocuments captures OwnDocuments on the network, once: the tests
// of the pages of items, assets, corrections and shipments outside the
// chain share them.
func (t *Net) LoadOwnDocuments() error {
	t.ownOnce.Do(func() {
		root, err := testenv.RepositoryRoot()
		if err != nil {
			t.ownErr = err
			return
		}
		for _, d := range OwnDocuments {
			doc, err := os.ReadFile(filepath.Join(root, "contracts", "trace", "testdata", d.File))
			if err != nil {
				t.ownErr = err
				return
			}
			code, err := t.Capture(d.Role, doc)
			if err == nil && code != "OK" {
				err = fmt.Errorf("refused: %s", code)
			}
			if err != nil {
				t.ownErr = fmt.Errorf("capture %s as %s: %w", d.File, d.Role, err)
				return
			}
		}
	})
	return t.ownErr
}
