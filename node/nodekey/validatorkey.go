package nodekey

import (
	"fmt"

	"github.com/qianchain/qianchain/ledger"
)

const (
	validatorKeyType    = "qian-validator-key"
	validatorKeyVersion = 1
)

type validatorKeyFile struct {
	Type       string `json:"type"`
	Version    int    `json:"version"`
	PublicKey  string `json:"public_key"`
	PrivateKey string `json:"private_key"`
}

// GenerateValidatorKey makes a new consensus key and writes it to path
// (mode 0600, directory 0700). It fails with ErrExists rather than replace
// an existing key.
func GenerateValidatorKey(path string) (ledger.PrivateKey, error) {
	k, err := ledger.GenerateKey()
	if err != nil {
		return ledger.PrivateKey{}, err
	}
	if err := WriteValidatorKey(path, k); err != nil {
		return ledger.PrivateKey{}, err
	}
	return k, nil
}

// WriteValidatorKey writes a consensus key made in memory
// (ledger.GenerateKey) to path (mode 0600, directory 0700). It fails with
// ErrExists rather than replace an existing key.
func WriteValidatorKey(path string, k ledger.PrivateKey) error {
	if k.IsZero() {
		return fmt.Errorf("write validator key: no key")
	}
	secret := k.Bytes()
	defer clear(secret)
	f := validatorKeyFile{Type: validatorKeyType, Version: validatorKeyVersion,
		PublicKey: k.PublicKey().String(), PrivateKey: fmt.Sprintf("%x", secret)}
	if err := writeNew(path, f); err != nil {
		return fmt.Errorf("write validator key: %w", err)
	}
	return nil
}

// LoadValidatorKey reads the validator key at path.
func LoadValidatorKey(path string) (ledger.PrivateKey, error) {
	b, err := readPrivate(path)
	if err != nil {
		return ledger.PrivateKey{}, fmt.Errorf("load validator key: %w", err)
	}
	return parseValidatorKey(path, b)
}

func parseValidatorKey(path string, b []byte) (ledger.PrivateKey, error) {
	var f validatorKeyFile
	if err := decodeStrict(path, b, &f); err != nil {
		return ledger.PrivateKey{}, fmt.Errorf("load validator key: %w", err)
	}
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("load validator key: %w: %s: %s: %s", ErrCorrupt, path, field, fmt.Sprintf(format, args...))
	}
	if f.Type != validatorKeyType {
		return ledger.PrivateKey{}, bad("type", "%q, want %q", f.Type, validatorKeyType)
	}
	if f.Version != validatorKeyVersion {
		return ledger.PrivateKey{}, bad("version", "%d is not supported (this program reads %d)", f.Version, validatorKeyVersion)
	}
	var pub ledger.PublicKey
	if err := decodeHex(f.PublicKey, pub[:]); err != nil {
		return ledger.PrivateKey{}, bad("public_key", "%v", err)
	}
	secret := make([]byte, ledger.PrivateKeySize)
	defer clear(secret)
	if err := decodeHex(f.PrivateKey, secret); err != nil {
		return ledger.PrivateKey{}, bad("private_key", "%v", err)
	}
	k, err := ledger.PrivateKeyFromBytes(secret)
	if err != nil {
		return ledger.PrivateKey{}, bad("private_key", "%v", err)
	}
	if k.PublicKey() != pub {
		return ledger.PrivateKey{}, bad("public_key", "%s does not match the private key, whose public key is %s", pub, k.PublicKey())
	}
	return k, nil
}
