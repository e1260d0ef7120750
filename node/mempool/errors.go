package mempool

import "fmt"

// Error is an admission rejection: a stable code and a sentence. The API
// returns it as JSON {code, message}.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Admission codes. docs/bad-input.md lists what reaches each.
const (
	ErrDecode           = "ERR_DECODE"            // not the canonical encoding of a transaction
	ErrTxTooLarge       = "ERR_TX_TOO_LARGE"      // over the genesis max_tx_bytes
	ErrWrongChain       = "ERR_WRONG_CHAIN"       // signed for another chain
	ErrBadSignature     = "ERR_BAD_SIGNATURE"     // the signature does not verify against the sender key
	ErrDuplicateTx      = "ERR_DUPLICATE_TX"      // already waiting in the mempool
	ErrAlreadyCommitted = "ERR_ALREADY_COMMITTED" // already in the chain: a replay
	ErrSenderLimit      = "ERR_SENDER_LIMIT"      // the sender has too many transactions waiting
	ErrMempoolFull      = "ERR_MEMPOOL_FULL"      // the mempool is at its count or byte capacity
)
