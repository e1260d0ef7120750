// Package disclosure keeps personal data off the chain. A field such as a
// farmer's name, ID number or phone number is recorded only as a salted
// SHA-256 commitment; whoever holds the value and its salt can later
// disclose them to someone who checks them against the chain (`qian verify
// --disclose`).
//
// The commitment to value v of field f with 32-byte salt s is the BIP-340
// tagged hash
//
//	SHA-256(T || T || uvarint(len f) || f || uvarint(len v) || v || s),  T = SHA-256("qian/disclose/v1")
//
// where uvarint is the unsigned LEB128 length. The field name is bound so a
// disclosed phone number cannot pass for a name; the salt is random and
// secret, so a commitment to a short value (a phone number) cannot be
// reversed by trying every value.
package disclosure

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/ledger"
)

// SaltSize is the size of a salt in bytes.
const SaltSize = 32

const domain = "qian/disclose/v1"

// Commit returns the commitment to value of field under salt.
func Commit(field, value string, salt [SaltSize]byte) [32]byte {
	msg := make([]byte, 0, 2*binary.MaxVarintLen64+len(field)+len(value)+SaltSize)
	msg = binary.AppendUvarint(msg, uint64(len(field)))
	msg = append(msg, field...)
	msg = binary.AppendUvarint(msg, uint64(len(value)))
	msg = append(msg, value...)
	msg = append(msg, salt[:]...)
	return ledger.TaggedHash(domain, msg)
}

// Disclosure is what the holder of a personal-data field keeps and, when
// asked, shows: the value, the salt and the commitment on chain. Its JSON
// form is one entry of a disclosure file (ParseFile).
type Disclosure struct {
	Field      string `json:"field"`
	Value      string `json:"value"`
	Salt       string `json:"salt"`       // 64 hex digits
	Commitment string `json:"commitment"` // 64 hex digits
	// Event is the on-chain event hash the commitment was recorded in,
	// when known (filled in by tools after the capture commits).
	Event string `json:"event,omitempty"`
}

// New commits to value of field with a fresh salt from r (crypto/rand when
// r is nil).
func New(field, value string, r io.Reader) (Disclosure, [32]byte, error) {
	if r == nil {
		r = rand.Reader
	}
	var salt [SaltSize]byte
	if _, err := io.ReadFull(r, salt[:]); err != nil {
		return Disclosure{}, [32]byte{}, fmt.Errorf("salt: %w", err)
	}
	c := Commit(field, value, salt)
	return Disclosure{Field: field, Value: value, Salt: hex.EncodeToString(salt[:]), Commitment: hex.EncodeToString(c[:])}, c, nil
}

// Check reports whether d opens commitment: the field name matches and
// Commit(d.Field, d.Value, d.Salt) equals commitment. A mismatch is an
// *call.Error with code ERR_DISCLOSURE.
func Check(d Disclosure, field string, commitment [32]byte) error {
	salt, err := hex.DecodeString(d.Salt)
	if err != nil || len(salt) != SaltSize {
		return call.Errorf(call.ErrDisclosure, "the salt must be %d hex digits", 2*SaltSize)
	}
	if d.Field != field {
		return call.Errorf(call.ErrDisclosure, "the disclosure is for field %q, the commitment for field %q", d.Field, field)
	}
	var s [SaltSize]byte
	copy(s[:], salt)
	got := Commit(d.Field, d.Value, s)
	if subtle.ConstantTimeCompare(got[:], commitment[:]) != 1 {
		return call.Errorf(call.ErrDisclosure, "value and salt do not open commitment %x for field %q", commitment, field)
	}
	return nil
}
