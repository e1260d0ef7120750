package keyring

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

var pass = []byte("correct horse battery staple")

func newTestKeyring(t *testing.T) *Keyring {
	t.Helper()
	k, err := Open(filepath.Join(t.TempDir(), "keys"), InsecureTestKDF())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCreateUnlockRoundTrip(t *testing.T) {
	k := newTestKeyring(t)
	info, err := k.Create("farm", pass)
	if err != nil {
		t.Fatal(err)
	}
	key, err := k.Unlock("farm", pass)
	if err != nil {
		t.Fatal(err)
	}
	if key.PublicKey() != info.PublicKey {
		t.Fatalf("unlocked key %s, created %s", key.PublicKey(), info.PublicKey)
	}
	// The unlocked key signs, and its signature verifies under the listed key.
	msg := ledger.Sum([]byte("hello"))
	sig, err := key.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if !info.PublicKey.Verify(msg, sig) {
		t.Fatal("signature from unlocked key does not verify")
	}
	shown, err := k.Show("farm")
	if err != nil || shown != info {
		t.Fatalf("Show = %+v, %v; want %+v", shown, err, info)
	}
}

func TestAddKeepsGivenKey(t *testing.T) {
	k := newTestKeyring(t)
	want, _ := ledger.GenerateKey()
	if _, err := k.Add("a", want, pass); err != nil {
		t.Fatal(err)
	}
	got, err := k.Unlock("a", pass)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatal("unlocked secret differs from the one added")
	}
}

func TestFileAndDirectoryModes(t *testing.T) {
	k := newTestKeyring(t)
	if _, err := k.Create("farm", pass); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(k.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o700 {
		t.Errorf("keyring directory mode %04o, want 0700", m)
	}
	fi, err = os.Stat(filepath.Join(k.Dir(), "farm.json"))
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("key file mode %04o, want 0600", m)
	}
}

func TestWrongPassphrase(t *testing.T) {
	k := newTestKeyring(t)
	if _, err := k.Create("farm", pass); err != nil {
		t.Fatal(err)
	}
	_, err := k.Unlock("farm", []byte("wrong"))
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("err = %v, want ErrWrongPassphrase", err)
	}
	if !strings.Contains(err.Error(), `"farm"`) {
		t.Errorf("error %q does not name the key", err)
	}
}

func TestEmptyPassphraseRefused(t *testing.T) {
	k := newTestKeyring(t)
	if _, err := k.Create("farm", nil); !errors.Is(err, ErrNoPassphrase) {
		t.Fatalf("err = %v, want ErrNoPassphrase", err)
	}
}

func TestNeverOverwrites(t *testing.T) {
	k := newTestKeyring(t)
	first, err := k.Create("farm", pass)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Create("farm", pass); !errors.Is(err, ErrExists) {
		t.Fatalf("second Create: err = %v, want ErrExists", err)
	}
	again, _ := k.Show("farm")
	if again != first {
		t.Fatal("existing key changed")
	}
}

func TestNotFound(t *testing.T) {
	k := newTestKeyring(t)
	for _, f := range []func() error{
		func() error { _, err := k.Show("nobody"); return err },
		func() error { _, err := k.Unlock("nobody", pass); return err },
		func() error { return k.Delete("nobody") },
	} {
		if err := f(); !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	}
}

func TestNames(t *testing.T) {
	cases := []struct {
		name string
		ok   bool
	}{
		{"farm", true},
		{"data_exchange", true},
		{"node-0", true},
		{"0abc", true},
		{strings.Repeat("a", MaxNameLen), true},
		{"", false},
		{strings.Repeat("a", MaxNameLen+1), false},
		{"Farm", false},
		{"_farm", false},
		{"-farm", false},
		{"../etc", false},
		{"a/b", false},
		{"a.b", false},
		{".hidden", false},
		{"茶园", false},
		{"a b", false},
	}
	k := newTestKeyring(t)
	for _, c := range cases {
		err := ValidateName(c.name)
		if (err == nil) != c.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", c.name, err, c.ok)
		}
		if !c.ok {
			if !errors.Is(err, ErrInvalidName) {
				t.Errorf("ValidateName(%q) = %v, want ErrInvalidName", c.name, err)
			}
			if _, err := k.Create(c.name, pass); !errors.Is(err, ErrInvalidName) {
				t.Errorf("Create(%q) = %v, want ErrInvalidName", c.name, err)
			}
		}
	}
}

