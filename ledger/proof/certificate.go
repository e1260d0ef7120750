package proof

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// CertificateVersion is the notary certificate format this package writes
// and reads (version 1, which carried no proof of commitment, is only read
// by CompleteCertificate).
const CertificateVersion = 2

// MaxCertificateNameBytes bounds a certificate's name (a path in a batch).
const MaxCertificateNameBytes = 1024

// Certificate proves offline, to anyone holding the chain's genesis file
// and nothing else, that Item (a file's SHA-256) is an item of a batch that
// a committed notary.anchor_batch transaction anchored and the chain
// accepted: Bundle is that transaction's proof bundle, with the item's path
// as its batch_item and the transaction's proven outcome (docs/notarization.md
// §3 specifies the format). Item and Height are readable copies of the
// bundle's batch_item.item and header.height, checked like a bundle's
// copies. Name is the item's name in the batch (a file's path) as its
// anchorer gave it: the chain anchors the content, not the name, and a
// verifier reports it as such.
type Certificate struct {
	Version int         `json:"version"`
	Item    ledger.Hash `json:"item"`
	Height  uint64      `json:"height"`
	Name    string      `json:"name,omitempty"`
	Bundle  Bundle      `json:"bundle"`
}

// CertificateReport is what a certificate proved: the bundle's report, and
// whether a file's hash was compared with the item.
type CertificateReport struct {
	Report *Report      `json:"report"`
	Item   ledger.Hash  `json:"item"`
	Name   string       `json:"name,omitempty"`
	File   *ledger.Hash `json:"file_sha256,omitempty"` // the file's SHA-256, when one was checked
}

// NewCertificate makes the certificate of b's batch item, named name. b
// must carry the batch item and the transaction's proven outcome OK (it is
// then a bundle of a block that is not the newest).
func NewCertificate(b *Bundle, name string) (*Certificate, error) {
	if err := CheckCertificateName(name); err != nil {
		return nil, err
	}
	if err := certifies(b); err != nil {
		return nil, err
	}
	return &Certificate{Version: CertificateVersion, Item: b.BatchItem.Item, Height: b.Header.Height, Name: name, Bundle: *b}, nil
}

// certifies checks what a certificate needs of its bundle beyond what
// Verify checks: a batch item, and a proven outcome that says the chain
// accepted the anchoring (a refused anchor_batch is in a block too).
func certifies(b *Bundle) error {
	switch {
	case b.BatchItem == nil:
		return fail(ErrCertificate, "the bundle proves no batch item")
	case b.Outcome == nil:
		return fail(ErrCertificate, "the bundle proves no outcome of the anchoring transaction: it is proven by block %d's app hash; complete the certificate once that block is committed", b.Header.Height+1)
	case b.Outcome.Code != "OK":
		return fail(ErrCertificate, "the chain refused the anchoring transaction (%s: %s): it anchored nothing", b.Outcome.Code, b.Outcome.Message)
	}
	return nil
}

// CheckCertificateName refuses a name that a report could not print as
// itself: not UTF-8, control characters (a terminal escape could forge
// report lines), or longer than MaxCertificateNameBytes
// (ErrCertificateFormat).
func CheckCertificateName(name string) error {
	switch {
	case len(name) > MaxCertificateNameBytes:
		return fail(ErrCertificateFormat, "name is %d bytes, more than %d", len(name), MaxCertificateNameBytes)
	case !utf8.ValidString(name):
		return fail(ErrCertificateFormat, "name is not valid UTF-8")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fail(ErrCertificateFormat, "name %q holds a control character", name)
	}
	return nil
}

// Marshal returns the certificate's JSON, indented, with a final newline.
func (c *Certificate) Marshal() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		panic(fmt.Sprintf("marshal certificate: %v", err)) // plain values only
	}
	return buf.Bytes()
}

