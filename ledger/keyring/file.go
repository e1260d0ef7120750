package keyring

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"github.com/qianchain/qianchain/ledger"
)

// Key file format, version 1 (docs/operations.md, "Keyring"). All binary
// fields are lower-case hex of fixed length:
//
//	{
//	  "format": "qian-keyring-key",
//	  "version": 1,
//	  "public_key": "<64 hex: BIP-340 x-only public key>",
//	  "kdf": {"name": "scrypt", "n": 131072, "r": 8, "p": 1, "salt": "<64 hex>"},
//	  "cipher": {"name": "xchacha20-poly1305", "nonce": "<48 hex>"},
//	  "check": "<64 hex: SHA-256 of scrypt output bytes 32..63>",
//	  "ciphertext": "<96 hex: 32-byte secret scalar sealed, with its 16-byte tag>"
//	}
//
// The AEAD key is scrypt output bytes 0..31; the additional data is the
// ASCII string "qian-keyring-file-v1" followed by the 32 public-key bytes.
const (
	fileFormat   = "qian-keyring-key"
	fileVersion  = 1
	kdfName      = "scrypt"
	cipherName   = "xchacha20-poly1305"
	maxFileBytes = 4096 // a key file is about 500 bytes
)

type fileKDF struct {
	Name string `json:"name"`
	N    int    `json:"n"`
	R    int    `json:"r"`
	P    int    `json:"p"`
	Salt string `json:"salt"`
}

type fileCipher struct {
	Name  string `json:"name"`
	Nonce string `json:"nonce"`
}

type keyFile struct {
	Format     string     `json:"format"`
	Version    int        `json:"version"`
	PublicKey  string     `json:"public_key"`
	KDF        fileKDF    `json:"kdf"`
	Cipher     fileCipher `json:"cipher"`
	Check      string     `json:"check"`
	Ciphertext string     `json:"ciphertext"`
}

// marshalFile renders s as a version 1 key file.
func marshalFile(s *sealed) []byte {
	f := keyFile{
		Format:     fileFormat,
		Version:    fileVersion,
		PublicKey:  s.pub.String(),
		KDF:        fileKDF{Name: kdfName, N: s.kdf.N, R: s.kdf.R, P: s.kdf.P, Salt: hex.EncodeToString(s.salt[:])},
		Cipher:     fileCipher{Name: cipherName, Nonce: hex.EncodeToString(s.nonce[:])},
		Check:      hex.EncodeToString(s.check[:]),
		Ciphertext: hex.EncodeToString(s.ciphertext[:]),
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		panic(err) // plain strings and ints always marshal
	}
	return append(b, '\n')
}

// parseFile decodes a key file strictly: unknown fields, missing fields,
// wrong lengths, bad hex and trailing data are all ErrCorrupt with the
// field named.
func parseFile(b []byte) (*sealed, error) {
	if len(b) > maxFileBytes {
		return nil, fmt.Errorf("%w: %d bytes, a key file is at most %d", ErrCorrupt, len(b), maxFileBytes)
	}
	var f keyFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrCorrupt)
	}
	if f.Format != fileFormat {
		return nil, fmt.Errorf("%w: format is %q, want %q", ErrCorrupt, f.Format, fileFormat)
	}
	if f.Version != fileVersion {
		return nil, fmt.Errorf("%w: version %d is not supported (this program reads version %d)", ErrCorrupt, f.Version, fileVersion)
	}
	if f.KDF.Name != kdfName {
		return nil, fmt.Errorf("%w: kdf.name is %q, want %q", ErrCorrupt, f.KDF.Name, kdfName)
	}
	if f.Cipher.Name != cipherName {
		return nil, fmt.Errorf("%w: cipher.name is %q, want %q", ErrCorrupt, f.Cipher.Name, cipherName)
	}
	s := &sealed{kdf: ScryptParams{N: f.KDF.N, R: f.KDF.R, P: f.KDF.P}}
	if err := s.kdf.Validate(); err != nil {
		return nil, fmt.Errorf("%w: kdf: %v", ErrCorrupt, err)
	}
	pub, err := ledger.ParsePublicKey(f.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: public_key: %v", ErrCorrupt, err)
	}
	if pub.String() != f.PublicKey {
		return nil, fmt.Errorf("%w: public_key: must be lower-case hex", ErrCorrupt)
	}
	s.pub = pub
	for _, fld := range []struct {
		name string
		text string
		dst  []byte
	}{
		{"kdf.salt", f.KDF.Salt, s.salt[:]},
		{"cipher.nonce", f.Cipher.Nonce, s.nonce[:]},
		{"check", f.Check, s.check[:]},
		{"ciphertext", f.Ciphertext, s.ciphertext[:]},
	} {
		if err := decodeHex(fld.text, fld.dst); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, fld.name, err)
		}
	}
	return s, nil
}

// decodeHex fills dst from exactly 2*len(dst) lower-case hex digits. Upper
// case is refused so that every file has one spelling.
func decodeHex(s string, dst []byte) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("want %d hex digits, got %d characters", 2*len(dst), len(s))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return fmt.Errorf("character %d is not a lower-case hex digit", i)
		}
	}
	_, err := hex.Decode(dst, []byte(s))
	return err
}
