// Package transcript runs scenario tests written as transcripts: a file of
// commands, each followed by the output it must produce, in the style of
// cockroachdb/datadriven (which etcd-io/raft uses) but small enough to read
// in one sitting.
//
// A transcript file is a sequence of blocks:
//
//	# comment lines and blank lines are kept as they are
//	command arg key=value ...
//	----
//	expected output, any number of lines
//	<blank line>
//
// The test supplies a handler that runs one command and returns its output.
// Run with -rewrite (go test ./consensus -run Transcript -rewrite) to write
// the actual output into the files instead of comparing; review the diff.
package transcript

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite transcript files with the actual output")

// Command is one parsed command line.
type Command struct {
	Name string
	Pos  []string          // positional arguments
	Args map[string]string // key=value arguments
	Line int               // line number in the file, for messages
}

// Arg returns the value of key, or def when absent.
func (c *Command) Arg(key, def string) string {
	if v, ok := c.Args[key]; ok {
		return v
	}
	return def
}

// Run runs every command of the file at path through handle.
func Run(t *testing.T, path string, handle func(t *testing.T, c *Command) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	var out strings.Builder
	for i := 0; i < len(lines); {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			out.WriteString(line + "\n")
			i++
			continue
		}
		cmd := parse(trimmed, i+1)
		i++
		if i >= len(lines) || lines[i] != "----" {
			t.Fatalf("%s:%d: command %q must be followed by a ---- line", path, cmd.Line, trimmed)
		}
		i++
		var want []string
		for i < len(lines) && lines[i] != "" {
			want = append(want, lines[i])
			i++
		}
		got := strings.TrimRight(handle(t, cmd), "\n")
		out.WriteString(trimmed + "\n----\n")
		if got != "" {
			out.WriteString(got + "\n")
		}
		out.WriteString("\n")
		if !*rewrite && got != strings.Join(want, "\n") {
			t.Errorf("%s:%d: %s\n--- want\n%s\n--- got\n%s", path, cmd.Line, trimmed, strings.Join(want, "\n"), got)
		}
		for i < len(lines) && lines[i] == "" {
			i++
		}
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(strings.TrimRight(out.String(), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func parse(s string, line int) *Command {
	f := strings.Fields(s)
	c := &Command{Name: f[0], Args: map[string]string{}, Line: line}
	for _, a := range f[1:] {
		if k, v, ok := strings.Cut(a, "="); ok {
			c.Args[k] = v
		} else {
			c.Pos = append(c.Pos, a)
		}
	}
	return c
}

// Fatalf reports a malformed command.
func (c *Command) Fatalf(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Fatalf("line %d: %s: %s", c.Line, c.Name, fmt.Sprintf(format, args...))
}