// ParseCertificate reads a certificate strictly, as ParseBundle reads a
// bundle: every key spelt exactly, none unknown, repeated or null, hex in
// lowercase, integers as plain decimals, version 2. A failure is an *Error
// with code ErrCertificateFormat; a version 1 certificate is refused with
// the way to complete it.
func ParseCertificate(raw []byte) (*Certificate, error) {
	if len(raw) > MaxBundleBytes {
		return nil, fail(ErrCertificateFormat, "the certificate is %d bytes, more than the %d one can need", len(raw), MaxBundleBytes)
	}
	if v, err := certificateVersion(raw); err != nil {
		return nil, err
	} else if v == 1 {
		return nil, fail(ErrCertificateFormat, "a version 1 certificate carries no proof that its transaction was committed: complete it with qian proof --certificate FILE --node URL -o NEW.cert.json")
	}
	var c Certificate
	if err := strictDecode(raw, &c, c.marshal); err != nil {
		return nil, fail(ErrCertificateFormat, "not a notary certificate: %v", err)
	}
	if c.Version != CertificateVersion {
		return nil, fail(ErrCertificateFormat, "certificate version %d; this verifier reads version %d", c.Version, CertificateVersion)
	}
	if err := CheckCertificateName(c.Name); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Certificate) marshal() []byte { return c.Marshal() }

// VerifyCertificate checks c against the anchor, and, when file is not nil,
// that it is the item (a file's SHA-256): Verify on the bundle (its codes),
// then a batch item and an accepted, proven outcome, Item and Height equal
// to the bundle's (ErrCertificate), and the file (ErrCertificateFile).
func VerifyCertificate(c *Certificate, a Anchor, file *ledger.Hash) (*CertificateReport, error) {
	if c.Version != CertificateVersion {
		return nil, fail(ErrCertificateFormat, "certificate version %d; this verifier reads version %d", c.Version, CertificateVersion)
	}
	if err := CheckCertificateName(c.Name); err != nil {
		return nil, err
	}
	rep, err := Verify(&c.Bundle, a)
	if err != nil {
		return nil, err
	}
	if err := certifies(&c.Bundle); err != nil {
		return nil, err
	}
	if c.Item != rep.BatchItem.Item {
		return nil, fail(ErrCertificate, "the certificate names item %s, its bundle proves item %s", c.Item, rep.BatchItem.Item)
	}
	if c.Height != rep.Height {
		return nil, fail(ErrCertificate, "the certificate names height %d, its bundle proves block %d", c.Height, rep.Height)
	}
	if file != nil && *file != c.Item {
		return nil, fail(ErrCertificateFile, "the file's SHA-256 is %s, not the certificate's item %s", *file, c.Item)
	}
	return &CertificateReport{Report: rep, Item: c.Item, Name: c.Name, File: file}, nil
}

// VerifyCertificateJSON is ParseCertificate followed by VerifyCertificate.
func VerifyCertificateJSON(raw []byte, a Anchor, file *ledger.Hash) (*CertificateReport, error) {
	c, err := ParseCertificate(raw)
	if err != nil {
		return nil, err
	}
	return VerifyCertificate(c, a, file)
}

// IsCertificate reports whether raw looks like a notary certificate (of any
// version) rather than a proof bundle: a JSON object with an "item" key at
// its top. It decides which parser reads a file, nothing more.
func IsCertificate(raw []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil {
		return false
	}
	_, ok := top["item"]
	return ok
}

// certificateV1 is the certificate `qian notary batch` wrote before version
// 2: the item's path to the batch root and the signed anchoring transaction,
// but no proof that the transaction was committed or accepted. It is read
// only to complete it (CompleteCertificate), with the same strict spelling.
type certificateV1 struct {
	Version int           `json:"version"`
	ChainID string        `json:"chain_id"`
	Item    ledger.Hash   `json:"item"`
	Index   uint64        `json:"index"`
	Size    uint64        `json:"size"`
	Path    []ledger.Hash `json:"path"`
	Root    ledger.Hash   `json:"root"`
	Tx      Hex           `json:"tx"`
	TxHash  ledger.Hash   `json:"tx_hash"`
	Height  uint64        `json:"height,omitempty"`
	Name    string        `json:"name,omitempty"`
}

func parseCertificateV1(raw []byte) (*certificateV1, error) {
	var c certificateV1
	err := strictDecode(raw, &c, func() []byte { b, _ := json.Marshal(&c); return b })
	if err != nil {
		return nil, fail(ErrCertificateFormat, "not a version 1 notary certificate: %v", err)
	}
	if c.Version != 1 {
		return nil, fail(ErrCertificateFormat, "certificate version %d", c.Version)
	}
	return &c, CheckCertificateName(c.Name)
}

