package keyring

import (
	"path/filepath"
	"testing"
)

// BenchmarkUnlockDefault measures one unlock with the default scrypt
// parameters: the delay a person or a client command feels per key.
func BenchmarkUnlockDefault(b *testing.B) {
	k, err := Open(filepath.Join(b.TempDir(), "keys"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := k.Create("farm", pass); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := k.Unlock("farm", pass); err != nil {
			b.Fatal(err)
		}
	}
}
