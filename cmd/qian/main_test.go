package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
)

// result is one in-process run of the command line.
type result struct {
	code           int
	stdout, stderr string
}

// fakeTerminal answers prompts from a list and records them.
type fakeTerminal struct {
	answers []string
	prompts []string
}

func (f *fakeTerminal) ReadPassphrase(prompt string) ([]byte, error) {
	f.prompts = append(f.prompts, prompt)
	if len(f.answers) == 0 {
		return nil, os.ErrClosed
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return []byte(a), nil
}

// runQian runs qian in-process with fast key derivation, no terminal
// unless term is given, and stdin.
func runQian(t *testing.T, stdin string, term keyring.Prompter, argv ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, prompter: term,
		keyringOpts: []keyring.Option{keyring.InsecureTestKDF()}}
	code := run(argv, e)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// isolate clears every QIAN_* variable and points HOME at a temporary
// directory, so that no ~/.qian of the machine leaks in.
func isolate(t *testing.T) {
	t.Helper()
	for _, k := range config.Keys() {
		t.Setenv(k.Env, "")
		os.Unsetenv(k.Env)
	}
	for _, v := range []string{config.EnvHome, keyring.EnvPassphrase, envExportPassphrase} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	t.Setenv("HOME", t.TempDir())
}

func (r result) want(t *testing.T, code int, stdoutHas ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range stdoutHas {
		if !strings.Contains(r.stdout, s) {
			t.Fatalf("stdout lacks %q:\n%s", s, r.stdout)
		}
	}
}

func (r result) wantErr(t *testing.T, code int, errCode string, stderrHas ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	if !strings.HasPrefix(r.stderr, "error ("+errCode+"): ") && !strings.Contains(r.stderr, "\nerror ("+errCode+"): ") &&
		!strings.Contains(r.stderr, "] error ("+errCode+"): ") {
		t.Fatalf("stderr has no line error (%s):\n%s", errCode, r.stderr)
	}
	for _, s := range stderrHas {
		if !strings.Contains(r.stderr, s) {
			t.Fatalf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	isolate(t)
	r := runQian(t, "", nil, "version")
	r.want(t, 0, "qian ", "go1.")
	runQian(t, "", nil, "version", "extra").wantErr(t, 2, "usage")
}

func TestUsageErrors(t *testing.T) {
	isolate(t)
	runQian(t, "", nil, "bogus").wantErr(t, 2, "usage", "unknown command")
	runQian(t, "", nil, "keys", "list", "--nope").wantErr(t, 2, "usage", "unknown flag")
	runQian(t, "", nil, "keys", "show").wantErr(t, 2, "usage", "NAME")
	runQian(t, "", nil, "keys", "import", "a").wantErr(t, 2, "usage", "NAME and FILE")
	runQian(t, "", nil, "testnet").wantErr(t, 2, "usage", "--out")
	runQian(t, "", nil, "testnet", "--out", t.TempDir(), "--validators", "x").wantErr(t, 2, "usage", "validators")
	r := runQian(t, "", nil)
	r.want(t, 0, "Usage:")
}

// TestHelpNamesEveryCommand: qian --help says what the binary does today,
// naming every command it has, so the summary cannot fall behind them.
func TestHelpNamesEveryCommand(t *testing.T) {
	isolate(t)
	r := runQian(t, "", nil, "--help")
	if r.code != 0 {
		t.Fatalf("--help exits %d: %s", r.code, r.stderr)
	}
	root := newRootCmd(&env{})
	intro, _, _ := strings.Cut(r.stdout, "Usage:")
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			continue
		}
		if !strings.Contains(intro, " "+c.Name()+" ") && !strings.Contains(intro, " "+c.Name()+",") && !strings.Contains(intro, " "+c.Name()+"\n") {
			t.Errorf("qian --help's description does not name the %s command", c.Name())
		}
	}
	if strings.Contains(r.stdout, "as the project grows") {
		t.Error("qian --help still describes the binary as unfinished")
	}
}
