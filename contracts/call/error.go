package call

import (
	"errors"
	"fmt"
)

// Error is a rejection: a stable Code a program can switch on and a
// sentence a person can read. Every rejection a contract makes, and every
// problem the client-side helpers (EPCIS capture, notary certificates) find,
// is an *Error. Codes never change meaning once released; docs/state.md
// lists them all.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with code and a formatted sentence.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns err's code if it is (or wraps) an *Error, else "".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// AsError returns err as an *Error if it is (or wraps) one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// PayloadError turns a payload decoding failure into a rejection: an
// *Error passes through (a decoder's semantic check already chose its code),
// anything else becomes ERR_PAYLOAD.
func PayloadError(err error) error {
	if e, ok := AsError(err); ok {
		return e
	}
	return Errorf(ErrPayload, "%v", err)
}
