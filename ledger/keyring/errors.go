package keyring

import "errors"

// Stable errors. Every error the keyring returns wraps one of these, so a
// caller can tell them apart with errors.Is; the text around them names the
// key and the file.
var (
	// ErrInvalidName: a key name breaks the naming rule (see ValidateName).
	ErrInvalidName = errors.New("invalid key name")
	// ErrNotFound: no key of that name in the keyring.
	ErrNotFound = errors.New("key not found")
	// ErrExists: a key of that name already exists; keys are never overwritten.
	ErrExists = errors.New("key already exists")
	// ErrWrongPassphrase: the passphrase does not unlock the key.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrCorrupt: the key file or export armor is malformed or was altered.
	ErrCorrupt = errors.New("corrupted key file")
	// ErrInsecureMode: a key file, the keyring directory or a passphrase
	// file can be read or written by the group or by others.
	ErrInsecureMode = errors.New("insecure file mode")
	// ErrNoPassphrase: no passphrase source was available, or it was empty.
	ErrNoPassphrase = errors.New("no passphrase")
)
