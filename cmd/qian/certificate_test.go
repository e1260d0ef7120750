package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
)

// A data buyer holding a file and its notary certificate verifies both with
// the genesis file alone (docs/notarization.md): qian notary batch writes
// certificates that carry the anchoring transaction's proof; qian verify
// CERT --file FILE checks the file's hash, the certificate's height and
// item against what the bundle proves, and refuses unknown keys and
// upper-case hex with stable codes; a version 1 certificate (no proof) is
// refused offline and completed by qian proof --certificate, which checks
// its height as well.
func TestNotaryCertificatesOffline(t *testing.T) {
	url, gen := devnetClient(t)
	work := t.TempDir()

	photos := filepath.Join(work, "photos")
	os.MkdirAll(filepath.Join(photos, "plot 3"), 0o755)
	for i, body := range []string{"采茶照片 1", "采茶照片 2", "采茶照片 3"} {
		os.WriteFile(filepath.Join(photos, "plot 3", "IMG_"+itoa(uint64(i))+".jpg"), []byte(body), 0o644)
	}
	certs := filepath.Join(work, "certs")
	runQian(t, "", nil, "notary", "batch", photos, "--out", certs, "--key", "farm", "--node", url).want(t, 0, "3 certificates")
	runQian(t, "", nil, "notary", "batch", photos, "--out", certs, "--key", "farm", "--node", url, "--async").wantErr(t, 2, "usage", "--async")
	cert := filepath.Join(certs, "plot 3__IMG_1.jpg.cert.json")
	file := filepath.Join(photos, "plot 3", "IMG_1.jpg")

	// Offline: the genesis file, the certificate, the file.
	r := runQian(t, "", nil, "verify", cert, "--file", file, "--genesis", gen)
	r.want(t, 0, "VERIFIED", "notary.anchor_batch", "Outcome OK", "is item 1 of the 3 whose root",
		"file "+file+": its SHA-256 is the item", `name "plot 3/IMG_1.jpg": as the certificate gives it, not proven`)
	r = runQian(t, "", nil, "verify", cert, "--genesis", gen)
	r.want(t, 0, "file: not checked")
	r = runQian(t, "", nil, "verify", cert, "--file", file, "--genesis", gen, "--json")
	r.want(t, 0)
	var out verifyOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || !out.Verified || out.Certificate == nil ||
		!out.Certificate.FileChecked || out.Certificate.NameProven || out.Certificate.Index != 1 || out.Report.Result.Code != "OK" {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}

	// Another file; a certificate that states another height; one spelt
	// otherwise; a bundle given --file.
	runQian(t, "", nil, "verify", cert, "--file", filepath.Join(photos, "plot 3", "IMG_2.jpg"), "--genesis", gen).
		wantErr(t, 1, proof.ErrCertificateFile, "not the certificate's item")
	raw, _ := os.ReadFile(cert)
	c, err := proof.ParseCertificate(raw)
	if err != nil {
		t.Fatal(err)
	}
	edited := func(name, from, to string) string {
		t.Helper()
		if !strings.Contains(string(raw), from) {
			t.Fatalf("%s: %q not in the certificate", name, from)
		}
		p := filepath.Join(work, name+".cert.json")
		os.WriteFile(p, []byte(strings.Replace(string(raw), from, to, 1)), 0o644)
		return p
	}
	h := itoa(c.Height)
	runQian(t, "", nil, "verify", edited("height", `"height": `+h+",", `"height": `+itoa(c.Height+1)+","), "--file", file, "--genesis", gen).
		wantErr(t, 1, proof.ErrCertificate, "names height")
	runQian(t, "", nil, "verify", edited("upper", `"item": "`+c.Item.String(), `"item": "`+strings.ToUpper(c.Item.String())), "--file", file, "--genesis", gen).
		wantErr(t, 1, proof.ErrCertificateFormat)
	runQian(t, "", nil, "verify", edited("unknown", `"name":`, `"label":`), "--file", file, "--genesis", gen).
		wantErr(t, 1, proof.ErrCertificateFormat)
	bundle := filepath.Join(work, "bundle.json")
	os.WriteFile(bundle, c.Bundle.Marshal(), 0o644)
	runQian(t, "", nil, "verify", bundle, "--file", file, "--genesis", gen).wantErr(t, 2, "usage", "--file is for a notary certificate")

	// A version 1 certificate, as qian notary batch wrote them: refused
	// offline with the way to complete it; qian proof --certificate
	// completes it, and refuses one that names another height.
	bi := c.Bundle.BatchItem
	v1 := func(height uint64, item string) string {
		path := make([]string, len(bi.Siblings))
		for i, s := range bi.Siblings {
			path[i] = s.String()
		}
		m := map[string]any{"version": 1, "chain_id": c.Bundle.ChainID, "item": item, "index": bi.Index, "size": bi.Size,
			"path": path, "root": bi.Root, "tx": c.Bundle.Tx.Encoding, "tx_hash": c.Bundle.Tx.Hash, "height": height, "name": c.Name}
		b, _ := json.MarshalIndent(m, "", "  ")
		p := filepath.Join(work, "v1-"+itoa(height)+"-"+item[:4]+".cert.json")
		os.WriteFile(p, b, 0o644)
		return p
	}
	old := v1(c.Height, c.Item.String())
	runQian(t, "", nil, "verify", old, "--file", file, "--genesis", gen).wantErr(t, 1, proof.ErrCertificateFormat, "qian proof --certificate")
	done := filepath.Join(work, "done.cert.json")
	runQian(t, "", nil, "proof", "--certificate", old, "--node", url, "-o", done).want(t, 0)
	runQian(t, "", nil, "verify", done, "--file", file, "--genesis", gen).want(t, 0, "its SHA-256 is the item")
	runQian(t, "", nil, "proof", "--certificate", v1(c.Height+5, c.Item.String()), "--node", url, "-o", filepath.Join(work, "x.json")).
		wantErr(t, 1, proof.ErrCertificate, "names height")
	runQian(t, "", nil, "proof", "--certificate", v1(c.Height, strings.ToUpper(c.Item.String())), "--node", url).
		wantErr(t, 1, proof.ErrCertificateFormat)
	runQian(t, "", nil, "proof", ledger.Sum([]byte("x")).String(), "--certificate", old, "--node", url).wantErr(t, 2, "usage", "the certificate is for transaction")
}
