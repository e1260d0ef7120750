package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// logEnv names the environment variable holding the file that skips are
// appended to (the package documentation gives the line format).
const logEnv = "QIAN_SKIP_LOG"

// missing is something outside the repository that some tests need: its
// name, as the skip message and the summary print it, what kind of tests
// need it, and how to get it.
type missing struct {
	name, tests, hint string
	requireEnv        string // when set in the environment, absence fails the test
}

var (
	sharedFixtures = missing{
		name:  "../shared/fixtures",
		tests: "conformance tests",
		hint: "put GS1's EPCIS 2.0 examples and JSON schema, GS1 Digital Link examples and RFC 6962 vectors " +
			"at ../shared/fixtures beside the repository (they are not shipped with it; internal/testenv/doc.go " +
			"lists the files and their sources)",
	}
	chromium = missing{
		name:  "chromium",
		tests: "browser tests",
		hint: "install Debian's chromium (sudo apt-get install chromium; .ci/run does) " +
			"or set QIAN_CHROMIUM to a Chromium or Chrome binary",
		requireEnv: "QIAN_REQUIRE_CHROMIUM",
	}
)

// skip skips t because m is missing; detail says what was looked for. The
// message starts "SKIP(no NAME): " so that it can be found in -v output.
//
// Where the environment says the thing must be there (QIAN_REQUIRE_CHROMIUM=1
// for chromium: .ci/run sets it, having installed chromium), its absence is a
// failure, not a skip, so that a broken install cannot pass CI quietly.
func skip(t testing.TB, m missing, detail string) {
	t.Helper()
	if m.requireEnv != "" && os.Getenv(m.requireEnv) != "" {
		t.Fatalf("%s is set, but %s", m.requireEnv, message(m, detail))
	}
	if err := record(m, t.Name()); err != nil {
		t.Fatalf("record the skip in %s: %v", logEnv, err)
	}
	t.Skip(message(m, detail))
}

func message(m missing, detail string) string {
	return fmt.Sprintf("SKIP(no %s): %s; to run this test, %s", m.name, detail, m.hint)
}

// record appends one line for the skip to the file named by logEnv, if
// any. The line is written with one write on a file opened for appending,
// so lines from test processes running at once stay whole.
func record(m missing, test string) error {
	path := os.Getenv(logEnv)
	if path == "" {
		return nil
	}
	pkg, err := packageDir()
	if err != nil {
		return err
	}
	line := strings.Join([]string{m.name, m.tests, m.hint, pkg, test}, "\t") + "\n"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// packageDir is the test's package directory relative to the repository
// root: go test runs a package's tests in its directory.
func packageDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := RepositoryRoot()
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, wd)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}

// RepositoryRoot is the nearest directory at or above the working
// directory that holds go.mod: the repository's root for a test, which go
// test runs in its package's directory.
func RepositoryRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod at or above the working directory")
		}
		dir = parent
	}
}
