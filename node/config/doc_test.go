package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOperationsDocListsEveryKey keeps the key table of docs/operations.md
// true: every key appears with its flag, environment variable and default.
func TestOperationsDocListsEveryKey(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatalf("read docs/operations.md: %v", err)
	}
	lines := strings.Split(string(b), "\n")
	for _, k := range Keys() {
		prefix := "| `" + k.Name + "` | `--" + k.Flag + "` | `" + k.Env + "` | "
		var row string
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				row = l
			}
		}
		if row == "" {
			t.Errorf("docs/operations.md has no row starting %q", prefix)
			continue
		}
		def := "`" + k.Default + "`"
		if k.Default == "" {
			def = "`\"\"`"
		}
		if !strings.Contains(row, def) {
			t.Errorf("row for %s lacks the default %s: %s", k.Name, def, row)
		}
	}
}
