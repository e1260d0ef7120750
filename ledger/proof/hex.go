package proof

import (
	"encoding/hex"
	"fmt"
)

// Hex is bytes written as lowercase hexadecimal in JSON. Reading accepts
// only lowercase digits, so that a bundle has one spelling: "AB" and "ab"
// would decode to the same bytes, and a verifier that accepted both would
// let a changed byte of the file go unnoticed.
type Hex []byte

func (h Hex) MarshalText() ([]byte, error) {
	out := make([]byte, hex.EncodedLen(len(h)))
	hex.Encode(out, h)
	return out, nil
}

func (h *Hex) UnmarshalText(b []byte) error {
	if len(b)%2 != 0 {
		return fmt.Errorf("odd number of hex digits (%d)", len(b))
	}
	for i, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return fmt.Errorf("character %d (%q) is not a lowercase hex digit", i, c)
		}
	}
	out := make([]byte, len(b)/2)
	if _, err := hex.Decode(out, b); err != nil {
		return err
	}
	*h = out
	return nil
}

func (h Hex) String() string { return hex.EncodeToString(h) }
