//go:build !amd64

package statedigest

// cleanUpperState has nothing to do where BLAKE3 runs no AVX-512 code.
func cleanUpperState() {}

// upperDirty: no upper register state to speak of here.
func upperDirty() (dirty, known bool) { return false, true }
