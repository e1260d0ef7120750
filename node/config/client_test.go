package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger/keyring"
)

func TestUnlockKey(t *testing.T) {
	clearEnv(t)
	t.Setenv(keyring.EnvPassphrase, "")
	os.Unsetenv(keyring.EnvPassphrase)
	dir := filepath.Join(t.TempDir(), "keyring")
	kr, _ := keyring.Open(dir, keyring.InsecureTestKDF())
	info, err := kr.Create("farm", []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{Node: DefaultNodeURL, Keyring: dir}
	if _, err := c.UnlockKey(nil); err == nil || !strings.Contains(err.Error(), "--key") {
		t.Fatalf("no key: %v", err)
	}
	c.Key = "nobody"
	if _, err := c.UnlockKey(nil); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("missing key: %v", err)
	}
	c.Key = "farm"
	if _, err := c.UnlockKey(nil); !errors.Is(err, keyring.ErrNoPassphrase) {
		t.Fatalf("no passphrase source: %v", err)
	}
	t.Setenv(keyring.EnvPassphrase, "wrong")
	if _, err := c.UnlockKey(nil); !errors.Is(err, keyring.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	pf := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(pf, []byte("pw\n"), 0o600)
	c.PassphraseFile = pf // the file wins over the wrong QIAN_PASSPHRASE
	k, err := c.UnlockKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if k.PublicKey() != info.PublicKey {
		t.Fatal("unlocked the wrong key")
	}
}

func TestLogger(t *testing.T) {
	var b bytes.Buffer
	Log{Format: "json", Level: "warn"}.NewLogger(&b).Info("hidden")
	Log{Format: "json", Level: "warn"}.NewLogger(&b).Warn("shown", "k", 1)
	if strings.Contains(b.String(), "hidden") || !strings.Contains(b.String(), `"msg":"shown"`) {
		t.Fatalf("json logger wrote %q", b.String())
	}
	b.Reset()
	Log{Format: "text", Level: "debug"}.NewLogger(&b).Debug("dbg")
	if !strings.Contains(b.String(), "msg=dbg") {
		t.Fatalf("text logger wrote %q", b.String())
	}
}
