package proof

import (
	"errors"
	"fmt"
)

// Error is a verification failure: a stable code a program can switch on and
// a sentence naming exactly what failed.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

// Codes. docs/verification.md lists what each means.
const (
	// ErrFormat: the file is not a bundle of this version: not JSON of the
	// documented shape, an unknown or misspelt field, a non-canonical
	// spelling (uppercase hex, a null where a list belongs).
	ErrFormat = "ERR_PROOF_FORMAT"
	// ErrEncoding: a canonical encoding does not decode.
	ErrEncoding = "ERR_PROOF_ENCODING"
	// ErrMismatch: a readable field disagrees with the encoding it copies.
	ErrMismatch = "ERR_PROOF_MISMATCH"
	// ErrChain: the bundle is for another chain (chain id or genesis hash).
	ErrChain = "ERR_PROOF_CHAIN"
	// ErrValidators: a header names a validator set other than the one
	// genesis and the bundle's transitions lead to for its height, or the
	// bundle's validators part is not that set.
	ErrValidators = "ERR_PROOF_VALIDATORS"
	// ErrTransition: a validator-set transition does not follow from the
	// set before it: out of order, beyond the bundle's headers, a header
	// not naming the set in force or not naming the new set as the next,
	// a certificate without more than two thirds of the set in force (or
	// with a signature that does not verify), a set that does not change.
	ErrTransition = "ERR_PROOF_TRANSITION"
	// ErrTrust: at a height the verifier trusts a validator-set hash for
	// (qian verify --trust), the bundle leads to another set.
	ErrTrust = "ERR_PROOF_TRUST"
	// ErrTx: the transaction's signature does not verify, or it names
	// another chain.
	ErrTx = "ERR_PROOF_TX"
	// ErrInclusion: the transaction's path does not lead to the header's
	// transaction root.
	ErrInclusion = "ERR_PROOF_INCLUSION"
	// ErrCommit: the certificate does not certify the header with more
	// than two thirds of the power of the set of its height.
	ErrCommit = "ERR_PROOF_COMMIT"
	// ErrNext: block h+1's header does not follow the block (previous
	// hash, certificate hash, chain, height) or its certificate fails.
	ErrNext = "ERR_PROOF_NEXT"
	// ErrOutcome: the result is not the transaction's, or its path and
	// roots do not lead to the app hash header h+1 carries.
	ErrOutcome = "ERR_PROOF_OUTCOME"
	// ErrBatchItem: the item's path does not lead to the root the
	// transaction anchored.
	ErrBatchItem = "ERR_PROOF_BATCH_ITEM"
	// ErrNotFound: Build found no committed transaction with that hash.
	ErrNotFound = "ERR_PROOF_NOT_FOUND"

	// Notary certificates (certificate.go); a certificate's bundle fails
	// with the codes above.

	// ErrCertificateFormat: not a certificate of this version, or not spelt
	// as specified (unknown or repeated key, uppercase hex, a name with a
	// control character).
	ErrCertificateFormat = "ERR_CERTIFICATE_FORMAT"
	// ErrCertificate: the certificate states what its bundle does not
	// prove: another item or height, no batch item, no proven outcome, or
	// an anchoring the chain refused.
	ErrCertificate = "ERR_CERTIFICATE"
	// ErrCertificateFile: the file's SHA-256 is not the certificate's item.
	ErrCertificateFile = "ERR_CERTIFICATE_FILE"
)

func fail(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of a proof *Error in err's chain, or "".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
