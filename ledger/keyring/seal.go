package keyring

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"

	"github.com/qianchain/qianchain/ledger"
)

// ScryptParams are the cost parameters of scrypt (N, r, p). They are stored
// with every sealed key, so keys sealed with different parameters coexist.
type ScryptParams struct {
	N int // CPU/memory cost, a power of two
	R int // block size
	P int // parallelism
}

// DefaultScrypt is used for every key unless a test asks otherwise: N = 2^17,
// r = 8, p = 1, which takes 128 MiB and about half a second per unlock on a
// 2-core machine (see docs/operations.md for the measurement).
var DefaultScrypt = ScryptParams{N: 1 << 17, R: 8, P: 1}

// insecureTestScrypt is the cheapest accepted setting; only
// InsecureTestKDF selects it.
var insecureTestScrypt = ScryptParams{N: 1 << 10, R: 8, P: 1}

// Bounds on the parameters read from a file, so that a hostile file cannot
// make an unlock take hours or gigabytes, and a careless one cannot be
// trivially weak.
const (
	minScryptN   = 1 << 10
	maxScryptN   = 1 << 20
	maxScryptR   = 32
	maxScryptP   = 16
	maxScryptMem = 1 << 30 // 128 * N * r bytes
	maxScryptOps = 1 << 23 // N * r * p, 8 times the default
)

// Validate checks the parameters against the bounds above.
func (p ScryptParams) Validate() error {
	if p.N < minScryptN || p.N > maxScryptN || p.N&(p.N-1) != 0 {
		return fmt.Errorf("scrypt n=%d must be a power of two from %d to %d", p.N, minScryptN, maxScryptN)
	}
	if p.R < 1 || p.R > maxScryptR {
		return fmt.Errorf("scrypt r=%d must be from 1 to %d", p.R, maxScryptR)
	}
	if p.P < 1 || p.P > maxScryptP {
		return fmt.Errorf("scrypt p=%d must be from 1 to %d", p.P, maxScryptP)
	}
	if uint64(128)*uint64(p.N)*uint64(p.R) > maxScryptMem {
		return fmt.Errorf("scrypt n=%d r=%d needs more than %d bytes of memory", p.N, p.R, maxScryptMem)
	}
	if uint64(p.N)*uint64(p.R)*uint64(p.P) > maxScryptOps {
		return fmt.Errorf("scrypt n=%d r=%d p=%d costs more than n*r*p=%d", p.N, p.R, p.P, maxScryptOps)
	}
	return nil
}

const (
	saltSize   = 32
	nonceSize  = chacha20poly1305.NonceSizeX // 24
	checkSize  = sha256.Size
	sealedSize = ledger.PrivateKeySize + chacha20poly1305.Overhead // 48

	// Additional-data domains: a sealed key file and an export armor are
	// encrypted under different domains, so one can never be passed off as
	// the other.
	domainFile   = "qian-keyring-file-v1"
	domainExport = "qian-keyring-export-v1"
)

// sealed is an encrypted private key with everything needed to open it
// except the passphrase. The public key travels in clear so that a keyring
// can be listed without a passphrase; it is bound to the ciphertext as
// additional data and checked against the decrypted key.
type sealed struct {
	pub        ledger.PublicKey
	kdf        ScryptParams
	salt       [saltSize]byte
	nonce      [nonceSize]byte
	check      [checkSize]byte
	ciphertext [sealedSize]byte
}

// deriveKeys runs scrypt for 64 bytes: the first 32 are the AEAD key, the
// SHA-256 of the last 32 is the passphrase check value stored in the file.
// The check value lets an unlock say "wrong passphrase" rather than the
// vaguer "wrong passphrase or altered file"; it reveals nothing that trying
// a passphrase against the ciphertext would not, and costs the same scrypt.
func deriveKeys(passphrase []byte, salt []byte, p ScryptParams) (key []byte, check [checkSize]byte, err error) {
	dk, err := scrypt.Key(passphrase, salt, p.N, p.R, p.P, 64)
	if err != nil {
		return nil, check, fmt.Errorf("scrypt: %w", err)
	}
	return dk[:32], sha256.Sum256(dk[32:]), nil
}

func additionalData(domain string, pub ledger.PublicKey) []byte {
	return append([]byte(domain), pub[:]...)
}

// seal encrypts k under passphrase with fresh salt and nonce.
func seal(k ledger.PrivateKey, passphrase []byte, p ScryptParams, domain string) (*sealed, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if len(passphrase) == 0 {
		return nil, fmt.Errorf("%w: the passphrase is empty", ErrNoPassphrase)
	}
	s := &sealed{pub: k.PublicKey(), kdf: p}
	if _, err := rand.Read(s.salt[:]); err != nil {
		return nil, fmt.Errorf("read random salt: %w", err)
	}
	if _, err := rand.Read(s.nonce[:]); err != nil {
		return nil, fmt.Errorf("read random nonce: %w", err)
	}
	key, check, err := deriveKeys(passphrase, s.salt[:], p)
	if err != nil {
		return nil, err
	}
	s.check = check
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	secret := k.Bytes()
	defer clear(secret)
	copy(s.ciphertext[:], aead.Seal(nil, s.nonce[:], secret, additionalData(domain, s.pub)))
	return s, nil
}

// open decrypts s. It returns ErrWrongPassphrase when the check value does
// not match, and ErrCorrupt when the passphrase is right but the ciphertext
// fails authentication or decrypts to a key whose public key differs from
// the one stored beside it.
func (s *sealed) open(passphrase []byte, domain string) (ledger.PrivateKey, error) {
	if err := s.kdf.Validate(); err != nil {
		return ledger.PrivateKey{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	key, check, err := deriveKeys(passphrase, s.salt[:], s.kdf)
	if err != nil {
		return ledger.PrivateKey{}, err
	}
	if subtle.ConstantTimeCompare(check[:], s.check[:]) != 1 {
		return ledger.PrivateKey{}, ErrWrongPassphrase
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return ledger.PrivateKey{}, err
	}
	secret, err := aead.Open(nil, s.nonce[:], s.ciphertext[:], additionalData(domain, s.pub))
	if err != nil {
		return ledger.PrivateKey{}, fmt.Errorf("%w: ciphertext fails authentication", ErrCorrupt)
	}
	defer clear(secret)
	k, err := ledger.PrivateKeyFromBytes(secret)
	if err != nil {
		return ledger.PrivateKey{}, fmt.Errorf("%w: decrypted key: %v", ErrCorrupt, err)
	}
	if k.PublicKey() != s.pub {
		return ledger.PrivateKey{}, fmt.Errorf("%w: decrypted key does not match the stored public key", ErrCorrupt)
	}
	return k, nil
}
