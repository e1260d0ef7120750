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

// FuzzParseJoinRequest: the request file parser never panics; whatever it
// accepts has signatures that hold, renders back to the same file and
// refuses with a stable code.
func FuzzParseJoinRequest(f *testing.F) {
	v, _ := testRequest(f, ceremonyChain, 0, false)
	o, _ := testRequest(f, ceremonyChain, 3, true)
	f.Add(v.JSON())
	f.Add(o.JSON())
	f.Add([]byte(`{"type":"qian-join-request","version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseJoinRequest(b, "fuzz")
		if err != nil {
			if c := ceremonyCode(err); c != CodeInvalidRequest && c != CodeBadSignature {
				t.Fatalf("refusal without a request code: %v", err)
			}
			return
		}
		again, err := ParseJoinRequest(r.JSON(), "fuzz")
		if err != nil {
			t.Fatalf("re-parse of a rendered request: %v", err)
		}
		if again.Message() != r.Message() || !bytes.Equal(again.JSON(), r.JSON()) {
			t.Fatal("request changed across render and parse")
		}
	})
}
