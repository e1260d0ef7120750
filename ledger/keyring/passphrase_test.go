package keyring

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type fakePrompter struct {
	answers []string
	prompts []string
}

func (f *fakePrompter) ReadPassphrase(prompt string) ([]byte, error) {
	f.prompts = append(f.prompts, prompt)
	if len(f.answers) == 0 {
		return nil, errors.New("no more input")
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return []byte(a), nil
}

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestPassphraseSources(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fileLF := write("lf", "from-file\nsecond line\n")
	fileCRLF := write("crlf", "from-file\r\n")
	fileNoEOL := write("noeol", "from-file")
	fileEmpty := write("empty", "\n")
	fileSpaces := write("spaces", " spaced \n")

	cases := []struct {
		name    string
		src     PassphraseSource
		confirm bool
		want    string
		err     error
	}{
		{name: "file wins over env and prompt", src: PassphraseSource{File: fileLF, Env: "P", Getenv: env(map[string]string{"P": "from-env"}), Prompter: &fakePrompter{answers: []string{"typed"}}}, want: "from-file"},
		{name: "file with CRLF", src: PassphraseSource{File: fileCRLF}, want: "from-file"},
		{name: "file without line end", src: PassphraseSource{File: fileNoEOL}, want: "from-file"},
		{name: "file keeps inner spaces", src: PassphraseSource{File: fileSpaces}, want: " spaced "},
		{name: "empty file", src: PassphraseSource{File: fileEmpty, Env: "P", Getenv: env(map[string]string{"P": "x"})}, err: ErrNoPassphrase},
		{name: "missing file", src: PassphraseSource{File: filepath.Join(dir, "nope")}, err: os.ErrNotExist},
		{name: "env wins over prompt", src: PassphraseSource{Env: "P", Getenv: env(map[string]string{"P": "from-env"}), Prompter: &fakePrompter{answers: []string{"typed"}}}, want: "from-env"},
		{name: "empty env is an error, not a fall-through", src: PassphraseSource{Env: "P", Getenv: env(map[string]string{"P": ""}), Prompter: &fakePrompter{answers: []string{"typed"}}}, err: ErrNoPassphrase},
		{name: "prompt", src: PassphraseSource{Env: "P", Getenv: env(nil), Prompter: &fakePrompter{answers: []string{"typed"}}}, want: "typed"},
		{name: "prompt confirmed", src: PassphraseSource{Prompter: &fakePrompter{answers: []string{"typed", "typed"}}}, confirm: true, want: "typed"},
		{name: "prompt mismatch", src: PassphraseSource{Prompter: &fakePrompter{answers: []string{"typed", "typo"}}}, confirm: true, err: ErrNoPassphrase},
		{name: "prompt empty", src: PassphraseSource{Prompter: &fakePrompter{answers: []string{""}}}, err: ErrNoPassphrase},
		{name: "no source", src: PassphraseSource{Env: "P", Getenv: env(nil)}, err: ErrNoPassphrase},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.src.Get(c.confirm)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil || string(got) != c.want {
				t.Fatalf("Get = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestNoSourceErrorSaysWhatToDo(t *testing.T) {
	_, err := PassphraseSource{Env: EnvPassphrase, Getenv: env(nil), What: "export"}.Get(false)
	for _, s := range []string{"QIAN_PASSPHRASE", "passphrase file", "terminal", "export"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("error %v does not mention %q", err, s)
		}
	}
}

func TestTerminalPrompterNilWithoutTerminal(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if p := TerminalPrompter(f, os.Stderr); p != nil {
		t.Fatal("TerminalPrompter on /dev/null is not nil")
	}
	if p := TerminalPrompter(nil, os.Stderr); p != nil {
		t.Fatal("TerminalPrompter(nil) is not nil")
	}
}

// TestPassphraseFileOpenToOthersRefused: as ssh refuses a private key that
// others can read, a passphrase file with any group or other permission bit
// is refused with ErrInsecureMode and the chmod that fixes it, whichever
// source would come next; an owner-only file is read.
func TestPassphraseFileOpenToOthersRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(p, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o602, 0o620, 0o666} {
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		src := PassphraseSource{File: p, Env: "P", Getenv: env(map[string]string{"P": "from-env"})}
		got, err := src.Get(false)
		if !errors.Is(err, ErrInsecureMode) || !strings.Contains(err.Error(), "chmod 600 "+p) {
			t.Errorf("mode %04o: Get = %q, %v; want ErrInsecureMode with the chmod", mode, got, err)
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		if got, err := (PassphraseSource{File: p}).Get(false); err != nil || string(got) != "from-file" {
			t.Errorf("mode %04o: Get = %q, %v; want the file's passphrase", mode, got, err)
		}
	}
}
