package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
)

func newNotaryCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notary",
		Short: "Anchor the SHA-256 of files on the chain, one by one or as a batch",
		Long:  `Notarisation for the data exchange and every member: see docs/notarization.md.`,
		Args:  args(0, "a subcommand"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newNotaryAnchorCmd(e), newNotaryBatchCmd(e))
	return cmd
}

func fileHash(path string) (ledger.Hash, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return ledger.Hash{}, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return ledger.Hash{}, 0, fmt.Errorf("read %s: %w", path, err)
	}
	var out ledger.Hash
	h.Sum(out[:0])
	return out, n, nil
}

func parseAttrs(kvs []string) ([]notary.Attr, error) {
	var out []notary.Attr
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usagef("--attr %q must be KEY=VALUE", kv)
		}
		out = append(out, notary.Attr{Key: k, Value: v})
	}
	notary.SortAttrs(out)
	return out, nil
}

func newNotaryAnchorCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "anchor FILE...",
		Short: "Anchor each file's SHA-256 (the files stay with you)",
		Long: `Anchor the SHA-256 of each FILE in its own transaction signed by --key. The files
never leave this machine. Anchoring a hash that is already on the chain reports the
first anchoring (ERR_ALREADY_ANCHORED) and changes nothing.`,
		Args: func(cmd *cobra.Command, a []string) error {
			if len(a) == 0 {
				return usagef("notary anchor takes one or more files")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, files []string) error {
			kindName, _ := cmd.Flags().GetString("kind")
			kind := notary.Evidence
			switch kindName {
			case "evidence":
			case "data_product":
				kind = notary.DataProduct
			default:
				return usagef("--kind must be evidence or data_product")
			}
			attrFlags, _ := cmd.Flags().GetStringArray("attr")
			attrs, err := parseAttrs(attrFlags)
			if err != nil {
				return err
			}
			s, err := openTxSession(cmd, e)
			if err != nil {
				return err
			}
			var results []*txResult
			for _, f := range files {
				h, size, err := fileHash(f)
				if err != nil {
					return err
				}
				p := &notary.Anchor{Hash: h, Kind: kind, Name: filepath.Base(f), MediaType: mediaType(f), Size: uint64(size), Attrs: attrs}
				tx, err := s.tx(notary.Contract, notary.MethodAnchor, p.Encode())
				if err != nil {
					return err
				}
				r, err := s.send(tx, fmt.Sprintf("%s  sha256 %s", f, h))
				if err != nil {
					return err
				}
				s.print(r)
				results = append(results, r)
			}
			return finish(results)
		},
	}
	addClientFlags(cmd, true)
	cmd.Flags().String("kind", "evidence", "evidence (about the sender's own data) or data_product (data exchanges)")
	cmd.Flags().StringArray("attr", nil, "metadata KEY=VALUE, repeatable")
	return cmd
}

func mediaType(path string) string {
	if t := mime.TypeByExtension(filepath.Ext(path)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func newNotaryBatchCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "batch DIR --out CERTS_DIR",
		Short: "Anchor a whole directory in one transaction, with a certificate per file",
		Long: `Hash every regular file under DIR (in sorted path order), build an RFC 6962 Merkle
tree over the hashes, anchor its root in one transaction signed by --key, wait for
the next block (whose app hash proves the transaction's outcome), and write one
certificate per file to CERTS_DIR (FILE.cert.json): the file's hash, its path to the
root, and the anchoring transaction's proof bundle. Anyone holding a file, its
certificate and the genesis file checks them offline, trusting nothing else:
qian verify CERT.cert.json --file FILE --genesis genesis.json.`,
		Args: args(1, "a directory"),
		RunE: func(cmd *cobra.Command, a []string) error {
			out, _ := cmd.Flags().GetString("out")
			if out == "" {
				return usagef("notary batch needs --out CERTS_DIR")
			}
			name, _ := cmd.Flags().GetString("name")
			if async, _ := cmd.Flags().GetBool("async"); async {
				return usagef("notary batch writes certificates that prove the committed transaction: it cannot run with --async")
			}
			attrFlags, _ := cmd.Flags().GetStringArray("attr")
			attrs, err := parseAttrs(attrFlags)
			if err != nil {
				return err
			}
			var files []string
			err = filepath.WalkDir(a[0], func(p string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.Type().IsRegular() {
					files = append(files, p)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return fmt.Errorf("%s holds no files", a[0])
			}
			sort.Strings(files)
			for _, f := range files {
				// Every certificate must be writable before the root is anchored.
				rel, _ := filepath.Rel(a[0], f)
				if err := proof.CheckCertificateName(filepath.ToSlash(rel)); err != nil {
					return proofErr(fmt.Errorf("%s: %w", f, err))
				}
			}
			items := make([]ledger.Hash, len(files))
			for i, f := range files {
				if items[i], _, err = fileHash(f); err != nil {
					return err
				}
				if (i+1)%10000 == 0 {
					fmt.Fprintf(e.stderr, "\rhashed %d of %d files", i+1, len(files))
				}
			}
			b, err := notary.NewBatch(items)
			if err != nil {
				return err
			}
			if name == "" {
				name = filepath.Base(filepath.Clean(a[0]))
			}
			s, err := openTxSession(cmd, e)
			if err != nil {
				return err
			}
			tx, err := s.tx(notary.Contract, notary.MethodAnchorBatch, b.Payload(name, attrs))
			if err != nil {
				return err
			}
			r, err := s.send(tx, fmt.Sprintf("%d files, root %s", len(files), b.Root()))
			if err != nil {
				return err
			}
			s.print(r)
			if r.Code != "OK" {
				return finish([]*txResult{r})
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			bundle, err := fetchProvenBundle(ctx, s.cfg.Node, tx.Hash(), r.Height)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			for i, f := range files {
				rel, _ := filepath.Rel(a[0], f)
				item := *bundle
				if err := proof.AttachBatchItem(&item, items[i], b.Proof(i)); err != nil {
					return proofErr(err)
				}
				c, err := proof.NewCertificate(&item, filepath.ToSlash(rel))
				if err != nil {
					return proofErr(fmt.Errorf("%s: %w", f, err))
				}
				path := filepath.Join(out, strings.ReplaceAll(rel, string(filepath.Separator), "__")+".cert.json")
				if err := os.WriteFile(path, c.Marshal(), 0o644); err != nil {
					return err
				}
			}
			if !s.cfg.JSON {
				fmt.Fprintf(e.stdout, "%d certificates in %s\n", len(files), out)
			}
			return nil
		},
	}
	addClientFlags(cmd, true)
	cmd.Flags().String("out", "", "directory for the per-file certificates")
	cmd.Flags().String("name", "", "name of the batch (default: the directory's name)")
	cmd.Flags().StringArray("attr", nil, "metadata KEY=VALUE, repeatable")
	return cmd
}
