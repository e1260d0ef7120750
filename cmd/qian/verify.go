package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/config"
)

func newVerifyCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify [BUNDLE.json | CERT.cert.json]",
		Short: "Check a proof bundle or a notary certificate offline against the genesis file, and disclosed personal data",
		Long: `Check a proof bundle (from qian proof, or a page's download link) against the chain's
genesis file, trusting nothing else: the transaction's Merkle path to its block's
transaction root (tree size from the header), the block header, a commit certificate
signed by genesis validators holding more than two thirds of the voting power, and,
when the bundle carries them, the next block's header and certificate, the outcome's
path into the app hash, and a notary batch item's path to the anchored root.
docs/verification.md specifies every step.

It prints what was proved: the record decoded, the block's height and time, which
validators signed and their share of the power. Any failed check exits 1 with a stable
code and the reason, e.g. error (ERR_PROOF_COMMIT): ...

--disclose FILE checks personal-data disclosures (the values and salts qian trace
capture saved in DOC.disclosures.json) against the commitments the proven transaction
recorded, each in the event that recorded it. --event HASH asks about one trace event:
disclosures of the transaction's other events are listed as not checked. Without a
bundle, --event HASH --node URL finds the event's transaction on a node, fetches its
bundle and verifies it the same way.

A notary certificate (FILE.cert.json, from qian notary batch) is a bundle of the
anchoring transaction with the item's path: it is verified the same way, and must
prove an accepted anchoring of its item at its height. --file FILE checks that the
file's SHA-256 is the item. The certificate's name is reported as given: the chain
anchors a file's content, not its name. docs/notarization.md specifies the format.

--genesis defaults to genesis.json in the node home (--home).`,
		Args: func(cmd *cobra.Command, a []string) error {
			if len(a) > 1 {
				return usagef("verify takes at most one bundle or certificate file, got %d arguments", len(a))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, a []string) error { return runVerify(cmd, e, a) },
	}
	addClientFlags(cmd, false)
	cmd.Flags().String("genesis", "", "the chain's genesis.json (default: the home's)")
	cmd.Flags().Bool("json", false, "print the report as JSON")
	cmd.Flags().StringArray("disclose", nil, "a disclosure file to check against the transaction's commitments (repeatable)")
	cmd.Flags().String("event", "", "with --disclose: the trace event the disclosures are about (without a bundle, its transaction is fetched from --node)")
	cmd.Flags().String("file", "", "with a notary certificate: the file whose SHA-256 must be the certificate's item")
	cmd.Flags().StringArray("trust", nil, "HEIGHT:HASH: the validators hash you trust at HEIGHT (from your own node or a partner); the bundle's history of the validator set must lead to it (repeatable)")
	return cmd
}

// coded turns a verification failure into the error the command reports:
// its stable code and sentence ("error (ERR_PROOF_COMMIT): ...").
func coded(code, msg string) error { return &apiError{api.Error{Code: code, Message: msg}} }

func proofErr(err error) error {
	var pe *proof.Error
	if errors.As(err, &pe) {
		return coded(pe.Code, pe.Message)
	}
	var ce *call.Error
	if errors.As(err, &ce) {
		return coded(ce.Code, ce.Message)
	}
	return err
}

// loadAnchor reads the genesis file given by --genesis, or the home's.
func loadAnchor(cmd *cobra.Command, fallback string) (*genesis.Doc, proof.Anchor, error) {
	path, _ := cmd.Flags().GetString("genesis")
	if path == "" {
		path = fallback
	}
	if path == "" {
		path = config.Paths{Home: config.ResolveHome(cmd.Flags())}.GenesisFile()
		if _, err := os.Stat(path); err != nil {
			return nil, proof.Anchor{}, usagef("no genesis file: give --genesis genesis.json (the chain's, from its operators)")
		}
	}
	doc, err := genesis.Load(path)
	if err != nil {
		return nil, proof.Anchor{}, err
	}
	vals, err := doc.ValidatorSet()
	if err != nil {
		return nil, proof.Anchor{}, err
	}
	a := proof.Anchor{Chain: doc.Identity(), Validators: vals, Names: doc.ValidatorNames()}
	if a.Trust, err = trustPoints(cmd); err != nil {
		return nil, proof.Anchor{}, err
	}
	return doc, a, nil
}

