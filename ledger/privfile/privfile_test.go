package privfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

var (
	errInsecure = errors.New("insecure")
	errTooLarge = errors.New("too large")
)

func TestWriteNewThenRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key.json")
	if err := WriteNew(p, []byte("secret")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("written with mode %v (%v), want 0600", fi.Mode(), err)
	}
	if b, err := Read(p, 6, errInsecure, errTooLarge); err != nil || string(b) != "secret" {
		t.Fatalf("read %q, %v", b, err)
	}
	// Nothing is replaced, and no temporary file is left behind.
	if err := WriteNew(p, []byte("other")); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("a second write: %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "secret" {
		t.Fatalf("the file now holds %q", b)
	}
	if ents, _ := os.ReadDir(filepath.Dir(p)); len(ents) != 1 {
		t.Fatalf("%d entries in the directory, want the key file only", len(ents))
	}
}

func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open.json")
	if err := os.WriteFile(open, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(open, 100, errInsecure, errTooLarge); !errors.Is(err, errInsecure) {
		t.Errorf("a file the group can read: %v, want the caller's insecure error", err)
	}
	large := filepath.Join(dir, "large.json")
	if err := os.WriteFile(large, make([]byte, 101), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(large, 100, errInsecure, errTooLarge); !errors.Is(err, errTooLarge) {
		t.Errorf("a file over the limit: %v, want the caller's too-large error", err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(sub, 100, errInsecure, errTooLarge); err == nil || errors.Is(err, errInsecure) || errors.Is(err, errTooLarge) {
		t.Errorf("a directory: %v, want an error saying it is not a regular file", err)
	}
	if _, err := Read(filepath.Join(dir, "absent.json"), 100, errInsecure, errTooLarge); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an absent file: %v", err)
	}
}
