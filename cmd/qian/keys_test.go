package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger/keyring"
)

func TestKeysLifecycle(t *testing.T) {
	isolate(t)
	kr := filepath.Join(t.TempDir(), "kr")
	t.Setenv(keyring.EnvPassphrase, "pw")

	r := runQian(t, "", nil, "keys", "--keyring", kr, "new", "farm")
	r.want(t, 0, "created key farm", "public key: ")
	pub := strings.TrimSpace(strings.SplitAfter(r.stdout, "public key: ")[1])

	runQian(t, "", nil, "keys", "--keyring", kr, "new", "farm").wantErr(t, 1, "key_exists")
	runQian(t, "", nil, "keys", "--keyring", kr, "new", "Bad/Name").wantErr(t, 1, "invalid_key_name")
	runQian(t, "", nil, "keys", "--keyring", kr, "new", "retailer").want(t, 0)

	r = runQian(t, "", nil, "keys", "--keyring", kr, "list")
	r.want(t, 0, "farm", pub, "retailer")
	if strings.Index(r.stdout, "farm") > strings.Index(r.stdout, "retailer") {
		t.Fatal("list is not sorted")
	}
	r = runQian(t, "", nil, "keys", "--keyring", kr, "show", "farm")
	r.want(t, 0)
	if strings.TrimSpace(r.stdout) != pub {
		t.Fatalf("show printed %q, want %s", r.stdout, pub)
	}
	r = runQian(t, "", nil, "keys", "--keyring", kr, "show", "farm", "--json")
	var info struct{ Name, Public_Key string }
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || info.Name != "farm" || info.Public_Key != pub {
		t.Fatalf("show --json = %q (%v)", r.stdout, err)
	}
	runQian(t, "", nil, "keys", "--keyring", kr, "show", "nobody").wantErr(t, 1, "key_not_found")

	// Export needs the export passphrase too; wrong keyring passphrase fails first.
	out := filepath.Join(t.TempDir(), "farm.armor")
	t.Setenv(keyring.EnvPassphrase, "wrong")
	runQian(t, "", nil, "keys", "--keyring", kr, "export", "farm", "--out", out).wantErr(t, 1, "wrong_passphrase")
	t.Setenv(keyring.EnvPassphrase, "pw")
	runQian(t, "", nil, "keys", "--keyring", kr, "export", "farm", "--out", out).wantErr(t, 1, "no_passphrase", envExportPassphrase)
	t.Setenv(envExportPassphrase, "xp")
	runQian(t, "", nil, "keys", "--keyring", kr, "export", "farm", "--out", out).want(t, 0)
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v", err)
	}
	runQian(t, "", nil, "keys", "--keyring", kr, "export", "farm", "--out", out).wantErr(t, 1, "failed", "exists")
	r = runQian(t, "", nil, "keys", "--keyring", kr, "export", "farm")
	r.want(t, 0, "-----BEGIN QIAN ENCRYPTED PRIVATE KEY-----")

	// Import into another keyring, from a file and from stdin.
	kr2 := filepath.Join(t.TempDir(), "kr2")
	t.Setenv(envExportPassphrase, "not it")
	runQian(t, "", nil, "keys", "--keyring", kr2, "import", "farm", out).wantErr(t, 1, "wrong_passphrase")
	t.Setenv(envExportPassphrase, "xp")
	runQian(t, "", nil, "keys", "--keyring", kr2, "import", "farm", out).want(t, 0, "imported key farm", pub)
	runQian(t, r.stdout, nil, "keys", "--keyring", kr2, "import", "farm2", "-").want(t, 0, pub)
	runQian(t, "garbage", nil, "keys", "--keyring", kr2, "import", "farm3", "-").wantErr(t, 1, "corrupt_key_file")
	runQian(t, "", nil, "keys", "--keyring", kr2, "import", "farm4", filepath.Join(t.TempDir(), "none")).wantErr(t, 1, "failed", "no such file")

	// Delete: refused without --yes and without a terminal.
	runQian(t, "", nil, "keys", "--keyring", kr, "delete", "farm").wantErr(t, 2, "usage", "--yes")
	runQian(t, "n\n", &fakeTerminal{}, "keys", "--keyring", kr, "delete", "farm").wantErr(t, 1, "failed", "not deleted")
	runQian(t, "y\n", &fakeTerminal{}, "keys", "--keyring", kr, "delete", "farm").want(t, 0, "deleted key farm")
	runQian(t, "", nil, "keys", "--keyring", kr, "delete", "retailer", "--yes").want(t, 0)
	r = runQian(t, "", nil, "keys", "--keyring", kr, "list")
	r.want(t, 0)
	if r.stdout != "" || !strings.Contains(r.stderr, "no keys") {
		t.Fatalf("list after deletes: %q %q", r.stdout, r.stderr)
	}
}

