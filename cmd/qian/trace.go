package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/contracts/disclosure"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/client"
)

func newTraceCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trace",
		Short: "Record GS1 EPCIS 2.0 events about product lots",
		Long:  `Traceability: see docs/traceability.md.`,
		Args:  args(0, "a subcommand"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newTraceCaptureCmd(e), newTraceHistoryCmd(e))
	return cmd
}

// epcisSchemaPath finds GS1's EPCIS JSON schema: --schema, QIAN_EPCIS_SCHEMA,
// or the copy beside the repository in ../shared/fixtures. The schema is
// GS1's and is not shipped with Qianchain.
func epcisSchemaPath(flag string) string {
	if flag != "" {
		return flag
	}
	if v := os.Getenv("QIAN_EPCIS_SCHEMA"); v != "" {
		return v
	}
	for _, p := range []string{"../shared/fixtures/epcis/EPCIS-JSON-Schema.json", "../../../shared/fixtures/epcis/EPCIS-JSON-Schema.json"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func newTraceCaptureCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "capture DOC.jsonld",
		Short: "Validate an EPCIS 2.0 document and record its events as signed transactions",
		Long: `Validate an EPCIS 2.0 JSON-LD document — against GS1's JSON schema when one is found
(--schema, QIAN_EPCIS_SCHEMA, or ../shared/fixtures/epcis/EPCIS-JSON-Schema.json), then
event by event as Qianchain records them — and submit each event as a trace.capture
transaction signed by --key: a document of several events as one trace.capture_batch
(all or nothing, one signature), or with --one-per-tx one trace.capture per event, in
document order, each after the previous one commits.

Personal data (a farmer's name, ID number or phone) goes on the chain only as salted
SHA-256 commitments; the values and salts are written to DOC.disclosures.json, which
you keep private and show only to whoever should check them (qian verify --disclose).`,
		Args: args(1, "an EPCIS document"),
		RunE: func(cmd *cobra.Command, a []string) error {
			doc, err := os.ReadFile(a[0])
			if err != nil {
				return err
			}
			opt := trace.CaptureOptions{}
			schemaFlag, _ := cmd.Flags().GetString("schema")
			if p := epcisSchemaPath(schemaFlag); p != "" {
				raw, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				if opt.Schema, err = epcis.NewSchema(raw); err != nil {
					return err
				}
			} else {
				fmt.Fprintln(e.stderr, "note: no GS1 EPCIS JSON schema found (--schema); checking the document's structure only")
			}
			capture, err := trace.PrepareCapture(doc, opt)
			if err != nil {
				return err
			}
			s, err := openTxSession(cmd, e)
			if err != nil {
				return err
			}
			// The salts exist only in this process until they are on disk:
			// write them before anything is sent.
			disc, err := writeDisclosures(a[0], capture)
			if err != nil {
				return err
			}
			onePerTx, _ := cmd.Flags().GetBool("one-per-tx")
			var results []*txResult
			if len(capture.Payloads) > 1 && !onePerTx {
				batch := trace.EncodeCaptureBatch(capture.Payloads)
				if len(batch) <= ledger.MaxPayloadBytes && len(capture.Payloads) <= trace.MaxBatchEvents {
					tx, err := s.tx(trace.Contract, trace.MethodCaptureBatch, batch)
					if err != nil {
						return err
					}
					r, err := s.send(tx, fmt.Sprintf("%d events", len(capture.Payloads)))
					if err != nil {
						return err
					}
					s.print(r)
					fates := make([]eventFate, len(capture.Payloads))
					for i := range fates {
						fates[i] = fateOf(r, i) // event k of the batch is its k-th trace.event
					}
					if err := disc.recorded(e, fates); err != nil {
						return err
					}
					return finish([]*txResult{r})
				}
				fmt.Fprintln(e.stderr, "note: the document is too large for one transaction; sending one per event")
			}
			fates := make([]eventFate, len(capture.Payloads))
			defer func() {
				if err := disc.recorded(e, fates); err != nil {
					fmt.Fprintf(e.stderr, "error: %v\n", err)
				}
			}()
			for i, p := range capture.Payloads {
				tx, err := s.tx(trace.Contract, trace.MethodCapture, p)
				if err != nil {
					return err
				}
				ev := capture.Events[i]
				fates[i] = eventFate{state: outcomeUnknown}
				r, err := s.send(tx, fmt.Sprintf("event %d (%s)", i, ev.Type))
				if err != nil {
					return err
				}
				s.print(r)
				results = append(results, r)
				fates[i] = fateOf(r, 0)
				if r.Code != "OK" && !s.cfg.Async {
					break // later events usually depend on this one
				}
			}
			return finish(results)
		},
	}
	addClientFlags(cmd, true)
	cmd.Flags().String("schema", "", "GS1 EPCIS-JSON-Schema.json to validate against")
	cmd.Flags().Bool("one-per-tx", false, "send each event in its own trace.capture transaction (default: a document of several events is one trace.capture_batch)")
	return cmd
}

// disclosureFile is the disclosures of one capture, on disk beside the
// document (DOC.disclosures.json, mode 0600, disclosure.ParseFile's
// format): written before anything is sent, then rewritten once the
// capture is recorded with each disclosure's event hash.
type disclosureFile struct {
	path string
	per  [][]disclosure.Disclosure // by document event
}

