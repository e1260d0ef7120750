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
	root, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(filepath.Dir(root), "shared", "fixtures", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		skip(t, sharedFixtures, "reference fixture "+rel+" not found at "+p)
	}
	return p
}