func TestListSortedAndIgnoresOtherFiles(t *testing.T) {
	k := newTestKeyring(t)
	if l, err := k.List(); err != nil || len(l) != 0 {
		t.Fatalf("List of absent keyring = %v, %v; want empty", l, err)
	}
	for _, n := range []string{"retailer", "farm", "inspector"} {
		if _, err := k.Create(n, pass); err != nil {
			t.Fatal(err)
		}
	}
	// Temporary and foreign files are not keys.
	for _, f := range []string{".tmp-x.json-123", "README", "Bad.json"} {
		if err := os.WriteFile(filepath.Join(k.Dir(), f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l, err := k.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range l {
		names = append(names, i.Name)
	}
	if got := strings.Join(names, ","); got != "farm,inspector,retailer" {
		t.Fatalf("List = %s", got)
	}
}

func TestDelete(t *testing.T) {
	k := newTestKeyring(t)
	if _, err := k.Create("farm", pass); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("farm"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Show("farm"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
	// A corrupted key can still be deleted.
	if _, err := k.Create("broken", pass); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(k.Dir(), "broken.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("broken"); err != nil {
		t.Fatalf("Delete corrupt: %v", err)
	}
}

func TestInsecureFileMode(t *testing.T) {
	k := newTestKeyring(t)
	if _, err := k.Create("farm", pass); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(k.Dir(), "farm.json")
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o666} {
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		for op, f := range map[string]func() error{
			"Unlock": func() error { _, err := k.Unlock("farm", pass); return err },
			"Show":   func() error { _, err := k.Show("farm"); return err },
			"List":   func() error { _, err := k.List(); return err },
		} {
			err := f()
			if !errors.Is(err, ErrInsecureMode) {
				t.Errorf("mode %04o %s: err = %v, want ErrInsecureMode", mode, op, err)
			} else if !strings.Contains(err.Error(), "chmod 600") {
				t.Errorf("mode %04o: error %q does not say how to fix it", mode, err)
			}
		}
	}
	if err := os.Chmod(p, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Unlock("farm", pass); err != nil {
		t.Errorf("mode 0400 should be accepted: %v", err)
	}
}

func TestInsecureDirectoryMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	_, err := Open(dir, InsecureTestKDF())
	if !errors.Is(err, ErrInsecureMode) || !strings.Contains(err.Error(), "chmod 700") {
		t.Fatalf("err = %v, want ErrInsecureMode with a fix", err)
	}
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, nil, 0o600)
	if _, err := Open(notDir); err == nil {
		t.Fatal("Open of a regular file succeeded")
	}
	if _, err := Open(""); err == nil {
		t.Fatal("Open of empty path succeeded")
	}
}

// corrupt rewrites farm.json after applying edit to its parsed JSON.
func corrupt(t *testing.T, k *Keyring, edit func(m map[string]any)) {
	t.Helper()
	p := filepath.Join(k.Dir(), "farm.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, _ = json.Marshal(m)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func flipHex(s string) string {
	c := "0"
	if s[0] == '0' {
		c = "1"
	}
	return c + s[1:]
}

func TestCorruptedFiles(t *testing.T) {
	other, _ := ledger.GenerateKey()
	cases := []struct {
		name string
		edit func(m map[string]any)
		raw  []byte // replaces the file when set
		want error
		says string
	}{
		{name: "flipped ciphertext", edit: func(m map[string]any) { m["ciphertext"] = flipHex(m["ciphertext"].(string)) }, want: ErrCorrupt, says: "authentication"},
		{name: "swapped public key", edit: func(m map[string]any) { m["public_key"] = other.PublicKey().String() }, want: ErrCorrupt, says: "authentication"},
		{name: "flipped nonce", edit: func(m map[string]any) {
			m["cipher"].(map[string]any)["nonce"] = flipHex(m["cipher"].(map[string]any)["nonce"].(string))
		}, want: ErrCorrupt},
		{name: "short ciphertext", edit: func(m map[string]any) { m["ciphertext"] = m["ciphertext"].(string)[:90] }, want: ErrCorrupt, says: "ciphertext"},
		{name: "upper-case hex", edit: func(m map[string]any) { m["check"] = strings.ToUpper(m["check"].(string)) }, want: ErrCorrupt, says: "check"},
		{name: "bad public key", edit: func(m map[string]any) { m["public_key"] = strings.Repeat("f", 64) }, want: ErrCorrupt, says: "public_key"},
		{name: "unknown field", edit: func(m map[string]any) { m["extra"] = 1 }, want: ErrCorrupt, says: "extra"},
		{name: "future version", edit: func(m map[string]any) { m["version"] = 2 }, want: ErrCorrupt, says: "version 2"},
		{name: "wrong format", edit: func(m map[string]any) { m["format"] = "x" }, want: ErrCorrupt, says: "format"},
		{name: "other kdf", edit: func(m map[string]any) { m["kdf"].(map[string]any)["name"] = "pbkdf2" }, want: ErrCorrupt, says: "kdf.name"},
		{name: "other cipher", edit: func(m map[string]any) { m["cipher"].(map[string]any)["name"] = "aes-gcm" }, want: ErrCorrupt, says: "cipher.name"},
		{name: "huge scrypt n", edit: func(m map[string]any) { m["kdf"].(map[string]any)["n"] = 1 << 30 }, want: ErrCorrupt, says: "scrypt n"},
		{name: "scrypt n not a power of two", edit: func(m map[string]any) { m["kdf"].(map[string]any)["n"] = 1000 }, want: ErrCorrupt, says: "power of two"},
		{name: "scrypt r zero", edit: func(m map[string]any) { m["kdf"].(map[string]any)["r"] = 0 }, want: ErrCorrupt, says: "scrypt r"},
		// Changing what feeds scrypt changes the derived check value: the
		// file then reads as locked by another passphrase.
		{name: "altered salt", edit: func(m map[string]any) {
			m["kdf"].(map[string]any)["salt"] = flipHex(m["kdf"].(map[string]any)["salt"].(string))
		}, want: ErrWrongPassphrase},
		{name: "truncated", raw: []byte(`{"format":"qian-keyring-key","vers`), want: ErrCorrupt},
		{name: "empty", raw: []byte{}, want: ErrCorrupt},
		{name: "trailing data", raw: nil, want: ErrCorrupt, says: "after"},
		{name: "not json", raw: []byte("\x00\x01\x02"), want: ErrCorrupt},
		{name: "too large", raw: bytes.Repeat([]byte(" "), maxFileBytes+1), want: ErrCorrupt, says: "bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := newTestKeyring(t)
			if _, err := k.Create("farm", pass); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(k.Dir(), "farm.json")
			switch {
			case c.edit != nil:
				corrupt(t, k, c.edit)
			case c.name == "trailing data":
				b, _ := os.ReadFile(p)
				os.WriteFile(p, append(b, []byte(`{}`)...), 0o600)
			default:
				os.WriteFile(p, c.raw, 0o600)
			}
			_, err := k.Unlock("farm", pass)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if c.says != "" && !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not mention %q", err, c.says)
			}
		})
	}
}

func TestExportImport(t *testing.T) {
	src := newTestKeyring(t)
	info, err := src.Create("farm", pass)
	if err != nil {
		t.Fatal(err)
	}
	exportPass := []byte("export secret")
	armor, err := src.Export("farm", pass, exportPass)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(armor, []byte("-----BEGIN QIAN ENCRYPTED PRIVATE KEY-----\n")) {
		t.Fatalf("armor does not start with its header:\n%s", armor)
	}
	if bytes.Contains(armor, pass) || bytes.Contains(armor, exportPass) {
		t.Fatal("armor contains a passphrase")
	}
	if _, err := src.Export("farm", []byte("wrong"), exportPass); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("export with wrong keyring passphrase: %v", err)
	}

	dst := newTestKeyring(t)
	newPass := []byte("new keyring passphrase")
	if _, err := dst.Import("farm2", armor, []byte("wrong"), newPass); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("import with wrong export passphrase: %v", err)
	}
	got, err := dst.Import("farm2", armor, exportPass, newPass)
	if err != nil {
		t.Fatal(err)
	}
	if got.PublicKey != info.PublicKey || got.Name != "farm2" {
		t.Fatalf("imported %+v, exported %+v", got, info)
	}
	if _, err := dst.Unlock("farm2", newPass); err != nil {
		t.Fatalf("unlock imported key with new passphrase: %v", err)
	}
	if _, err := dst.Import("farm2", armor, exportPass, newPass); !errors.Is(err, ErrExists) {
		t.Fatalf("second import: %v", err)
	}
	if _, err := dst.Import("Bad Name", armor, exportPass, newPass); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("import bad name: %v", err)
	}
}

