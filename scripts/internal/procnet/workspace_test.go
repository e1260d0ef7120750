package procnet

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLogger(t *testing.T) {
	var out bytes.Buffer
	Logger(&out, time.Now().Add(-1500*time.Millisecond))("height %d", 7)
	m := regexp.MustCompile(`^\[ *(\d+\.\d)s \d\d:\d\d:\d\d\.\d\] height 7\n$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("logged %q, want the seconds since the start, the time of day and the line", out.String())
	}
	if secs, _ := strconv.ParseFloat(m[1], 64); secs < 1.5 {
		t.Fatalf("logged %q, want the seconds since the start (at least 1.5), the time of day and the line", out.String())
	}
}

// A workspace the run made is removed after a clean run, unless kept; one
// the caller named, or any after a run that went wrong, stays, and the run
// says where its logs are. The summary is written as JSON when asked.
func TestWorkspaceFinish(t *testing.T) {
	type sum struct{ Missed []string }
	cases := []struct {
		name        string
		named, keep bool
		clean       bool
		removed     bool
	}{
		{"temporary, clean", false, false, true, true},
		{"temporary, clean, kept", false, true, true, false},
		{"temporary, something wrong", false, false, false, false},
		{"named, clean", true, false, true, false},
	}
	for _, c := range cases {
		dir := ""
		if c.named {
			dir = filepath.Join(t.TempDir(), "work")
		}
		var logged []string
		ws, err := OpenWorkspace(dir, "procnet-test-", func(f string, a ...any) { logged = append(logged, f) })
		if err != nil {
			t.Fatal(err)
		}
		if c.named && ws.Dir != dir || len(logged) != 1 {
			t.Fatalf("%s: workspace %s, logged %q", c.name, ws.Dir, logged)
		}
		if _, err := os.Stat(ws.Dir); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		jsonPath := filepath.Join(t.TempDir(), "summary.json")
		var out bytes.Buffer
		if err := ws.Finish(&out, sum{Missed: []string{"p99"}}, jsonPath, c.clean, c.keep); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(jsonPath); err != nil || string(b) != "{\n  \"Missed\": [\n    \"p99\"\n  ]\n}\n" {
			t.Errorf("%s: summary %q (%v)", c.name, b, err)
		}
		_, err = os.Stat(ws.Dir)
		if removed := os.IsNotExist(err); removed != c.removed {
			t.Errorf("%s: removed %v, want %v", c.name, removed, c.removed)
		}
		if said := strings.Contains(out.String(), filepath.Join(ws.Dir, "net")); said == c.removed {
			t.Errorf("%s: said %q", c.name, out.String())
		}
		os.RemoveAll(ws.Dir)
	}
	ws := &Workspace{Dir: t.TempDir()}
	if err := ws.Finish(&bytes.Buffer{}, 1, filepath.Join(ws.Dir, "no", "such", "dir"), true, false); err == nil {
		t.Error("a summary that cannot be written is no error")
	}
}