func TestKeysPassphraseSources(t *testing.T) {
	isolate(t)
	kr := filepath.Join(t.TempDir(), "kr")
	// No source at all: a clear refusal.
	runQian(t, "", nil, "keys", "--keyring", kr, "new", "farm").wantErr(t, 1, "no_passphrase", "QIAN_PASSPHRASE", "terminal")
	// Terminal: asked twice for a new key; a mismatch is refused.
	term := &fakeTerminal{answers: []string{"a", "b"}}
	runQian(t, "", term, "keys", "--keyring", kr, "new", "farm").wantErr(t, 1, "no_passphrase", "differ")
	term = &fakeTerminal{answers: []string{"tty", "tty"}}
	runQian(t, "", term, "keys", "--keyring", kr, "new", "farm").want(t, 0)
	if len(term.prompts) != 2 {
		t.Fatalf("prompts %v", term.prompts)
	}
	// A passphrase file beats QIAN_PASSPHRASE.
	pf := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(pf, []byte("tty\n"), 0o600)
	t.Setenv(keyring.EnvPassphrase, "wrong")
	out := filepath.Join(t.TempDir(), "a")
	t.Setenv(envExportPassphrase, "x")
	runQian(t, "", nil, "keys", "--keyring", kr, "--passphrase-file", pf, "export", "farm", "--out", out).want(t, 0)
	runQian(t, "", nil, "keys", "--keyring", kr, "export", "farm").wantErr(t, 1, "wrong_passphrase")
	// A passphrase file the group or others can read is refused, as ssh
	// refuses such a key, with the fix; nothing is written.
	os.Chmod(pf, 0o644)
	out2 := filepath.Join(t.TempDir(), "b")
	runQian(t, "", nil, "keys", "--keyring", kr, "--passphrase-file", pf, "export", "farm", "--out", out2).wantErr(t, 1, "insecure_file_mode", "chmod 600 "+pf)
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Fatalf("export written despite the refused passphrase file: %v", err)
	}
}

// The keyring comes from --keyring, else QIAN_KEYRING, else the home's
// config.toml, else HOME/keyring.
func TestKeysKeyringResolution(t *testing.T) {
	isolate(t)
	t.Setenv(keyring.EnvPassphrase, "pw")
	home := t.TempDir()
	fromFile := filepath.Join(t.TempDir(), "file")
	os.WriteFile(filepath.Join(home, "config.toml"), []byte("[client]\nkeyring = \""+fromFile+"\"\n"), 0o644)
	fromEnv := filepath.Join(t.TempDir(), "env")
	fromFlag := filepath.Join(t.TempDir(), "flag")

	runQian(t, "", nil, "--home", home, "keys", "new", "a").want(t, 0, fromFile)
	t.Setenv("QIAN_KEYRING", fromEnv)
	runQian(t, "", nil, "--home", home, "keys", "new", "b").want(t, 0, fromEnv)
	runQian(t, "", nil, "--home", home, "keys", "--keyring", fromFlag, "new", "c").want(t, 0, fromFlag)
	os.Unsetenv("QIAN_KEYRING")
	bare := t.TempDir()
	runQian(t, "", nil, "--home", bare, "keys", "new", "d").want(t, 0, filepath.Join(bare, "keyring"))
}

func TestKeysBadFiles(t *testing.T) {
	isolate(t)
	t.Setenv(keyring.EnvPassphrase, "pw")
	kr := filepath.Join(t.TempDir(), "kr")
	runQian(t, "", nil, "keys", "--keyring", kr, "new", "farm").want(t, 0)
	p := filepath.Join(kr, "farm.json")
	os.Chmod(p, 0o644)
	runQian(t, "", nil, "keys", "--keyring", kr, "list").wantErr(t, 1, "insecure_file_mode", "chmod 600")
	os.Chmod(p, 0o600)
	os.WriteFile(p, []byte(`{"format":`), 0o600)
	runQian(t, "", nil, "keys", "--keyring", kr, "show", "farm").wantErr(t, 1, "corrupt_key_file", "farm")
	runQian(t, "", nil, "keys", "--keyring", kr, "delete", "farm", "--yes").want(t, 0)
	os.Chmod(kr, 0o755)
	runQian(t, "", nil, "keys", "--keyring", kr, "list").wantErr(t, 1, "insecure_file_mode", "chmod 700")
}
