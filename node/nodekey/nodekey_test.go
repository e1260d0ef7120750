package nodekey

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

func TestNodeKeyRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "home", "keys", "node.key")
	sk, id, err := GenerateNodeKey(p)
	if err != nil {
		t.Fatal(err)
	}
	if sk.Type() != crypto.Ed25519 {
		t.Fatalf("key type %v, want Ed25519", sk.Type())
	}
	if want, _ := peer.IDFromPrivateKey(sk); want != id {
		t.Fatalf("peer id %s, want %s", id, want)
	}
	sk2, id2, err := LoadNodeKey(p)
	if err != nil {
		t.Fatal(err)
	}
	if !sk.Equals(sk2) || id2 != id {
		t.Fatal("loaded node key differs")
	}
	checkModes(t, p)
	if _, _, err := GenerateNodeKey(p); !errors.Is(err, ErrExists) {
		t.Fatalf("second generate: %v, want ErrExists", err)
	}
	if _, id3, _ := LoadNodeKey(p); id3 != id {
		t.Fatal("existing node key changed")
	}
}

func TestValidatorKeyRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "keys", "validator.key")
	k, err := GenerateValidatorKey(p)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadValidatorKey(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.Bytes(), k2.Bytes()) {
		t.Fatal("loaded validator key differs")
	}
	checkModes(t, p)
	if _, err := GenerateValidatorKey(p); !errors.Is(err, ErrExists) {
		t.Fatalf("second generate: %v, want ErrExists", err)
	}
}

func checkModes(t *testing.T, p string) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("%s mode %04o, want 0600", p, m)
	}
	fi, err = os.Stat(filepath.Dir(p))
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o700 {
		t.Errorf("%s mode %04o, want 0700", filepath.Dir(p), m)
	}
}

func TestInsecureModesRefused(t *testing.T) {
	dir := t.TempDir()
	np, vp := filepath.Join(dir, "node.key"), filepath.Join(dir, "validator.key")
	if _, _, err := GenerateNodeKey(np); err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateValidatorKey(vp); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o660} {
		os.Chmod(np, mode)
		os.Chmod(vp, mode)
		if _, _, err := LoadNodeKey(np); !errors.Is(err, ErrInsecureMode) || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("node key mode %04o: %v", mode, err)
		}
		if _, err := LoadValidatorKey(vp); !errors.Is(err, ErrInsecureMode) {
			t.Errorf("validator key mode %04o: %v", mode, err)
		}
	}
	os.Chmod(np, 0o400)
	if _, _, err := LoadNodeKey(np); err != nil {
		t.Errorf("mode 0400 refused: %v", err)
	}
	if _, _, err := LoadNodeKey(dir); err == nil {
		t.Error("a directory loaded as a node key")
	}
	if _, err := LoadValidatorKey(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func editJSON(t *testing.T, p string, edit func(m map[string]any)) {
	t.Helper()
	b, _ := os.ReadFile(p)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, _ = json.Marshal(m)
	os.WriteFile(p, b, 0o600)
}

func TestCorruptNodeKey(t *testing.T) {
	_, otherID, _ := GenerateNodeKey(filepath.Join(t.TempDir(), "other.key"))
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		raw   string
		field string
	}{
		{name: "wrong peer id", edit: func(m map[string]any) { m["peer_id"] = otherID.String() }, field: "peer_id"},
		{name: "short key", edit: func(m map[string]any) { m["private_key"] = "abcd" }, field: "private_key"},
		{name: "upper-case hex", edit: func(m map[string]any) { m["private_key"] = strings.ToUpper(m["private_key"].(string)) }, field: "private_key"},
		{name: "other key type", edit: func(m map[string]any) { m["key_type"] = "secp256k1" }, field: "key_type"},
		{name: "other file type", edit: func(m map[string]any) { m["type"] = "qian-validator-key" }, field: "type"},
		{name: "future version", edit: func(m map[string]any) { m["version"] = 2 }, field: "version"},
		{name: "unknown field", edit: func(m map[string]any) { m["x"] = 1 }, field: "unknown field"},
		{name: "truncated", raw: `{"type": "qian-node`, field: ""},
		{name: "empty", raw: ``, field: ""},
		{name: "trailing", raw: `{"type":"qian-node-key"} {}`, field: "after"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "node.key")
			if _, _, err := GenerateNodeKey(p); err != nil {
				t.Fatal(err)
			}
			if c.edit != nil {
				editJSON(t, p, c.edit)
			} else {
				os.WriteFile(p, []byte(c.raw), 0o600)
			}
			_, _, err := LoadNodeKey(p)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), p) {
				t.Fatalf("err = %v, want ErrCorrupt naming %q and the file", err, c.field)
			}
		})
	}
}

func TestCorruptValidatorKey(t *testing.T) {
	other, _ := ledger.GenerateKey()
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"mismatched public key", func(m map[string]any) { m["public_key"] = other.PublicKey().String() }, "public_key"},
		{"zero secret", func(m map[string]any) { m["private_key"] = strings.Repeat("0", 64) }, "private_key"},
		{"secret over the group order", func(m map[string]any) { m["private_key"] = strings.Repeat("f", 64) }, "private_key"},
		{"short secret", func(m map[string]any) { m["private_key"] = "00" }, "private_key"},
		{"bad public key hex", func(m map[string]any) { m["public_key"] = "zz" }, "public_key"},
		{"other file type", func(m map[string]any) { m["type"] = "qian-node-key" }, "type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "validator.key")
			if _, err := GenerateValidatorKey(p); err != nil {
				t.Fatal(err)
			}
			editJSON(t, p, c.edit)
			_, err := LoadValidatorKey(p)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.field) {
				t.Fatalf("err = %v, want ErrCorrupt naming %q", err, c.field)
			}
		})
	}
}

// Keys made in memory and written later (the founding ceremony checks a
// request before it writes anything) read back as the same keys, and are
// never written over an existing file.
func TestWriteKeysMadeInMemory(t *testing.T) {
	dir := t.TempDir()
	sk, id, err := NewNodeKey()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "keys", "node.key")
	if err := WriteNodeKey(p, sk); err != nil {
		t.Fatal(err)
	}
	sk2, id2, err := LoadNodeKey(p)
	if err != nil || !sk.Equals(sk2) || id2 != id {
		t.Fatalf("node key read back: %v (peer %s, want %s)", err, id2, id)
	}
	checkModes(t, p)
	other, _, _ := NewNodeKey()
	if err := WriteNodeKey(p, other); !errors.Is(err, ErrExists) {
		t.Fatalf("second write: %v, want ErrExists", err)
	}
	secp, _, _ := crypto.GenerateSecp256k1Key(nil)
	if err := WriteNodeKey(filepath.Join(dir, "x.key"), secp); err == nil {
		t.Fatal("a secp256k1 node key was written")
	}

	k, _ := ledger.GenerateKey()
	vp := filepath.Join(dir, "keys", "validator.key")
	if err := WriteValidatorKey(vp, k); err != nil {
		t.Fatal(err)
	}
	k2, err := LoadValidatorKey(vp)
	if err != nil || !bytes.Equal(k.Bytes(), k2.Bytes()) {
		t.Fatalf("validator key read back: %v", err)
	}
	if err := WriteValidatorKey(vp, k); !errors.Is(err, ErrExists) {
		t.Fatalf("second write: %v, want ErrExists", err)
	}
}