// trustPoints parses --trust HEIGHT:HASH (repeatable): the hash of the
// validator set that signs HEIGHT, from a source the verifier trusts.
func trustPoints(cmd *cobra.Command) ([]proof.TrustPoint, error) {
	if cmd.Flags().Lookup("trust") == nil {
		return nil, nil
	}
	vals, _ := cmd.Flags().GetStringArray("trust")
	var out []proof.TrustPoint
	for _, v := range vals {
		hs, hash, ok := strings.Cut(v, ":")
		height, err := strconv.ParseUint(hs, 10, 64)
		if !ok || err != nil || height == 0 {
			return nil, usagef("--trust %q: want HEIGHT:HASH, a height of at least 1 and the 64-hex validators hash of that height (GET /v1/validators?height=HEIGHT, or the explorer's block page)", v)
		}
		h, err := ledger.ParseHash(hash)
		if err != nil {
			return nil, usagef("--trust %q: %v", v, err)
		}
		out = append(out, proof.TrustPoint{Height: height, SetHash: h})
	}
	return out, nil
}

// verifyOutput is the --json form of qian verify.
type verifyOutput struct {
	Verified    bool              `json:"verified"`
	Code        string            `json:"code,omitempty"`
	Message     string            `json:"message,omitempty"`
	Report      *proof.Report     `json:"report,omitempty"`
	Payload     json.RawMessage   `json:"payload,omitempty"`
	Disclosures []disclosureCheck `json:"disclosures,omitempty"`
	// Skipped lists the disclosures of the files that were not checked
	// because they are about other events (see checkDisclosures).
	Skipped []disclosureSkip `json:"skipped_disclosures,omitempty"`
	// Certificate is what a notary certificate proved, beside Report.
	Certificate *certificateOutput `json:"certificate,omitempty"`
}

// certificateOutput is the certificate part of qian verify --json: the
// item and its place in the anchored batch (proven), the file when one was
// checked, and the name, which nothing proves.
type certificateOutput struct {
	Item        ledger.Hash `json:"item"`
	Index       uint64      `json:"index"`
	Size        uint64      `json:"size"`
	Root        ledger.Hash `json:"root"`
	File        string      `json:"file,omitempty"`
	FileChecked bool        `json:"file_checked"`
	Name        string      `json:"name,omitempty"`
	// NameProven is always false: the chain anchors the item (a file's
	// content), never its name.
	NameProven bool `json:"name_proven"`
}

func runVerify(cmd *cobra.Command, e *env, a []string) error {
	asJSON, _ := cmd.Flags().GetBool("json")
	discloseFiles, _ := cmd.Flags().GetStringArray("disclose")
	event, _ := cmd.Flags().GetString("event")
	if event != "" {
		if len(discloseFiles) == 0 {
			return usagef("--event is for checking disclosures: add --disclose FILE")
		}
		h, err := ledger.ParseHash(event)
		if err != nil {
			return usagef("--event: %v", err)
		}
		event = h.String()
	}
	var raw []byte
	switch {
	case len(a) == 1:
		var err error
		if raw, err = readLimited(a[0], proof.MaxBundleBytes); err != nil {
			return err
		}
	case event != "":
		c, err := loadClient(cmd)
		if err != nil {
			return err
		}
		if c.Node == "" {
			return usagef("--event needs a node to find the event's transaction: give --node URL or set QIAN_NODE")
		}
		if raw, err = fetchEventBundle(c.Node, event); err != nil {
			return err
		}
	default:
		return usagef("verify takes a bundle file (qian proof TXHASH -o bundle.json), or --disclose FILE --event HASH")
	}
	filePath, _ := cmd.Flags().GetString("file")
	isCert := proof.IsCertificate(raw)
	switch {
	case isCert && len(discloseFiles) > 0:
		return usagef("--disclose checks a trace capture's bundle; a notary certificate holds no personal data")
	case !isCert && filePath != "":
		return usagef("--file is for a notary certificate (FILE.cert.json from qian notary batch); this is a proof bundle")
	}
	doc, anchor, err := loadAnchor(cmd, "")
	if err != nil {
		return err
	}
	fail := func(err error) error {
		err = proofErr(err)
		if asJSON {
			out := verifyOutput{Code: errorCode(err), Message: err.Error()}
			b, _ := json.MarshalIndent(out, "", "  ")
			fmt.Fprintln(e.stdout, string(b))
		}
		return err
	}
	var rep *proof.Report
	var certOut *certificateOutput
	if isCert {
		var file *ledger.Hash
		if filePath != "" {
			h, _, err := fileHash(filePath)
			if err != nil {
				return err
			}
			file = &h
		}
		cr, err := proof.VerifyCertificateJSON(raw, anchor, file)
		if err != nil {
			return fail(err)
		}
		bi := cr.Report.BatchItem
		rep, certOut = cr.Report, &certificateOutput{Item: cr.Item, Index: bi.Index, Size: bi.Size, Root: bi.Root,
			File: filePath, FileChecked: file != nil, Name: cr.Name}
	} else if rep, err = proof.VerifyJSON(raw, anchor); err != nil {
		return fail(err)
	}
	out := verifyOutput{Verified: true, Report: rep, Certificate: certOut}
	out.Payload, err = payloadJSON(rep)
	if err != nil {
		out.Payload, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	for _, f := range discloseFiles {
		ds, err := readDisclosures(f)
		if err != nil {
			return fail(err)
		}
		checked, skipped, err := checkDisclosures(rep, ds, event)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", f, err))
		}
		out.Disclosures = append(out.Disclosures, checked...)
		out.Skipped = append(out.Skipped, skipped...)
	}
	if asJSON {
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(e.stdout, string(b))
		return err
	}
	printReport(e.stdout, doc, anchor, &out)
	return nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, coded(proof.ErrFormat, fmt.Sprintf("%s is larger than %d bytes: not a proof bundle", path, limit))
	}
	return b, nil
}

