package verdict

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/disclosure"
	"github.com/qianchain/qianchain/genesis/anchor"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
)

// ErrEvent: the bundle does not prove that its transaction recorded the
// trace event asked about (Options.Event; `qian verify --event`): the
// transaction recorded no such event, was refused, or the bundle carries
// no outcome yet.
const ErrEvent = "ERR_PROOF_EVENT"

// Options are what the verifier asks beyond "is this bundle genuine".
type Options struct {
	// Trust are validator-set hashes the verifier trusts at heights
	// (qian verify --trust).
	Trust []proof.TrustPoint
	// File is a file's SHA-256, checked against a notary certificate's
	// item; FileName names the file in the report.
	File     *ledger.Hash
	FileName string
	// Event is a trace event (its record hash) the bundle must prove its
	// transaction recorded; with Disclosures, the event they are about.
	Event *ledger.Hash
	// Disclosures are disclosure files, checked against the proven events.
	Disclosures []DisclosureFile
}

// DisclosureFile is a disclosure file's contents (disclosure.ParseFile)
// and the name a failure names it by.
type DisclosureFile struct {
	Name        string
	Disclosures []disclosure.Disclosure
}

// Verdict is what a bundle or certificate proved, or why it proved
// nothing: `qian verify --json` prints it, the browser verifier shows it.
// Everything in it was checked; what nothing proves is said so (a
// certificate's name: NameProven false).
type Verdict struct {
	Verified bool   `json:"verified"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`
	// Chain and Genesis name the anchor the verdict is against.
	Chain   string        `json:"chain_id,omitempty"`
	Genesis ledger.Hash   `json:"genesis_hash"`
	Report  *proof.Report `json:"report,omitempty"`
	// Payload is the transaction's payload decoded by the contracts (a
	// trace.capture as its EPCIS 2.0 event); an object {"error": ...} when
	// the contracts cannot decode it (the chain may have refused it).
	Payload json.RawMessage `json:"payload,omitempty"`
	// Sender is the founding organisation whose genesis admin key sent the
	// transaction, if it is one (later accounts are in the chain's state,
	// which a bundle does not carry).
	Sender *Org `json:"sender_org,omitempty"`
	// Signers are the validators whose precommits the certificate holds,
	// with the organisation that runs each where genesis says.
	Signers []Signer `json:"signers,omitempty"`
	// Events are the trace events the proven outcome records, in payload
	// order; Event is the one Options.Event asked about.
	Events []Event `json:"events,omitempty"`
	Event  *Event  `json:"event,omitempty"`
	// Disclosures opened commitments of the proven events; Skipped are
	// disclosures of the files about other events, not checked.
	Disclosures []DisclosureCheck `json:"disclosures,omitempty"`
	Skipped     []DisclosureSkip  `json:"skipped_disclosures,omitempty"`
	Certificate *Certificate      `json:"certificate,omitempty"`
}

// Certificate is what a notary certificate proved beside its bundle's
// report: the item and its place in the anchored batch (proven), the file
// when one was checked, and the name, which nothing proves.
type Certificate struct {
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

// Check verifies raw — a proof bundle, or a notary certificate (a JSON
// object with an "item" key, proof.IsCertificate) — against g, and says
// what it proved.
func Check(raw []byte, g *anchor.Genesis, o Options) *Verdict {
	v := &Verdict{Chain: g.ChainID, Genesis: g.Hash}
	a := g.Proof()
	a.Trust = o.Trust
	var b *proof.Bundle
	if proof.IsCertificate(raw) {
		if len(o.Disclosures) > 0 {
			return v.fail(call.ErrDisclosure, "a notary certificate holds no personal data: disclosures are checked against a trace capture's bundle")
		}
		c, err := proof.ParseCertificate(raw)
		if err != nil {
			return v.failErr(err)
		}
		cr, err := proof.VerifyCertificate(c, a, o.File)
		if err != nil {
			return v.failErr(err)
		}
		bi := cr.Report.BatchItem
		v.Report, b = cr.Report, &c.Bundle
		v.Certificate = &Certificate{Item: cr.Item, Index: bi.Index, Size: bi.Size, Root: bi.Root,
			File: o.FileName, FileChecked: o.File != nil, Name: cr.Name}
	} else {
		if o.File != nil {
			return v.fail(proof.ErrCertificateFile, "a file is checked against a notary certificate's item; this is a proof bundle")
		}
		var err error
		if b, err = proof.ParseBundle(raw); err != nil {
			return v.failErr(err)
		}
		if v.Report, err = proof.Verify(b, a); err != nil {
			return v.failErr(err)
		}
	}
	rep := v.Report
	v.Verified = true
	v.Payload = payloadJSON(rep)
	v.Sender = orgOf(g, g.AdminOf(rep.Tx.Sender))
	v.Signers = signers(g, b, rep)
	v.Events = events(g, rep)
	want := ""
	if o.Event != nil {
		// With disclosures, an event the transaction did not record fails
		// their check (ERR_DISCLOSURE, as qian verify --disclose always
		// said); alone, it is ErrEvent.
		e, err := provenEvent(v, *o.Event)
		if err != nil && len(o.Disclosures) == 0 {
			return v.failErr(err)
		}
		v.Event, want = e, o.Event.String()
	}
	for _, f := range o.Disclosures {
		checked, skipped, err := checkDisclosures(rep, f.Disclosures, want)
		if err != nil {
			v := v.failErr(err)
			if f.Name != "" {
				v.Message = f.Name + ": " + v.Message
			}
			return v
		}
		v.Disclosures = append(v.Disclosures, checked...)
		v.Skipped = append(v.Skipped, skipped...)
	}
	return v
}

// fail turns v into a failed verdict: nothing it held so far is reported.
func (v *Verdict) fail(code, msg string) *Verdict {
	return &Verdict{Code: code, Message: msg, Chain: v.Chain, Genesis: v.Genesis}
}

// failErr is fail with the code an error carries: ledger/proof's and the
// contracts' coded errors keep theirs.
func (v *Verdict) failErr(err error) *Verdict {
	var pe *proof.Error
	if errors.As(err, &pe) {
		return v.fail(pe.Code, pe.Message)
	}
	var ce *call.Error
	if errors.As(err, &ce) {
		return v.fail(ce.Code, ce.Message)
	}
	return v.fail(proof.ErrFormat, err.Error())
}

// coded is an error with a stable code, for the checks of this package.
func coded(code, format string, args ...any) error {
	return &proof.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
