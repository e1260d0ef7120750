package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinary builds qian and runs it as a user would, with the real key
// derivation cost: version, init, keys new/list, a missing and a wrong
// passphrase, a usage error and a bad environment value, with exit codes.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "qian")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tmp := t.TempDir()
	run := func(env []string, stdin string, args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append([]string{"HOME=" + tmp, "PATH=" + os.Getenv("PATH")}, env...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return 0, out.String(), errb.String()
		case errors.As(err, &ee):
			return ee.ExitCode(), out.String(), errb.String()
		}
		t.Fatal(err)
		return 0, "", ""
	}

	if code, out, _ := run(nil, "", "version"); code != 0 || !strings.HasPrefix(out, "qian ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, _, errs := run(nil, "", "frobnicate"); code != 2 || !strings.Contains(errs, "error (usage)") {
		t.Fatalf("unknown command: %d %q", code, errs)
	}

	home := filepath.Join(tmp, "home")
	// init seals the organisation's admin account: no passphrase, no home.
	if code, _, errs := run(nil, "", "init", "--home", home); code != 1 || !strings.Contains(errs, "error (no_passphrase)") {
		t.Fatalf("init without passphrase: %d %q", code, errs)
	}
	if code, out, errs := run([]string{"QIAN_PASSPHRASE=correct horse"}, "", "init", "--home", home); code != 0 || !strings.Contains(out, "genesis hash:") {
		t.Fatalf("init: %d %q %q", code, out, errs)
	}
	// Standard input is not a terminal: no passphrase source is an error, not a hang.
	if code, _, errs := run(nil, "", "--home", home, "keys", "new", "farm"); code != 1 || !strings.Contains(errs, "error (no_passphrase)") {
		t.Fatalf("keys new without passphrase: %d %q", code, errs)
	}
	pass := []string{"QIAN_PASSPHRASE=correct horse"}
	code, out, errs := run(pass, "", "--home", home, "keys", "new", "farm")
	if code != 0 || !strings.Contains(out, "created key farm in "+filepath.Join(home, "keyring")) {
		t.Fatalf("keys new: %d %q %q", code, out, errs)
	}
	if code, out, _ := run(nil, "", "--home", home, "keys", "list"); code != 0 || !strings.HasPrefix(out, "farm ") {
		t.Fatalf("keys list: %d %q", code, out)
	}
	wrong := []string{"QIAN_PASSPHRASE=wrong", "QIAN_EXPORT_PASSPHRASE=x"}
	if code, _, errs := run(wrong, "", "--home", home, "keys", "export", "farm"); code != 1 || !strings.Contains(errs, "error (wrong_passphrase)") {
		t.Fatalf("export with wrong passphrase: %d %q", code, errs)
	}

	// A bad environment value is named, with its variable.
	if code, _, errs := run([]string{"QIAN_HTTP_LISTEN=nonsense"}, "", "config", "--home", home); code != 1 || !strings.Contains(errs, "error (invalid_config)") || !strings.Contains(errs, "http.listen") {
		t.Fatalf("config with bad env: %d %q", code, errs)
	}
}
