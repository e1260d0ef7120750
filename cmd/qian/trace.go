package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

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
			if err := writeDisclosures(a[0], capture); err != nil {
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
					return finish([]*txResult{r})
				}
				fmt.Fprintln(e.stderr, "note: the document is too large for one transaction; sending one per event")
			}
			for i, p := range capture.Payloads {
				tx, err := s.tx(trace.Contract, trace.MethodCapture, p)
				if err != nil {
					return err
				}
				ev := capture.Events[i]
				r, err := s.send(tx, fmt.Sprintf("event %d (%s)", i, ev.Type))
				if err != nil {
					return err
				}
				s.print(r)
				results = append(results, r)
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

// writeDisclosures saves the personal-data disclosures next to the
// document, readable by the owner only.
func writeDisclosures(docPath string, c *trace.Capture) error {
	n := 0
	for _, d := range c.Disclosures {
		n += len(d)
	}
	if n == 0 {
		return nil
	}
	out := strings.TrimSuffix(docPath, filepath.Ext(docPath)) + ".disclosures.json"
	b, err := json.MarshalIndent(c.Disclosures, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o600)
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
