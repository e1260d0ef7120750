package snapshot

import "fmt"

// Error is a snapshot refused: a stable code and a sentence naming what
// failed. docs/bad-input.md lists the codes.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Codes.
const (
	// ErrFormat: not a snapshot file or manifest of this format, or one
	// whose sizes exceed the limits.
	ErrFormat = "ERR_SNAPSHOT_FORMAT"
	// ErrChain: the snapshot is for another chain.
	ErrChain = "ERR_SNAPSHOT_CHAIN"
	// ErrProof: the header that carries the snapshot's app hash is not
	// proven from genesis (a transition, certificate or signature fails),
	// or the snapshot carries no such header.
	ErrProof = "ERR_SNAPSHOT_PROOF"
	// ErrManifest: the manifest's app-hash inputs or chain material do not
	// give the proven header's app hash, or disagree with it.
	ErrManifest = "ERR_SNAPSHOT_MANIFEST"
	// ErrChunk: a chunk's hash differs from the manifest's, or its entries
	// do not decode or are out of order.
	ErrChunk = "ERR_SNAPSHOT_CHUNK"
	// ErrState: every chunk matched the manifest, but the state they hold
	// is not the state the proven app hash commits to (the manifest's
	// chunk list is wrong).
	ErrState = "ERR_SNAPSHOT_STATE"
)

func fail(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns err's code, or "" when it is not an *Error.
func CodeOf(err error) string {
	if e, ok := err.(*Error); ok {
		return e.Code
	}
	return ""
}
