package contracttest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// WriteSeeds writes a fuzz target's seed corpus to testdata/fuzz/<target>
// of the calling package when QIAN_WRITE_FUZZ_SEEDS=1, so committed seeds
// can be regenerated from code; otherwise it does nothing.
func WriteSeeds(t testing.TB, target string, seeds ...[]byte) {
	t.Helper()
	if os.Getenv("QIAN_WRITE_FUZZ_SEEDS") != "1" {
		return
	}
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range seeds {
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
