package genesis

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/qianchain/qianchain/internal/testenv"
)

// fixture reads a file of the reference fixtures beside the repository;
// tests that need them skip when they are absent.
func fixture(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(testenv.Fixture(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheckDigitAgainstGS1Fixtures(t *testing.T) {
	var f struct {
		GTIN []struct {
			First13 string `json:"first13"`
			Check   int    `json:"check"`
		} `json:"gtin_check_digits"`
	}
	if err := json.Unmarshal(fixture(t, "gs1/digital-link.json"), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.GTIN) == 0 {
		t.Fatal("no check digit vectors in the fixture")
	}
	for _, v := range f.GTIN {
		if got := CheckDigit(v.First13); got != byte('0'+v.Check) {
			t.Errorf("CheckDigit(%s) = %c, want %d", v.First13, got, v.Check)
		}
	}
}

func TestGLNAndPrefix(t *testing.T) {
	// 629104150021-3 and 0614141-00001-5 are GS1's published GLN examples.
	for _, g := range []string{"6291041500213", "0614141000012", "6901230000010"} {
		if err := ValidateGLN(g); err != nil {
			t.Errorf("ValidateGLN(%s): %v", g, err)
		}
	}
	for _, g := range []string{"6291041500214", "629104150021", "62910415002130", "629104150021X", ""} {
		if err := ValidateGLN(g); err == nil {
			t.Errorf("ValidateGLN(%q) accepted", g)
		}
	}
	for _, p := range []string{"690123", "690123456789"} {
		if err := ValidatePrefix(p); err != nil {
			t.Errorf("ValidatePrefix(%s): %v", p, err)
		}
	}
	for _, p := range []string{"69012", "6901234567890", "69012a", "", "+69012"} {
		if err := ValidatePrefix(p); err == nil {
			t.Errorf("ValidatePrefix(%q) accepted", p)
		}
	}
}
