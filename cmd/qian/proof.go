package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/node/api"
)

func newProofCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proof [TXHASH]",
		Short: "Fetch a transaction's proof bundle from a node, to verify offline",
		Long: `Fetch GET /v1/txs/TXHASH/proof from the node at --node (QIAN_NODE) and save the proof
bundle (docs/verification.md) to -o FILE, or print it. Check it anywhere, without
trusting the node: qian verify FILE --genesis genesis.json.

--certificate CERT.json completes a notary batch certificate (docs/notarization.md):
one that carries no proof of its transaction (version 1, as qian notary batch wrote
them before) or one to renew. It fetches the anchoring transaction's bundle, checks
that everything the certificate states agrees with it (transaction, height, the
item's path to the anchored root), and writes the complete certificate, which
qian verify CERT --file FILE --genesis genesis.json checks offline. TXHASH may then
be left out.`,
		Args: func(cmd *cobra.Command, a []string) error {
			if len(a) > 1 {
				return usagef("proof takes one transaction hash, got %d arguments", len(a))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, a []string) error {
			c, err := loadClient(cmd)
			if err != nil {
				return err
			}
			if c.Node == "" {
				return usagef("no node: give --node URL or set QIAN_NODE")
			}
			certPath, _ := cmd.Flags().GetString("certificate")
			var cert []byte
			var h ledger.Hash
			if certPath != "" {
				if cert, err = readLimited(certPath, proof.MaxBundleBytes); err != nil {
					return err
				}
				if h, err = proof.CertificateTxHash(cert); err != nil {
					return proofErr(err)
				}
			}
			switch {
			case len(a) == 1:
				th, err := ledger.ParseHash(a[0])
				if err != nil {
					return usagef("TXHASH: %v", err)
				}
				if cert != nil && th != h {
					return usagef("the certificate is for transaction %s, not %s", h, th)
				}
				h = th
			case cert == nil:
				return usagef("proof takes a transaction hash (or --certificate CERT.json)")
			}
			b, err := fetchBundle(c.Node, h)
			if err != nil {
				return err
			}
			out := b.Marshal()
			what := "proof of transaction " + h.String()
			if cert != nil {
				done, err := proof.CompleteCertificate(cert, b)
				if err != nil {
					return proofErr(err)
				}
				out = done.Marshal()
				what = "certificate of item " + done.Item.String()
			}
			path, _ := cmd.Flags().GetString("output")
			if path == "" || path == "-" {
				_, err := e.stdout.Write(out)
				return err
			}
			if err := os.WriteFile(path, out, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "%s (block %d, %d bytes) written to %s\n", what, b.Header.Height, len(out), path)
			if cert != nil {
				fmt.Fprintf(e.stderr, "check it offline: qian verify %s --file FILE --genesis genesis.json\n", path)
				return nil
			}
			fmt.Fprintf(e.stderr, "check it offline: qian verify %s --genesis genesis.json\n", path)
			if b.Outcome == nil {
				fmt.Fprintf(e.stderr, "note: it proves no outcome yet: block %d's app hash proves it; fetch the bundle again once that block is committed\n", b.Header.Height+1)
			}
			return nil
		},
	}
	addClientFlags(cmd, false)
	cmd.Flags().StringP("output", "o", "", "write the bundle (or the completed certificate) to this file (default: standard output)")
	cmd.Flags().String("certificate", "", "a notary batch certificate to complete with its transaction's bundle")
	return cmd
}

// fetchBundle fetches the proof bundle of transaction h from node and
// checks that it is a well-formed bundle of h. It trusts the node no
// further: verifying is qian verify's job.
func fetchBundle(node string, h ledger.Hash) (*proof.Bundle, error) {
	var raw json.RawMessage
	if _, err := getJSON(node+"/v1/txs/"+h.String()+"/proof", &raw); err != nil {
		return nil, err
	}
	b, err := proof.ParseBundle(raw)
	if err != nil {
		return nil, proofErr(err)
	}
	if b.Tx.Hash != h {
		return nil, coded(proof.ErrMismatch, fmt.Sprintf("the node answered with a bundle for transaction %s, not %s", b.Tx.Hash, h))
	}
	return b, nil
}

// fetchProvenBundle waits until node has committed a block above height
// (whose app hash proves the outcome of height's transactions), then
// fetches h's bundle, which then carries its proven outcome.
func fetchProvenBundle(ctx context.Context, node string, h ledger.Hash, height uint64) (*proof.Bundle, error) {
	for {
		var st api.StatusResponse
		if _, err := getJSON(node+"/v1/status", &st); err != nil {
			return nil, err
		}
		if st.Height > height {
			b, err := fetchBundle(node, h)
			if err != nil || b.Outcome != nil {
				return b, err
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("block %d, which proves transaction %s's outcome, was not committed in time: %w", height+1, h, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
