//go:build !verifierwasm

package verifier

// embedded is empty in a qian built without -tags verifierwasm.
var embedded []byte
