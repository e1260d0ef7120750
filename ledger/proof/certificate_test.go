package proof

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// standardCertificate is the certificate of item 3 of the standard chain's
// batch, named as qian notary batch names a file.
func standardCertificate(t *testing.T) (*chain, *Certificate) {
	t.Helper()
	c, b := standard(t, 4)
	cert, err := NewCertificate(b, "photos/IMG_0003.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return c, cert
}

// A notary certificate verifies with the genesis anchor alone, with and
// without the file; its file form reads back; a wrong file is
// ERR_CERTIFICATE_FILE.
func TestCertificateVerifiesOffline(t *testing.T) {
	c, cert := standardCertificate(t)
	item := c.batch[3]
	for _, file := range []*ledger.Hash{nil, (*ledger.Hash)(&item)} {
		r, err := VerifyCertificateJSON(cert.Marshal(), c.anchor, file)
		if err != nil {
			t.Fatal(err)
		}
		if r.Item != ledger.Hash(item) || r.Name != "photos/IMG_0003.jpg" || r.Report.Height != 2 || r.Report.BatchItem.Index != 3 ||
			r.Report.Result == nil || r.Report.Result.Code != "OK" || (file == nil) != (r.File == nil) {
			t.Fatalf("report %+v", r)
		}
	}
	other := ledger.Sum([]byte("another file"))
	if _, err := VerifyCertificate(cert, c.anchor, &other); CodeOf(err) != ErrCertificateFile {
		t.Fatalf("another file: %v", err)
	}
}

// What a certificate states beyond its bundle is checked: its height and
// item copies, a proven and accepted outcome, its name's form; the bundle's
// own failures keep their codes.
func TestCertificateRefuses(t *testing.T) {
	cases := []struct {
		name string
		code string
		edit func(c *chain, cert *Certificate)
	}{
		{"another height", ErrCertificate, func(c *chain, cert *Certificate) { cert.Height = 3 }},
		{"another item", ErrCertificate, func(c *chain, cert *Certificate) { cert.Item = ledger.Sum([]byte("x")) }},
		{"no batch item", ErrCertificate, func(c *chain, cert *Certificate) { cert.Bundle.BatchItem = nil }},
		{"no outcome", ErrCertificate, func(c *chain, cert *Certificate) { cert.Bundle.Outcome = nil }},
		{"an outcome without its proof", ErrOutcome, func(c *chain, cert *Certificate) { cert.Bundle.Outcome.Proof = nil }},
		{"a name with a terminal escape", ErrCertificateFormat, func(c *chain, cert *Certificate) { cert.Name = "IMG.jpg\x1b[2K\rOK" }},
		{"a name that is not UTF-8", ErrCertificateFormat, func(c *chain, cert *Certificate) { cert.Name = "IMG\xff.jpg" }},
		{"an item not in the batch", ErrBatchItem, func(c *chain, cert *Certificate) {
			cert.Bundle.BatchItem.Item = ledger.Sum([]byte("x"))
			cert.Item = cert.Bundle.BatchItem.Item
		}},
		{"another chain's genesis", ErrChain, func(c *chain, cert *Certificate) { cert.Bundle.GenesisHash[0] ^= 1 }},
		{"a version 3", ErrCertificateFormat, func(c *chain, cert *Certificate) { cert.Version = 3 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, cert := standardCertificate(t)
			tc.edit(c, cert)
			if _, err := VerifyCertificate(cert, c.anchor, nil); CodeOf(err) != tc.code {
				t.Fatalf("got %v (code %q), want %s", err, CodeOf(err), tc.code)
			}
		})
	}

	// An anchoring the chain refused anchored nothing: in the test chain
	// every third result fails, so a batch at position 5 is refused.
	c := newChain(t, 4)
	c.block(t, 5, true)
	c.block(t, 0, false)
	b, err := Build(c, c.batchTx)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := merkle.Prove(leafHashes(c.batch), 1)
	if err := AttachBatchItem(b, c.batch[1], p); err != nil {
		t.Fatal(err)
	}
	if b.Outcome == nil || b.Outcome.Code == "OK" {
		t.Fatalf("outcome %+v, want a refusal", b.Outcome)
	}
	if _, err := NewCertificate(b, ""); CodeOf(err) != ErrCertificate {
		t.Fatalf("certificate of a refused anchoring: %v", err)
	}
	forged := &Certificate{Version: CertificateVersion, Item: c.batch[1], Height: b.Header.Height, Bundle: *b}
	if _, err := VerifyCertificate(forged, c.anchor, nil); CodeOf(err) != ErrCertificate || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("verify a refused anchoring: %v", err)
	}
}