// certificateVersion reads a certificate's version, or fails with
// ErrCertificateFormat.
func certificateVersion(raw []byte) (int, error) {
	var head struct {
		Version json.Number `json:"version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return 0, fail(ErrCertificateFormat, "not a notary certificate: %v", err)
	}
	switch head.Version {
	case "1":
		return 1, nil
	case "2":
		return 2, nil
	}
	return 0, fail(ErrCertificateFormat, "certificate version %q; this verifier reads versions 1 (to complete it) and 2", head.Version)
}

// CertificateTxHash returns the hash of the anchoring transaction a
// certificate of either version names: the transaction whose bundle
// CompleteCertificate needs.
func CertificateTxHash(raw []byte) (ledger.Hash, error) {
	v, err := certificateVersion(raw)
	if err != nil {
		return ledger.Hash{}, err
	}
	if v == 1 {
		c, err := parseCertificateV1(raw)
		if err != nil {
			return ledger.Hash{}, err
		}
		return c.TxHash, nil
	}
	c, err := ParseCertificate(raw)
	if err != nil {
		return ledger.Hash{}, err
	}
	return c.Bundle.Tx.Hash, nil
}

// CompleteCertificate turns a certificate of either version (raw) into a
// version 2 certificate around b, the bundle of its anchoring transaction
// fetched afresh: everything the old certificate states must agree with b
// (the transaction, chain, height when it names one, the item's path to the
// anchored root: ErrCertificate or ErrBatchItem), and b must prove the
// transaction's accepted outcome (NewCertificate). It trusts b no more than
// any bundle: VerifyCertificate, against genesis, is what proves the result.
func CompleteCertificate(raw []byte, b *Bundle) (*Certificate, error) {
	v, err := certificateVersion(raw)
	if err != nil {
		return nil, err
	}
	var item, root ledger.Hash
	var p BatchItem
	var height uint64
	var name string
	if v == 1 {
		c, err := parseCertificateV1(raw)
		if err != nil {
			return nil, err
		}
		if c.TxHash != b.Tx.Hash || !bytes.Equal(c.Tx, b.Tx.Encoding) || c.ChainID != b.ChainID {
			return nil, fail(ErrCertificate, "the certificate names transaction %s on chain %q; the bundle proves %s on %q", c.TxHash, c.ChainID, b.Tx.Hash, b.ChainID)
		}
		item, root, height, name = c.Item, c.Root, c.Height, c.Name
		p = BatchItem{Item: c.Item, Index: c.Index, Size: c.Size, Root: c.Root, Siblings: c.Path}
	} else {
		c, err := ParseCertificate(raw)
		if err != nil {
			return nil, err
		}
		if c.Bundle.Tx.Hash != b.Tx.Hash || c.Bundle.BatchItem == nil {
			return nil, fail(ErrCertificate, "the certificate is for transaction %s; the bundle proves %s", c.Bundle.Tx.Hash, b.Tx.Hash)
		}
		item, root, height, name = c.Item, c.Bundle.BatchItem.Root, c.Height, c.Name
		p = *c.Bundle.BatchItem
		if p.Item != item {
			return nil, fail(ErrCertificate, "the certificate names item %s, its bundle's batch item is %s", item, p.Item)
		}
	}
	if height != 0 && height != b.Header.Height {
		return nil, fail(ErrCertificate, "the certificate names height %d; the transaction is in block %d", height, b.Header.Height)
	}
	out := *b
	if err := AttachBatchItem(&out, item, merkleProof(p)); err != nil {
		return nil, err
	}
	if out.BatchItem.Root != root {
		return nil, fail(ErrCertificate, "the certificate names root %s; the transaction anchors %s", root, out.BatchItem.Root)
	}
	return NewCertificate(&out, name)
}

func merkleProof(p BatchItem) merkle.Proof {
	return merkle.Proof{Index: p.Index, Size: p.Size, Path: toMerkle(p.Siblings)}
}
