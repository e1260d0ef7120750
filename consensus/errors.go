package consensus

// Code is a stable name for a reason the machine rejected an input. Callers
// may count rejections by code; the codes never change meaning.
type Code string

const (
	CodeNotStarted       Code = "not-started"       // no height started yet
	CodeMalformed        Code = "malformed"         // a required field is missing or out of range
	CodeStaleHeight      Code = "stale-height"      // for a height already decided here
	CodeFutureHeight     Code = "future-height"     // for a height beyond the next one, or the buffer is full
	CodeUnknownValidator Code = "unknown-validator" // names a validator index outside the set
	CodeBadSignature     Code = "bad-signature"     // the signature does not verify
	CodeNotProposer      Code = "not-proposer"      // a proposal from a validator that is not the round's proposer
	CodeBlockMismatch    Code = "block-mismatch"    // the block's hash is not the one the proposal or commit names
	CodeInvalidBlock     Code = "invalid-block"     // the block fails the chain's or the application's checks
	CodeBadCommit        Code = "bad-commit"        // a catch-up commit that does not verify
	CodeRoundLimit       Code = "round-limit"       // a validator sent messages for too many future rounds
)

// Error is a rejected input: a stable code and a sentence.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return "consensus: " + string(e.Code) + ": " + e.Msg }

// Is makes errors.Is(err, &Error{Code: c}) match any error with code c.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Msg == "" || t.Msg == e.Msg)
}

// Sentinels for errors.Is.
var (
	ErrNotStarted       = &Error{Code: CodeNotStarted}
	ErrMalformed        = &Error{Code: CodeMalformed}
	ErrStaleHeight      = &Error{Code: CodeStaleHeight}
	ErrFutureHeight     = &Error{Code: CodeFutureHeight}
	ErrUnknownValidator = &Error{Code: CodeUnknownValidator}
	ErrBadSignature     = &Error{Code: CodeBadSignature}
	ErrNotProposer      = &Error{Code: CodeNotProposer}
	ErrBlockMismatch    = &Error{Code: CodeBlockMismatch}
	ErrInvalidBlock     = &Error{Code: CodeInvalidBlock}
	ErrBadCommit        = &Error{Code: CodeBadCommit}
	ErrRoundLimit       = &Error{Code: CodeRoundLimit}
)

func reject(code Code, msg string) error { return &Error{Code: code, Msg: msg} }
