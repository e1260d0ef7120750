package keyring

import (
	"bytes"
	"testing"
)

// FuzzParseFile: the key file parser never panics, and whatever it accepts
// re-renders to the same bytes up to white space (one spelling per file).
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseFile(b)
		if err != nil {
			return
		}
		again, err := parseFile(marshalFile(s))
		if err != nil {
			t.Fatalf("re-parse of accepted file: %v", err)
		}
		if *again != *s {
			t.Fatal("re-parse differs")
		}
	})
}

// FuzzParseArmor: the armor parser never panics, and what it accepts
// re-renders to identical bytes.
func FuzzParseArmor(f *testing.F) {
	f.Add([]byte("-----BEGIN QIAN ENCRYPTED PRIVATE KEY-----\n-----END QIAN ENCRYPTED PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseArmor(b)
		if err != nil {
			return
		}
		out := marshalArmor(s)
		again, err := parseArmor(out)
		if err != nil {
			t.Fatalf("re-parse of accepted armor: %v", err)
		}
		if *again != *s || !bytes.Equal(marshalArmor(again), out) {
			t.Fatal("re-parse differs")
		}
	})
}