// writeDisclosures saves the personal-data disclosures next to the
// document, readable by the owner only. It never replaces an existing file:
// that may hold the only copy of the salts of an earlier capture, without
// which its commitments can never be opened.
func writeDisclosures(docPath string, c *trace.Capture) (*disclosureFile, error) {
	n := 0
	for _, d := range c.Disclosures {
		n += len(d)
	}
	if n == 0 {
		return nil, nil
	}
	f := &disclosureFile{path: strings.TrimSuffix(docPath, filepath.Ext(docPath)) + ".disclosures.json", per: c.Disclosures}
	out, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%s already exists: it may hold the only copy of the salts of an earlier capture of this document; move it away (or delete it if that capture was refused) and run again", f.path)
	}
	if err != nil {
		return nil, err
	}
	_, err = out.Write(disclosure.MarshalFile(f.all()))
	if err2 := out.Sync(); err == nil {
		err = err2
	}
	if err2 := out.Close(); err == nil {
		err = err2
	}
	return f, err
}

// all is every disclosure, in document order.
func (f *disclosureFile) all() []disclosure.Disclosure {
	var out []disclosure.Disclosure
	for _, ds := range f.per {
		out = append(out, ds...)
	}
	return out
}

// eventFate is what became of one document event's transaction.
type eventFate struct {
	state int
	hash  string // the trace event's hash, when recorded
}

const (
	notSent        = iota // never submitted: its commitments are nowhere
	outcomeUnknown        // submitted, outcome not known (--async, or an error while waiting)
	refused               // refused at admission or in execution: nothing recorded
	recorded              // committed, as the trace event hash
)

// fateOf is the fate of the k-th event of r's transaction.
func fateOf(r *txResult, k int) eventFate {
	switch {
	case r.Code == "PENDING":
		return eventFate{state: outcomeUnknown}
	case r.Code != "OK":
		return eventFate{state: refused}
	case k < len(r.TraceEvents):
		return eventFate{state: recorded, hash: r.TraceEvents[k]}
	}
	return eventFate{state: outcomeUnknown} // OK, yet no event named: keep the disclosures
}

// recorded rewrites the file once the capture's fate is known, naming in
// each disclosure the trace event that recorded it. Disclosures of events
// that were refused or never sent are dropped (they open nothing on chain);
// those whose outcome is unknown are kept without an event. A file left
// with no disclosure is removed.
func (f *disclosureFile) recorded(e *env, fates []eventFate) error {
	if f == nil {
		return nil
	}
	var kept []disclosure.Disclosure
	unknown := 0
	for i, ds := range f.per {
		switch fates[i].state {
		case notSent, refused:
			continue
		case outcomeUnknown:
			if len(ds) > 0 {
				unknown++
			}
		}
		for _, d := range ds {
			d.Event = fates[i].hash
			kept = append(kept, d)
		}
	}
	if len(kept) == 0 {
		fmt.Fprintf(e.stderr, "nothing with personal data was recorded: %s removed\n", f.path)
		return os.Remove(f.path)
	}
	if err := replaceFile(f.path, disclosure.MarshalFile(kept)); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "disclosures written to %s (keep them private)\n", f.path)
	if unknown > 0 {
		fmt.Fprintf(e.stderr, "note: %d of its events are not known to be recorded yet (--async, or no answer): their disclosures name no event\n", unknown)
	}
	return nil
}

// replaceFile replaces path with data, mode 0600, durably: a crash leaves
// the old file or the new one.
func replaceFile(path string, data []byte) error {
	tmp := path + ".tmp"
	os.Remove(tmp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err2 := f.Sync(); err == nil {
		err = err2
	}
	if err2 := f.Close(); err == nil {
		err = err2
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

func newTraceHistoryCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history OBJECT",
		Short: "Print a traced object's history as an EPCIS 2.0 query document",
		Long: `Print the history of OBJECT — a lot, a serialised item, a container, a GRAI or GIAI
asset, or a product class, as a GS1 Digital Link URI such as
https://id.gs1.org/01/06923103000118/10/DYMJ20250325A or an EPC URN (urn:epc:class:lgtin:...,
urn:epc:id:sgtin:..., urn:epc:id:sscc:..., urn:epc:id:grai:...) — as an EPCIS 2.0
EPCISQueryDocument, read from the node at --node. The events are as they were captured;
the chain's provenance of each (record hash, block, transaction, hash-chain links, the
captured document's sender and receiver) is in the document's qian:provenance. The
document validates against GS1's EPCIS JSON schema.`,
		Args: args(1, "an object's Digital Link URI or EPC URN"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := gs1.ParseObjectID(a[0])
			if err != nil {
				return usagef("OBJECT: %v", err)
			}
			c, err := loadClient(cmd)
			if err != nil {
				return err
			}
			if c.Node == "" {
				return usagef("no node: give --node URL or set QIAN_NODE")
			}
			var doc json.RawMessage
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			path := "/v1/objects/epcis?id=" + url.QueryEscape(id.Path())
			if err := client.New(c.Node).Get(ctx, path, &doc); err != nil {
				return err
			}
			out, _ := cmd.Flags().GetString("out")
			if out == "" {
				_, err := e.stdout.Write(append(doc, '\n'))
				return err
			}
			return os.WriteFile(out, append(doc, '\n'), 0o644)
		},
	}
	addClientFlags(cmd, false)
	cmd.Flags().StringP("out", "o", "", "write the document to this file")
	return cmd
}