// A certificate has one spelling: unknown keys, upper-case hex, a repeated
// key, an empty name, a number as a float are ERR_CERTIFICATE_FORMAT, and a
// version 1 certificate is refused with the way to complete it.
func TestParseCertificateIsStrict(t *testing.T) {
	c, cert := standardCertificate(t)
	good := string(cert.Marshal())
	item := cert.Item.String()
	cases := map[string]string{
		"upper-case hex in the item":       strings.Replace(good, `"item": "`+item, `"item": "`+strings.ToUpper(item), 1),
		"upper-case hex inside the bundle": strings.Replace(good, cert.Bundle.Header.Hash.String(), strings.ToUpper(cert.Bundle.Header.Hash.String()), 1),
		"an unknown key":                   strings.Replace(good, `"name"`, `"nmae"`, 1),
		"a key in another case":            strings.Replace(good, `"height"`, `"Height"`, 1),
		"a repeated key":                   strings.Replace(good, `"version": 2,`, `"version": 2, "version": 2,`, 1),
		"an empty name":                    strings.Replace(good, `"photos/IMG_0003.jpg"`, `""`, 1),
		"a float":                          strings.Replace(good, `"version": 2`, `"version": 2.0`, 1),
		"a missing height":                 strings.Replace(good, `"height": 2,`, ``, 1),
		"trailing data":                    good + "{}",
	}
	for name, in := range cases {
		if in == good {
			t.Fatalf("%s: the edit did not apply", name)
		}
		if _, err := VerifyCertificateJSON([]byte(in), c.anchor, nil); CodeOf(err) != ErrCertificateFormat {
			t.Errorf("%s: got %v", name, err)
		}
	}
	v1 := v1Certificate(t, c, cert, 2)
	if _, err := ParseCertificate(v1); CodeOf(err) != ErrCertificateFormat || !strings.Contains(err.Error(), "qian proof --certificate") {
		t.Fatalf("version 1: %v", err)
	}
	if !IsCertificate([]byte(good)) || !IsCertificate(v1) || IsCertificate(cert.Bundle.Marshal()) {
		t.Fatal("IsCertificate tells certificates and bundles apart wrongly")
	}
}

// v1Certificate writes the version 1 certificate of cert's item, as qian
// notary batch wrote them, naming height.
func v1Certificate(t *testing.T, c *chain, cert *Certificate, height uint64) []byte {
	t.Helper()
	bi := cert.Bundle.BatchItem
	v1 := certificateV1{Version: 1, ChainID: cert.Bundle.ChainID, Item: bi.Item, Index: bi.Index, Size: bi.Size, Path: bi.Siblings,
		Root: bi.Root, Tx: cert.Bundle.Tx.Encoding, TxHash: cert.Bundle.Tx.Hash, Height: height, Name: "photos/IMG_0003.jpg"}
	raw, err := json.MarshalIndent(v1, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// A version 1 certificate, or a version 2 one, completed with a fresh
// bundle of its transaction, verifies; a version 1 certificate whose
// height, path or transaction disagrees with the bundle is refused.
func TestCompleteCertificate(t *testing.T) {
	c, cert := standardCertificate(t)
	fresh, err := Build(c, c.batchTx)
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string][]byte{
		"version 1":              v1Certificate(t, c, cert, 2),
		"version 1 of no height": v1Certificate(t, c, cert, 0),
		"version 2":              cert.Marshal(),
	} {
		if h, err := CertificateTxHash(raw); err != nil || h != c.batchTx {
			t.Fatalf("%s: transaction %s, %v", name, h, err)
		}
		done, err := CompleteCertificate(raw, fresh)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := VerifyCertificateJSON(done.Marshal(), c.anchor, (*ledger.Hash)(&c.batch[3])); err != nil || done.Name != "photos/IMG_0003.jpg" {
			t.Fatalf("%s: completed certificate: %v", name, err)
		}
	}
	wrongHeight := v1Certificate(t, c, cert, 7)
	if _, err := CompleteCertificate(wrongHeight, fresh); CodeOf(err) != ErrCertificate {
		t.Fatalf("version 1 naming another height: %v", err)
	}
	badPath := strings.Replace(string(v1Certificate(t, c, cert, 2)), cert.Bundle.BatchItem.Siblings[0].String(), ledger.Sum([]byte("x")).String(), 1)
	if _, err := CompleteCertificate([]byte(badPath), fresh); CodeOf(err) != ErrBatchItem {
		t.Fatalf("version 1 with a wrong path: %v", err)
	}
	other, _ := Build(c, c.txs[2][0].Hash())
	if _, err := CompleteCertificate(v1Certificate(t, c, cert, 2), other); CodeOf(err) != ErrCertificate {
		t.Fatalf("version 1 with another transaction's bundle: %v", err)
	}
	upper := strings.Replace(string(v1Certificate(t, c, cert, 2)), cert.Item.String(), strings.ToUpper(cert.Item.String()), 1)
	if _, err := CompleteCertificate([]byte(upper), fresh); CodeOf(err) != ErrCertificateFormat {
		t.Fatalf("version 1 with upper-case hex: %v", err)
	}
}
