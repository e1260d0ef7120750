package nodekey

import "testing"

// FuzzParseNodeKey: the node key parser never panics, and an accepted file
// yields a key whose peer id is the one the file names.
func FuzzParseNodeKey(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sk, id, err := parseNodeKey("fuzz", b)
		if err != nil {
			return
		}
		if !id.MatchesPrivateKey(sk) {
			t.Fatal("accepted a node key whose peer id does not match")
		}
	})
}

// FuzzParseValidatorKey: the validator key parser never panics.
func FuzzParseValidatorKey(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := parseValidatorKey("fuzz", b)
		if err != nil {
			return
		}
		if k.IsZero() {
			t.Fatal("accepted an empty key")
		}
	})
}
