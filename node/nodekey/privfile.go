package nodekey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/qianchain/qianchain/ledger/privfile"
)

// Stable errors, for errors.Is.
var (
	// ErrInsecureMode: the key file is readable or writable by the group or others.
	ErrInsecureMode = errors.New("insecure key file mode")
	// ErrCorrupt: the key file is malformed or inconsistent.
	ErrCorrupt = errors.New("corrupted key file")
	// ErrExists: a key file is already there; keys are never overwritten.
	ErrExists = errors.New("key file already exists")
)

const maxKeyFileBytes = 4096

// readPrivate reads a secret-bearing key file (privfile.Read).
func readPrivate(path string) ([]byte, error) {
	return privfile.Read(path, maxKeyFileBytes, ErrInsecureMode, ErrCorrupt)
}

// decodeStrict decodes one JSON object into v, refusing unknown fields and
// trailing data.
func decodeStrict(path string, b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: %s: data after the JSON object", ErrCorrupt, path)
	}
	return nil
}

// writeNew writes v as JSON to path with mode 0600, creating its directory
// with mode 0700, durably, and only if path does not exist.
func writeNew(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%w: %s", ErrExists, path)
	}
	if err := privfile.WriteNew(path, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
		return err
	}
	return nil
}

// decodeHex fills dst from exactly 2*len(dst) lower-case hex digits.
func decodeHex(s string, dst []byte) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("want %d hex digits, got %d characters", 2*len(dst), len(s))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return fmt.Errorf("character %d is not a lower-case hex digit", i)
		}
	}
	for i := range dst {
		dst[i] = unhex(s[2*i])<<4 | unhex(s[2*i+1])
	}
	return nil
}

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}
