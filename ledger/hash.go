package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// HashSize is the size of every hash on the chain: SHA-256.
const HashSize = 32

// Hash is a SHA-256 digest.
type Hash [HashSize]byte

// ZeroHash stands for "none" where a hash field is always present, such as
// the previous block hash of the first block.
var ZeroHash Hash

func (h Hash) IsZero() bool { return h == ZeroHash }

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Short is the first 8 hex digits, for logs.
func (h Hash) Short() string { return hex.EncodeToString(h[:4]) }

func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

func (h *Hash) UnmarshalText(b []byte) error {
	v, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// ParseHash parses 64 hex digits.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*HashSize {
		return h, fmt.Errorf("hash must be %d hex digits, got %d characters", 2*HashSize, len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, errors.New("hash is not hexadecimal")
	}
	return h, nil
}

// Sum is SHA-256.
func Sum(b []byte) Hash { return sha256.Sum256(b) }

// TaggedHash is the BIP-340 tagged hash: SHA-256(SHA-256(tag) ||
// SHA-256(tag) || msg). Signatures are made over tagged hashes so that the
// same bytes signed for two purposes give two different messages.
func TaggedHash(tag string, msg []byte) Hash {
	t := sha256.Sum256([]byte(tag))
	h := sha256.New()
	h.Write(t[:])
	h.Write(t[:])
	h.Write(msg)
	var out Hash
	h.Sum(out[:0])
	return out
}
