package epcis_test

import (
	"os"
	"testing"

	"github.com/qianchain/qianchain/internal/testenv"
)

// fixtures returns the directory of GS1's EPCIS examples and schema in the
// reference fixtures beside the repository, or skips the test.
func fixtures(t testing.TB) string {
	t.Helper()
	return testenv.Fixture(t, "epcis")
}

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
