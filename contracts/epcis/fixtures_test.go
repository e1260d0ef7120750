package epcis_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// fixtures returns the path of the shared GS1 EPCIS fixtures
// (../shared/fixtures/epcis from the repository root), or skips the test.
func fixtures(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	// contracts/epcis/fixtures_test.go -> repository root is two levels up.
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir := filepath.Join(root, "..", "shared", "fixtures", "epcis")
	if _, err := os.Stat(filepath.Join(dir, "EPCIS-JSON-Schema.json")); err != nil {
		t.Skipf("GS1 EPCIS fixtures not found at %s (../shared/fixtures/epcis from the repository root): %v", dir, err)
	}
	return dir
}

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