// fetchEventBundle finds the transaction that recorded a trace event (the
// node's search) and fetches its proof bundle. Nothing the node says is
// trusted: the bundle is verified against genesis, and the event hash
// against the proven outcome.
func fetchEventBundle(node, event string) ([]byte, error) {
	h, err := ledger.ParseHash(event)
	if err != nil {
		return nil, usagef("--event: %v", err)
	}
	var sr api.SearchResponse
	if _, err := getJSON(node+"/v1/search?q="+h.String(), &sr); err != nil {
		return nil, err
	}
	for _, r := range sr.Results {
		if r.Kind == "event" && strings.HasPrefix(r.API, "/v1/txs/") {
			var raw json.RawMessage
			if _, err := getJSON(node+r.API+"/proof", &raw); err != nil {
				return nil, err
			}
			return raw, nil
		}
	}
	return nil, coded("ERR_NOT_FOUND", fmt.Sprintf("the node knows no trace event %s", h))
}

// payloadJSON renders the transaction's payload with the contracts'
// decoders; a trace.capture as its EPCIS 2.0 event.
func payloadJSON(rep *proof.Report) (json.RawMessage, error) {
	tx := rep.Tx
	v, err := contracts.NewExecutor().DecodePayload(tx.Contract, tx.Method, tx.Payload)
	if err != nil {
		return nil, err
	}
	if ev, ok := v.(*epcis.Event); ok {
		rec := &epcis.Recorded{Event: ev, RecordTime: rep.Time.UnixNano(), Height: rep.Height, TxHash: rep.TxHash}
		if rep.Result != nil {
			for _, e := range rep.Result.Events {
				for _, at := range e.Attrs {
					if e.Type == "trace.event" && at.Key == "event" {
						if h, err := ledger.ParseHash(at.Value); err == nil {
							rec.Hash = h
						}
					}
				}
			}
		}
		return epcis.EventJSON(rec).MarshalJSON()
	}
	return json.Marshal(v)
}

var chinaTime = time.FixedZone("CST", 8*3600)

