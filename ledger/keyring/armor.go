package keyring

import (
	"bytes"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"

	"github.com/qianchain/qianchain/ledger"
)

// Export armor, version 1 (docs/operations.md, "Exporting and importing
// keys"): one PEM block whose headers carry the parameters and whose body is
// the 48-byte sealed secret.
//
//	-----BEGIN QIAN ENCRYPTED PRIVATE KEY-----
//	Check: <64 hex>
//	Cipher: xchacha20-poly1305
//	Kdf: scrypt
//	Kdf-Params: n=131072,r=8,p=1
//	Nonce: <48 hex>
//	Public-Key: <64 hex>
//	Salt: <64 hex>
//	Version: 1
//
//	<base64 of the 48-byte ciphertext>
//	-----END QIAN ENCRYPTED PRIVATE KEY-----
//
// It is sealed exactly like a key file but under the export passphrase and
// the additional-data domain "qian-keyring-export-v1", so an armor is never
// a key file in disguise and the keyring passphrase never leaves the keyring.
const (
	armorType      = "QIAN ENCRYPTED PRIVATE KEY"
	maxArmorBytes  = 4096
	armorVersion   = "1"
	kdfParamFormat = "n=%d,r=%d,p=%d"
)

var armorHeaders = []string{"Check", "Cipher", "Kdf", "Kdf-Params", "Nonce", "Public-Key", "Salt", "Version"}

func marshalArmor(s *sealed) []byte {
	blk := &pem.Block{
		Type: armorType,
		Headers: map[string]string{
			"Version":    armorVersion,
			"Public-Key": s.pub.String(),
			"Kdf":        kdfName,
			"Kdf-Params": fmt.Sprintf(kdfParamFormat, s.kdf.N, s.kdf.R, s.kdf.P),
			"Salt":       hex.EncodeToString(s.salt[:]),
			"Cipher":     cipherName,
			"Nonce":      hex.EncodeToString(s.nonce[:]),
			"Check":      hex.EncodeToString(s.check[:]),
		},
		Bytes: s.ciphertext[:],
	}
	return pem.EncodeToMemory(blk)
}

// parseArmor decodes an export armor strictly: one block of the right type,
// exactly the headers above, nothing but white space around it.
func parseArmor(b []byte) (*sealed, error) {
	if len(b) > maxArmorBytes {
		return nil, fmt.Errorf("%w: armor is %d bytes, at most %d", ErrCorrupt, len(b), maxArmorBytes)
	}
	blk, rest := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%w: no %q block found", ErrCorrupt, armorType)
	}
	if blk.Type != armorType {
		return nil, fmt.Errorf("%w: block type is %q, want %q", ErrCorrupt, blk.Type, armorType)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(b), []byte("-----BEGIN "+armorType+"-----")) || len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%w: text outside the armor block", ErrCorrupt)
	}
	if len(blk.Headers) != len(armorHeaders) {
		return nil, fmt.Errorf("%w: armor has %d headers, want exactly %s", ErrCorrupt, len(blk.Headers), strings.Join(armorHeaders, ", "))
	}
	for _, h := range armorHeaders {
		if _, ok := blk.Headers[h]; !ok {
			return nil, fmt.Errorf("%w: armor header %s is missing", ErrCorrupt, h)
		}
	}
	hd := blk.Headers
	if hd["Version"] != armorVersion {
		return nil, fmt.Errorf("%w: armor version %q is not supported (this program reads %s)", ErrCorrupt, hd["Version"], armorVersion)
	}
	if hd["Kdf"] != kdfName {
		return nil, fmt.Errorf("%w: Kdf is %q, want %q", ErrCorrupt, hd["Kdf"], kdfName)
	}
	if hd["Cipher"] != cipherName {
		return nil, fmt.Errorf("%w: Cipher is %q, want %q", ErrCorrupt, hd["Cipher"], cipherName)
	}
	s := &sealed{}
	kdf, err := parseKDFParams(hd["Kdf-Params"])
	if err != nil {
		return nil, fmt.Errorf("%w: Kdf-Params: %v", ErrCorrupt, err)
	}
	s.kdf = kdf
	pub, err := ledger.ParsePublicKey(hd["Public-Key"])
	if err != nil || pub.String() != hd["Public-Key"] {
		return nil, fmt.Errorf("%w: Public-Key is not 64 lower-case hex digits of a valid key", ErrCorrupt)
	}
	s.pub = pub
	for _, fld := range []struct {
		name string
		dst  []byte
	}{{"Salt", s.salt[:]}, {"Nonce", s.nonce[:]}, {"Check", s.check[:]}} {
		if err := decodeHex(hd[fld.name], fld.dst); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, fld.name, err)
		}
	}
	if len(blk.Bytes) != sealedSize {
		return nil, fmt.Errorf("%w: ciphertext is %d bytes, want %d", ErrCorrupt, len(blk.Bytes), sealedSize)
	}
	copy(s.ciphertext[:], blk.Bytes)
	return s, nil
}

// parseKDFParams reads exactly "n=N,r=R,p=P" with canonical decimals.
func parseKDFParams(v string) (ScryptParams, error) {
	parts := strings.Split(v, ",")
	if len(parts) != 3 {
		return ScryptParams{}, fmt.Errorf("want %q, got %q", "n=N,r=R,p=P", v)
	}
	var out [3]int
	for i, name := range []string{"n", "r", "p"} {
		num, ok := strings.CutPrefix(parts[i], name+"=")
		if !ok {
			return ScryptParams{}, fmt.Errorf("want %q, got %q", "n=N,r=R,p=P", v)
		}
		x, err := strconv.Atoi(num)
		if err != nil || strconv.Itoa(x) != num {
			return ScryptParams{}, fmt.Errorf("%s=%q is not a decimal number", name, num)
		}
		out[i] = x
	}
	p := ScryptParams{N: out[0], R: out[1], P: out[2]}
	return p, p.Validate()
}
