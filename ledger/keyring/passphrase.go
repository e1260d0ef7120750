package keyring

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// EnvPassphrase is the environment variable that holds the keyring
// passphrase for unattended use.
const EnvPassphrase = "QIAN_PASSPHRASE"

// maxPassphraseFile bounds what is read from a passphrase file.
const maxPassphraseFile = 64 << 10

// Prompter reads a passphrase without echo, as a terminal does.
type Prompter interface {
	ReadPassphrase(prompt string) ([]byte, error)
}

// PassphraseSource says where a passphrase comes from. Get tries, in order:
// File (a --passphrase-file flag), the environment variable Env, then
// Prompter. The first source that is set wins, and a set source that is
// empty is an error rather than a fall-through, so a typo never silently
// leads to a different passphrase.
type PassphraseSource struct {
	File     string                      // path of a file whose first line is the passphrase; "" for none
	Env      string                      // environment variable name, usually EnvPassphrase; "" for none
	Getenv   func(string) (string, bool) // nil means os.LookupEnv
	Prompter Prompter                    // nil when there is no terminal
	What     string                      // what the passphrase is for, in prompts and errors: "keyring", "export"
}

// Get returns the passphrase. When it comes from the terminal and confirm
// is set (a new key is being sealed), it is asked for twice and the two
// entries must match.
func (s PassphraseSource) Get(confirm bool) ([]byte, error) {
	what := s.What
	if what == "" {
		what = "keyring"
	}
	if s.File != "" {
		p, err := readPassphraseFile(s.File)
		if err != nil {
			return nil, fmt.Errorf("%s passphrase: %w", what, err)
		}
		return p, nil
	}
	if s.Env != "" {
		getenv := s.Getenv
		if getenv == nil {
			getenv = os.LookupEnv
		}
		if v, ok := getenv(s.Env); ok {
			if v == "" {
				return nil, fmt.Errorf("%w: %s is set but empty", ErrNoPassphrase, s.Env)
			}
			return []byte(v), nil
		}
	}
	if s.Prompter == nil {
		var env string
		if s.Env != "" {
			env = "set " + s.Env + ", "
		}
		return nil, fmt.Errorf("%w: %s passphrase needed: %suse a passphrase file, or run in a terminal", ErrNoPassphrase, what, env)
	}
	p, err := s.Prompter.ReadPassphrase(fmt.Sprintf("Enter %s passphrase: ", what))
	if err != nil {
		return nil, fmt.Errorf("read %s passphrase: %w", what, err)
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("%w: the %s passphrase is empty", ErrNoPassphrase, what)
	}
	if confirm {
		again, err := s.Prompter.ReadPassphrase(fmt.Sprintf("Repeat %s passphrase: ", what))
		if err != nil {
			return nil, fmt.Errorf("read %s passphrase: %w", what, err)
		}
		if !bytes.Equal(p, again) {
			return nil, fmt.Errorf("%w: the two %s passphrases differ", ErrNoPassphrase, what)
		}
	}
	return p, nil
}

// readPassphraseFile returns the first line of path, without its line end.
// Like ssh with a private key, it refuses a file that the group or others
// may read or write (ErrInsecureMode): a passphrase anyone on the machine
// can read protects nothing, and saying so beats using it quietly. The mode
// is checked on the open descriptor, before anything is read; a pipe
// (--passphrase-file <(...)) passes, as pipes are created with mode 0600.
func readPassphraseFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return nil, fmt.Errorf("%w: passphrase file %s has mode %04o, which lets the group or others read it; run: chmod 600 %s", ErrInsecureMode, path, m, path)
	}
	line, err := bufio.NewReaderSize(io.LimitReader(f, maxPassphraseFile), 4096).ReadSlice('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%s: first line is longer than 4096 bytes", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
	if len(line) == 0 {
		return nil, fmt.Errorf("%w: passphrase file %s is empty", ErrNoPassphrase, path)
	}
	return append([]byte(nil), line...), nil
}

// terminalPrompter prompts on out and reads without echo from a terminal.
type terminalPrompter struct {
	fd  int
	out io.Writer
}

func (t terminalPrompter) ReadPassphrase(prompt string) ([]byte, error) {
	fmt.Fprint(t.out, prompt)
	p, err := term.ReadPassword(t.fd)
	fmt.Fprintln(t.out)
	return p, err
}

// TerminalPrompter returns a Prompter reading from in when in is a
// terminal, writing prompts to out (usually standard error), or nil when in
// is not a terminal (a pipe, a file, CI), so that a command never waits for
// a passphrase nobody can type.
func TerminalPrompter(in *os.File, out io.Writer) Prompter {
	if in == nil || !term.IsTerminal(int(in.Fd())) {
		return nil
	}
	return terminalPrompter{fd: int(in.Fd()), out: out}
}
