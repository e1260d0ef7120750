package genesis

import (
	"bytes"
	"testing"
)

// FuzzParse: the genesis parser never panics; whatever it accepts renders
// back to JSON that parses to the same hash, and rendering is stable.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		out := d.JSON()
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse of rendered document: %v", err)
		}
		if again.Hash() != d.Hash() {
			t.Fatal("hash changed across render and parse")
		}
		if !bytes.Equal(again.JSON(), out) {
			t.Fatal("rendering is not stable")
		}
	})
}
