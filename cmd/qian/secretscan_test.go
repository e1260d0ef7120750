package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/nodekey"
)

// The ceremony test's search for private keys outside their homes.

// secret is one form in which a private key could be found in a file.
type secret struct {
	what  string
	bytes []byte
}

// homeSecrets are the private keys a home holds, in every form a copy
// could take: each key file's SHA-256 (a copied file), the secret as raw
// bytes and as lower- and upper-case hex (an extracted key), and, for the
// admin account, its sealed ciphertext (a copied keyring entry).
func homeSecrets(t *testing.T, p *party) []secret {
	t.Helper()
	paths := config.Paths{Home: p.home}
	var out []secret
	addKey := func(what string, raw []byte) {
		h := hex.EncodeToString(raw)
		out = append(out, secret{what + " (raw)", raw}, secret{what + " (hex)", []byte(h)}, secret{what + " (HEX)", []byte(strings.ToUpper(h))})
	}
	addFile := func(what, path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		out = append(out, secret{what + " file fingerprint", sum[:]})
	}
	sk, _, err := nodekey.LoadNodeKey(paths.NodeKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := sk.Raw()
	addKey(p.name+" node key", raw[:32])
	addFile(p.name+" node key", paths.NodeKeyFile())
	vk, err := nodekey.LoadValidatorKey(paths.ValidatorKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	addKey(p.name+" validator key", vk.Bytes())
	addFile(p.name+" validator key", paths.ValidatorKeyFile())
	kr, _ := keyring.Open(paths.KeyringDir())
	admin, err := kr.Unlock(p.name, []byte(p.pass))
	if err != nil {
		t.Fatal(err)
	}
	addKey(p.name+" admin key", admin.Bytes())
	entry := filepath.Join(paths.KeyringDir(), p.name+".json")
	addFile(p.name+" admin keyring entry", entry)
	var sealed struct {
		Ciphertext string `json:"ciphertext"`
	}
	b, _ := os.ReadFile(entry)
	if err := json.Unmarshal(b, &sealed); err != nil || len(sealed.Ciphertext) != 96 {
		t.Fatalf("keyring entry %s: %v", entry, err)
	}
	out = append(out, secret{p.name + " admin keyring entry (sealed)", []byte(sealed.Ciphertext)})
	return out
}

// scanForSecrets reads every regular file under dirs and reports each one
// that holds a secret of a home it is not in, by content or by
// fingerprint. It returns the number of files read and the findings.
func scanForSecrets(t *testing.T, dirs []string, secrets map[string][]secret) (files int, leaks []string) {
	t.Helper()
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			sum := sha256.Sum256(b)
			for home, ss := range secrets {
				if strings.HasPrefix(path, home+string(filepath.Separator)) {
					continue // a home may hold its own keys
				}
				for _, s := range ss {
					if bytes.Equal(sum[:], s.bytes) || bytes.Contains(b, s.bytes) {
						leaks = append(leaks, fmt.Sprintf("%s holds %s, which belongs only in %s", path, s.what, home))
					}
				}
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
	sort.Strings(leaks)
	return files, leaks
}

// The scan of the ceremony test finds a key wherever it is copied to: a
// key file under another name, a secret pasted as hex into a log, a
// keyring entry, each outside its home; and it allows a home its own.
func TestSecretScanFindsCopies(t *testing.T) {
	c := newCeremony(t)
	home := c.request("farm", 1, "")
	p := &party{name: "farm", dir: filepath.Dir(home), home: home, pass: "org secret"}
	secrets := map[string][]secret{home: homeSecrets(t, p)}
	elsewhere := t.TempDir()
	copyFile(t, filepath.Join(home, "keys", "validator.key"), filepath.Join(elsewhere, "backup.bin"))
	vk, err := nodekey.LoadValidatorKey(filepath.Join(home, "keys", "validator.key"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(elsewhere, "debug.log"), []byte("key="+strings.ToUpper(hex.EncodeToString(vk.Bytes()))+"\n"), 0o644)
	sk, _, _ := nodekey.LoadNodeKey(filepath.Join(home, "keys", "node.key"))
	raw, _ := sk.Raw()
	os.WriteFile(filepath.Join(elsewhere, "seed"), append([]byte{0}, raw[:32]...), 0o600)
	entry, _ := os.ReadFile(filepath.Join(home, "keyring", "farm.json"))
	os.WriteFile(filepath.Join(elsewhere, "farm.json.txt"), append([]byte("copied:\n"), entry...), 0o600)
	_, leaks := scanForSecrets(t, []string{filepath.Dir(home), elsewhere}, secrets)
	want := []string{"backup.bin holds farm validator key file fingerprint", "debug.log holds farm validator key (HEX)",
		"farm.json.txt holds farm admin keyring entry (sealed)", "seed holds farm node key (raw)"}
	got := strings.Join(leaks, "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("the scan missed %q; it found:\n%s", w, got)
		}
	}
	if strings.Contains(got, home+string(filepath.Separator)) {
		t.Errorf("the scan reported the home's own keys:\n%s", got)
	}
}
