package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
	"github.com/qianchain/qianchain/ledger/proof"
)

func newProofCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proof [TXHASH]",
		Short: "Fetch a transaction's proof bundle from a node, to verify offline",
		Long: `Fetch GET /v1/txs/TXHASH/proof from the node at --node (QIAN_NODE) and save the proof
bundle (docs/verification.md) to -o FILE, or print it. Check it anywhere, without
trusting the node: qian verify FILE --genesis genesis.json.

--certificate CERT.json (a notary batch certificate from qian notary batch) adds the
item's Merkle path to the root the transaction anchored, so the bundle proves that
one file was in the committed batch; TXHASH may then be left out.`,
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
			var cert *notary.Certificate
			if certPath != "" {
				b, err := readLimited(certPath, 1<<20)
				if err != nil {
					return err
				}
				if cert, err = notary.ParseCertificate(b); err != nil {
					return proofErr(err)
				}
			}
			var h ledger.Hash
			switch {
			case len(a) == 1:
				if h, err = ledger.ParseHash(a[0]); err != nil {
					return usagef("TXHASH: %v", err)
				}
				if cert != nil && cert.TxHash != h {
					return usagef("the certificate is for transaction %s, not %s", cert.TxHash, h)
				}
			case cert != nil:
				h = cert.TxHash
			default:
				return usagef("proof takes a transaction hash (or --certificate CERT.json)")
			}
			var raw json.RawMessage
			if _, err := getJSON(c.Node+"/v1/txs/"+h.String()+"/proof", &raw); err != nil {
				return err
			}
			b, err := proof.ParseBundle(raw)
			if err != nil {
				return proofErr(err)
			}
			if b.Tx.Hash != h {
				return coded(proof.ErrMismatch, fmt.Sprintf("the node answered with a bundle for transaction %s, not %s", b.Tx.Hash, h))
			}
			if cert != nil {
				if err := attachCertificate(b, cert); err != nil {
					return proofErr(err)
				}
			}
			out := b.Marshal()
			path, _ := cmd.Flags().GetString("output")
			if path == "" || path == "-" {
				_, err := e.stdout.Write(out)
				return err
			}
			if err := os.WriteFile(path, out, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "proof of transaction %s (block %d, %d bytes) written to %s\n", h, b.Header.Height, len(out), path)
			if b.Outcome == nil {
				fmt.Fprintf(e.stderr, "note: it proves no outcome yet: block %d's app hash proves it; fetch the bundle again once that block is committed\n", b.Header.Height+1)
			}
			fmt.Fprintf(e.stderr, "check it offline: qian verify %s --genesis genesis.json\n", path)
			return nil
		},
	}
	addClientFlags(cmd, false)
	cmd.Flags().StringP("output", "o", "", "write the bundle to this file (default: standard output)")
	cmd.Flags().String("certificate", "", "a notary batch certificate: prove its item too")
	return cmd
}

// attachCertificate checks a notary batch certificate offline and adds its
// item's path to the bundle.
func attachCertificate(b *proof.Bundle, c *notary.Certificate) error {
	if _, err := notary.VerifyCertificate(c); err != nil {
		return err
	}
	if c.TxHash != b.Tx.Hash || c.ChainID != b.ChainID {
		return coded(proof.ErrBatchItem, fmt.Sprintf("the certificate is for transaction %s on %s; the bundle proves %s on %s", c.TxHash, c.ChainID, b.Tx.Hash, b.ChainID))
	}
	p := merkle.Proof{Index: c.Index, Size: c.Size}
	for _, s := range c.Path {
		h, err := ledger.ParseHash(s)
		if err != nil {
			return coded(proof.ErrBatchItem, "certificate path: "+err.Error())
		}
		p.Path = append(p.Path, h)
	}
	return proof.AttachBatchItem(b, c.Item, p)
}
