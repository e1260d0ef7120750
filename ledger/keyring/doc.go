// Package keyring keeps named account keys (ledger.PrivateKey, secp256k1
// BIP-340) in a directory, each encrypted at rest under a passphrase.
//
// Layout: DIR (mode 0700) holds one file per key, DIR/NAME.json (mode
// 0600). A file holds the public key in clear, so that List and Show need
// no passphrase, and the 32-byte secret sealed with XChaCha20-Poly1305
// under a key derived from the passphrase by scrypt (n=2^17, r=8, p=1 by
// default; the parameters are stored in the file). The format is specified
// in file.go and docs/operations.md.
//
// Safety rules the package keeps:
//   - a key is never overwritten: Add and Import fail with ErrExists;
//   - files are written to a temporary name, synced and linked into place,
//     so a crash leaves either no key or a whole one;
//   - a key file or directory that the group or others can access is
//     refused (ErrInsecureMode) before anything is read from it;
//   - every malformed, truncated or altered file is ErrCorrupt with the
//     field named, a wrong passphrase is ErrWrongPassphrase, and nothing
//     panics on input from disk;
//   - an export armor is sealed under a separate passphrase and domain, so
//     a keyring passphrase never travels with an exported key.
//
// The caller supplies passphrases (PassphraseSource reads them from a
// file, QIAN_PASSPHRASE or a terminal) and decides how long an unlocked key
// lives; the keyring keeps nothing decrypted.
//
// Tests that create keys pass InsecureTestKDF, which makes sealing cheap;
// real keys always use DefaultScrypt.
package keyring
