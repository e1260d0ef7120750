package ledger

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
)

// Keys and signatures are secp256k1 BIP-340 Schnorr: 32-byte x-only public
// keys and 64-byte signatures over 32-byte messages. The messages are always
// tagged hashes of sign bytes (see tag.go), never raw encodings.
const (
	PublicKeySize  = 32
	SignatureSize  = 64
	PrivateKeySize = 32
)

// PublicKey is a BIP-340 x-only public key.
type PublicKey [PublicKeySize]byte

// Signature is a BIP-340 signature (r || s).
type Signature [SignatureSize]byte

func (k PublicKey) String() string { return hex.EncodeToString(k[:]) }

// Short is the first 8 hex digits, for logs.
func (k PublicKey) Short() string { return hex.EncodeToString(k[:4]) }

func (k PublicKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

func (k *PublicKey) UnmarshalText(b []byte) error {
	v, err := ParsePublicKey(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// ParsePublicKey parses 64 hex digits and checks that they name a point on
// the curve, so a malformed key is rejected when it is read, not when it is
// first used.
func ParsePublicKey(s string) (PublicKey, error) {
	var k PublicKey
	if len(s) != 2*PublicKeySize {
		return k, fmt.Errorf("public key must be %d hex digits, got %d characters", 2*PublicKeySize, len(s))
	}
	if _, err := hex.Decode(k[:], []byte(s)); err != nil {
		return k, errors.New("public key is not hexadecimal")
	}
	if err := k.Validate(); err != nil {
		return k, err
	}
	return k, nil
}

// Validate checks that k is the x coordinate of a curve point.
func (k PublicKey) Validate() error {
	if _, err := schnorr.ParsePubKey(k[:]); err != nil {
		return fmt.Errorf("public key is not a valid secp256k1 x-only key: %w", err)
	}
	return nil
}

func (s Signature) String() string { return hex.EncodeToString(s[:]) }

func (s Signature) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Signature) UnmarshalText(b []byte) error {
	if len(b) != 2*SignatureSize {
		return fmt.Errorf("signature must be %d hex digits, got %d characters", 2*SignatureSize, len(b))
	}
	if _, err := hex.Decode(s[:], b); err != nil {
		return errors.New("signature is not hexadecimal")
	}
	return nil
}

// Verify reports whether sig is a valid BIP-340 signature of msg by k.
//
// It is exactly BIP-340's Verify: besides what btcec checks, it rejects
// s >= n, which btcec v2.3 reduces modulo n instead. Without that check a
// valid signature (r, s) would have a second valid form (r, s+n) whenever
// s+n < 2^256, and batch verification (ledger/schnorrbatch) would disagree.
func (k PublicKey) Verify(msg Hash, sig Signature) bool {
	if !sInRange(sig) {
		return false
	}
	pub, err := schnorr.ParsePubKey(k[:])
	if err != nil {
		return false
	}
	s, err := schnorr.ParseSignature(sig[:])
	if err != nil {
		return false
	}
	return s.Verify(msg[:], pub)
}

// sInRange reports whether sig's s is below the group order n.
func sInRange(sig Signature) bool {
	var s btcec.ModNScalar
	return !s.SetByteSlice(sig[32:])
}

// PrivateKey is a secp256k1 secret scalar. It never leaves the process that
// holds it except encrypted (see ledger/keyring).
type PrivateKey struct {
	k *btcec.PrivateKey
}

// GenerateKey makes a new private key from the operating system's randomness.
func GenerateKey() (PrivateKey, error) {
	var b [PrivateKeySize]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return PrivateKey{}, fmt.Errorf("generate key: %w", err)
		}
		if k, err := PrivateKeyFromBytes(b[:]); err == nil {
			return k, nil
		}
	}
}

// PrivateKeyFromBytes loads a 32-byte big-endian secret scalar, which must be
// in [1, n-1].
func PrivateKeyFromBytes(b []byte) (PrivateKey, error) {
	if len(b) != PrivateKeySize {
		return PrivateKey{}, fmt.Errorf("private key must be %d bytes, got %d", PrivateKeySize, len(b))
	}
	var s btcec.ModNScalar
	if overflow := s.SetByteSlice(b); overflow || s.IsZero() {
		return PrivateKey{}, errors.New("private key is out of range")
	}
	return PrivateKey{k: btcec.PrivKeyFromScalar(&s)}, nil
}

// Bytes returns the 32-byte secret. Handle with care.
func (p PrivateKey) Bytes() []byte { return p.k.Serialize() }

// IsZero reports whether p holds no key.
func (p PrivateKey) IsZero() bool { return p.k == nil }

// PublicKey returns the x-only public key.
func (p PrivateKey) PublicKey() PublicKey {
	var k PublicKey
	copy(k[:], schnorr.SerializePubKey(p.k.PubKey()))
	return k
}

// Sign makes a BIP-340 signature of msg. The nonce is derived
// deterministically from the key and message (RFC 6979 style, as btcec does),
// so signing the same message twice gives the same signature.
func (p PrivateKey) Sign(msg Hash) (Signature, error) {
	s, err := schnorr.Sign(p.k, msg[:])
	if err != nil {
		return Signature{}, fmt.Errorf("sign: %w", err)
	}
	var sig Signature
	copy(sig[:], s.Serialize())
	return sig, nil
}
