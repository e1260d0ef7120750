package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// runSkipping runs f as a subtest of t with QIAN_SKIP_LOG set to a fresh
// file and returns whether the subtest skipped and the lines it logged.
func runSkipping(t *testing.T, f func(t *testing.T)) (bool, []string) {
	t.Helper()
	log := filepath.Join(t.TempDir(), "skips")
	t.Setenv(logEnv, log)
	skipped := false
	t.Run("sub", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		f(t)
	})
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return skipped, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// A missing reference file skips the test and leaves one line naming what
// is missing, the kind of test, how to get it, the package and the test.
func TestFixtureSkipsAndRecordsWhenAbsent(t *testing.T) {
	skipped, lines := runSkipping(t, func(t *testing.T) {
		Fixture(t, "no/such/fixture.json")
		t.Error("Fixture returned for a file that does not exist")
	})
	if !skipped {
		t.Fatal("the test was not skipped")
	}
	want := strings.Join([]string{"../shared/fixtures", "conformance tests", sharedFixtures.hint, "internal/testenv", t.Name() + "/sub"}, "\t")
	if len(lines) != 1 || lines[0] != want {
		t.Fatalf("recorded %q, want one line %q", lines, want)
	}
}

func TestChromiumSkipsWhenQIAN_CHROMIUMNamesNoFile(t *testing.T) {
	t.Setenv("QIAN_CHROMIUM", filepath.Join(t.TempDir(), "no-chromium-here"))
	t.Setenv("QIAN_REQUIRE_CHROMIUM", "")
	skipped, lines := runSkipping(t, func(t *testing.T) {
		Chromium(t)
		t.Error("Chromium returned a file that does not exist")
	})
	if !skipped || len(lines) != 1 || !strings.HasPrefix(lines[0], "chromium\t") {
		t.Fatalf("skipped %v, recorded %q", skipped, lines)
	}
}

func TestChromiumTakesQIAN_CHROMIUM(t *testing.T) {
	p := filepath.Join(t.TempDir(), "my-chromium")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("QIAN_CHROMIUM", p)
	if got := Chromium(t); got != p {
		t.Fatalf("Chromium() = %q, want %q", got, p)
	}
}

// The fixed prefix is what a reader of -v output searches for.
func TestSkipMessagesStartWithAFixedPrefix(t *testing.T) {
	for _, m := range []missing{sharedFixtures, chromium} {
		if got := message(m, "detail"); !strings.HasPrefix(got, "SKIP(no "+m.name+"): detail; ") {
			t.Errorf("message %q", got)
		}
	}
}

// fatalTB records a Fatalf instead of ending the test, so that a test can
// see Chromium fail where it would otherwise skip.
type fatalTB struct {
	testing.TB
	fatal, skipped string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fatalTB) Skip(args ...any) { f.skipped = fmt.Sprint(args...); runtime.Goexit() }

// Where CI requires chromium (QIAN_REQUIRE_CHROMIUM, set by .ci/run after
// installing it), its absence fails the browser tests instead of skipping
// them.
func TestChromiumRequiredFailsInsteadOfSkipping(t *testing.T) {
	t.Setenv("QIAN_CHROMIUM", filepath.Join(t.TempDir(), "no-chromium-here"))
	t.Setenv("QIAN_REQUIRE_CHROMIUM", "1")
	t.Setenv(logEnv, "")
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); Chromium(f) }()
	<-done
	if f.skipped != "" || !strings.Contains(f.fatal, "QIAN_REQUIRE_CHROMIUM is set") {
		t.Fatalf("fatal %q, skipped %q", f.fatal, f.skipped)
	}
}
