package contracttest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// WriteSeeds keeps a fuzz target's committed seed corpus
// (testdata/fuzz/<target>/seed-NN of the calling package) in step with the
// code that makes the seeds: with QIAN_WRITE_FUZZ_SEEDS=1 it writes them;
// otherwise it fails if a committed seed is missing or differs, so a change
// of encoding that leaves stale seeds is noticed.
func WriteSeeds(t testing.TB, target string, seeds ...[]byte) {
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
		got, err := os.ReadFile(path)
		if err != nil || string(got) != body {
			t.Errorf("seed corpus %s is missing or stale; regenerate with QIAN_WRITE_FUZZ_SEEDS=1 go test -run TestFuzzSeedsAreCurrent", path)
		}
	}
}