func printReport(w io.Writer, doc *genesis.Doc, a proof.Anchor, out *verifyOutput) {
	r := out.Report
	tx := r.Tx
	fmt.Fprintf(w, "已验证 VERIFIED against the genesis of chain %s (genesis %s), trusting nothing else.\n\n", a.Chain.ChainID(), a.Chain.GenesisHash().Short())
	fmt.Fprintf(w, "Transaction %s\n", r.TxHash)
	fmt.Fprintf(w, "  call:      %s.%s\n", tx.Contract, tx.Method)
	fmt.Fprintf(w, "  sender:    %s%s\n", tx.Sender, senderOrg(doc, tx.Sender))
	fmt.Fprintf(w, "  nonce:     %d\n", tx.Nonce)
	if len(out.Payload) > 0 {
		var pretty strings.Builder
		var v any
		if json.Unmarshal(out.Payload, &v) == nil {
			b, _ := json.MarshalIndent(v, "  ", "  ")
			pretty.Write(b)
		} else {
			pretty.Write(out.Payload)
		}
		fmt.Fprintf(w, "  payload:   %s\n", pretty.String())
	}
	fmt.Fprintf(w, "\nRecorded in block %d at %s (%s), transaction %d of the block's %d\n", r.Height,
		r.Time.UTC().Format(time.RFC3339Nano), r.Time.In(chinaTime).Format("2006-01-02 15:04:05 MST"), r.Index+1, r.TxCount)
	fmt.Fprintf(w, "  block hash %s\n", r.BlockHash)
	names := r.SignerNames
	if len(names) == 0 {
		for _, i := range r.Signers {
			names = append(names, fmt.Sprintf("#%d", i))
		}
	}
	fmt.Fprintf(w, "Signed by %d of %d validators: %s\n", len(r.Signers), r.Validators, strings.Join(names, ", "))
	fmt.Fprintf(w, "  holding %d of %d voting power (%.1f%%; more than two thirds, %d, is required), round %d\n",
		r.SignedPower, r.TotalPower, 100*float64(r.SignedPower)/float64(r.TotalPower), r.TotalPower*2/3+1, r.Round)
	if r.Transitions == 0 {
		fmt.Fprintf(w, "  the validators are the genesis set (set %s)\n", r.ValidatorsHash.Short())
	} else {
		fmt.Fprintf(w, "  the validators are the set %s, reached from the genesis set through %d validator-set changes, each certified by the set before it\n",
			r.ValidatorsHash.Short(), r.Transitions)
	}
	for _, tp := range r.Trusted {
		fmt.Fprintf(w, "  at height %d the set is %s, as you trust (--trust)\n", tp.Height, tp.SetHash.Short())
	}
	for _, tp := range r.TrustBeyond {
		fmt.Fprintf(w, "  --trust %d:%s is beyond this bundle's last header: not checked\n", tp.Height, tp.SetHash.Short())
	}
	if r.InChain {
		fmt.Fprintf(w, "  the certificate is the one the chain recorded in block %d\n", r.Height+1)
	} else {
		fmt.Fprintln(w, "  the certificate is the node's own (the block is the newest; the chain records it in the next block)")
	}
	if o := r.Result; o != nil {
		outcome := o.Code
		if o.Message != "" {
			outcome += ": " + o.Message
		}
		// proof.Verify refuses an outcome it cannot prove, so every outcome
		// printed here is proven.
		fmt.Fprintf(w, "Outcome %s\n  proven: the app hash in header %d (certified too) commits to it\n", outcome, o.ProvenBy)
		for _, ev := range o.Events {
			var attrs []string
			for _, at := range ev.Attrs {
				attrs = append(attrs, at.Key+"="+at.Value)
			}
			fmt.Fprintf(w, "  event %s %s\n", ev.Type, strings.Join(attrs, " "))
		}
	} else {
		fmt.Fprintln(w, "Outcome: not in the bundle (it is proven by the next block's app hash: fetch the bundle again once that block is committed)")
	}
	if bi := r.BatchItem; bi != nil {
		fmt.Fprintf(w, "Batch item %s is item %d of the %d whose root %s this transaction anchored\n", bi.Item, bi.Index, bi.Size, bi.Root)
	}
	if c := out.Certificate; c != nil {
		fmt.Fprintf(w, "Notary certificate of item %s: anchored in block %d, as the outcome above proves\n", c.Item, r.Height)
		if c.FileChecked {
			fmt.Fprintf(w, "  file %s: its SHA-256 is the item\n", c.File)
		} else {
			fmt.Fprintln(w, "  file: not checked (give --file FILE to check that its SHA-256 is the item)")
		}
		if c.Name != "" {
			fmt.Fprintf(w, "  name %q: as the certificate gives it, not proven (the chain anchors the content, not the name)\n", c.Name)
		}
	}
	for _, d := range out.Disclosures {
		fmt.Fprintf(w, "Disclosure %s: %s opens commitment %s…, recorded by this transaction in trace event %s… (its event %d, as its proven outcome says)\n",
			d.Field, d.Value, d.Commitment[:16], d.Event[:16], d.Index)
	}
	for _, d := range out.Skipped {
		fmt.Fprintf(w, "Not checked: the disclosure of %s is %s (event %s…)\n", d.Field, d.Reason, d.Event[:16])
	}
}

// senderOrg names the genesis organisation whose admin key sent the
// transaction, if any (later accounts are in the chain's state, not in
// genesis).
func senderOrg(doc *genesis.Doc, k ledger.PublicKey) string {
	for _, o := range doc.Organisations {
		for _, a := range o.Admins {
			if a == k {
				return fmt.Sprintf(" (a founding admin key of %s, per genesis)", o.ID)
			}
		}
	}
	return ""
}
