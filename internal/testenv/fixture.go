package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// Fixture returns the path of rel (slash-separated; a file or a directory)
// in ../shared/fixtures beside the repository, or skips t when it is not
// there.
func Fixture(t testing.TB, rel string) string {
	t.Helper()
	root, err := RepositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(filepath.Dir(root), "shared", "fixtures", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		skip(t, sharedFixtures, "reference fixture "+rel+" not found at "+p)
	}
	return p
}

// FixtureIfPresent is Fixture for a test that still runs without the file,
// checking less: when rel is absent it logs why, records the part of the
// test that did not run (its name followed by " (part)") in the skip log
// as Fixture would, and returns false.
func FixtureIfPresent(t testing.TB, rel, part string) (string, bool) {
	t.Helper()
	root, err := RepositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(filepath.Dir(root), "shared", "fixtures", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		if err := record(sharedFixtures, t.Name()+" ("+part+")"); err != nil {
			t.Fatalf("record the skip in %s: %v", logEnv, err)
		}
		t.Log(message(sharedFixtures, "reference fixture "+rel+" not found at "+p+": "+part+" not checked"))
		return "", false
	}
	return p, true
}