// A key file's sealed secret cannot be imported as an armor: the two are
// sealed under different domains.
func TestArmorDomainSeparation(t *testing.T) {
	k := newTestKeyring(t)
	if _, err := k.Create("farm", pass); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(k.Dir(), "farm.json"))
	s, err := parseFile(b)
	if err != nil {
		t.Fatal(err)
	}
	forged := marshalArmor(s)
	if _, err := k.Import("farm2", forged, pass, pass); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("key file re-wrapped as armor: err = %v, want ErrCorrupt", err)
	}
}

func TestCorruptedArmor(t *testing.T) {
	k := newTestKeyring(t)
	if _, err := k.Create("farm", pass); err != nil {
		t.Fatal(err)
	}
	armor, err := k.Export("farm", pass, pass)
	if err != nil {
		t.Fatal(err)
	}
	replace := func(old, new string) []byte {
		if !bytes.Contains(armor, []byte(old)) {
			t.Fatalf("armor lacks %q", old)
		}
		return bytes.Replace(armor, []byte(old), []byte(new), 1)
	}
	cases := map[string][]byte{
		"empty":          nil,
		"garbage":        []byte("hello"),
		"leading text":   append([]byte("junk\n"), armor...),
		"trailing text":  append(append([]byte{}, armor...), []byte("junk\n")...),
		"other type":     replace("QIAN ENCRYPTED PRIVATE KEY-----\nCheck", "RSA PRIVATE KEY-----\nCheck"),
		"version 2":      replace("Version: 1", "Version: 2"),
		"other kdf":      replace("Kdf: scrypt", "Kdf: argon2"),
		"bad kdf params": replace("n=1024,r=8,p=1", "n=1024,r=8"),
		"leading zero":   replace("n=1024,", "n=01024,"),
		"huge n":         replace("n=1024,", "n=1073741824,"),
		"extra header":   replace("Version: 1", "Version: 1\nComment: hi"),
		"missing header": replace("Cipher: xchacha20-poly1305\n", ""),
		"bad body":       append(bytes.Split(armor, []byte("\n\n"))[0], []byte("\n\nAAAA\n-----END QIAN ENCRYPTED PRIVATE KEY-----\n")...),
		"too large":      bytes.Repeat([]byte("a"), maxArmorBytes+1),
	}
	for name, b := range cases {
		if _, err := k.Import("x", b, pass, pass); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
}
