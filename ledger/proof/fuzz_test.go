package proof

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// writeSeeds keeps a fuzz target's committed seed corpus
// (testdata/fuzz/<target>/seed-NN) in step with the code that makes the
// seeds: with QIAN_WRITE_FUZZ_SEEDS=1 it writes them; otherwise it fails if
// a committed seed is missing or differs.
func writeSeeds(t *testing.T, target string, seeds ...[]byte) {
	t.Helper()
	write := os.Getenv("QIAN_WRITE_FUZZ_SEEDS") == "1"
	dir := filepath.Join("testdata", "fuzz", target)
	if write {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range seeds {
		path := filepath.Join(dir, fmt.Sprintf("seed-%02d", i))
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s)) + ")\n"
		if write {
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != body {
			t.Errorf("seed corpus %s is missing or stale; regenerate with QIAN_WRITE_FUZZ_SEEDS=1 go test -run TestFuzzSeedsAreCurrent ./ledger/proof", path)
		}
	}
}

func TestFuzzSeedsAreCurrent(t *testing.T) {
	writeSeeds(t, "FuzzDecodeResult", mustHex(t, vectorLeaf0), mustHex(t, vectorLeaf1),
		EncodeResult(&Result{Code: "OK", Events: []Event{{Type: "t", Attrs: []Attr{{Key: "k", Value: "值"}}}, {Type: "u", Attrs: []Attr{}}}}))
	c, b := standard(t, 4)
	_ = c
	tip := b.Marshal()
	b.Next, b.Outcome, b.BatchItem = nil, nil, nil
	writeSeeds(t, "FuzzVerifyJSON", tip, b.Marshal())
	_, cert := standardCertificate(t)
	writeSeeds(t, "FuzzCertificate", cert.Marshal(), v1Certificate(t, c, cert, 2))
}

// FuzzCertificate feeds arbitrary files to the certificate parser, verifier
// and completer: never a panic, and every refusal carries a code.
func FuzzCertificate(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		fuzzAnchor.once.Do(func() {
			c, _ := standard(t, 4)
			fuzzAnchor.a = c.anchor
		})
		var item ledger.Hash
		if _, err := VerifyCertificateJSON(raw, fuzzAnchor.a, &item); err != nil && CodeOf(err) == "" {
			t.Fatalf("error without a code: %v", err)
		}
		if _, err := CertificateTxHash(raw); err != nil && CodeOf(err) == "" {
			t.Fatalf("error without a code: %v", err)
		}
	})
}

func FuzzDecodeResult(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeResult(b)
		if err != nil {
			return
		}
		if !bytes.Equal(EncodeResult(r), b) {
			t.Fatalf("accepted %x, which re-encodes to %x", b, EncodeResult(r))
		}
	})
}

var fuzzAnchor struct {
	once sync.Once
	a    Anchor
}

// FuzzVerifyJSON feeds arbitrary files to the verifier: it must never
// panic, and every refusal carries a code.
func FuzzVerifyJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		fuzzAnchor.once.Do(func() {
			c, _ := standard(t, 4)
			fuzzAnchor.a = c.anchor
		})
		if _, err := VerifyJSON(raw, fuzzAnchor.a); err != nil && CodeOf(err) == "" {
			t.Fatalf("error without a code: %v", err)
		}
	})
}
