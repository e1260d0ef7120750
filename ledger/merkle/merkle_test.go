package merkle

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"pgregory.net/rapid"

	"github.com/qianchain/qianchain/internal/testenv"
)

type vectors struct {
	Leaves []string `json:"leaf_inputs_hex"`
	Roots  []string `json:"roots_hex_by_size"`
}

func loadVectors(t *testing.T) ([][]byte, []Hash) {
	raw, err := os.ReadFile(testenv.Fixture(t, "merkle/rfc6962-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var leaves [][]byte
	for _, s := range v.Leaves {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, b)
	}
	var roots []Hash
	for _, s := range v.Roots {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 32 {
			t.Fatalf("bad root %q", s)
		}
		roots = append(roots, Hash(b))
	}
	if len(roots) != len(leaves)+1 {
		t.Fatalf("fixture has %d leaves and %d roots", len(leaves), len(roots))
	}
	return leaves, roots
}

// TestReferenceRoots checks the roots published with transparency-dev/merkle
// for the empty tree and the trees of the first 1..8 reference leaves.
func TestReferenceRoots(t *testing.T) {
	leaves, roots := loadVectors(t)
	for n := 0; n <= len(leaves); n++ {
		if got := RootOf(leaves[:n]); got != roots[n] {
			t.Errorf("root of %d leaves = %x, want %x", n, got, roots[n])
		}
	}
}

// TestReferenceProofs proves every leaf of every reference tree and checks
// the proof against the published root.
func TestReferenceProofs(t *testing.T) {
	leaves, roots := loadVectors(t)
	for n := 1; n <= len(leaves); n++ {
		hashes := leafHashes(leaves[:n])
		for i := 0; i < n; i++ {
			p, err := Prove(hashes, uint64(i))
			if err != nil {
				t.Fatal(err)
			}
			if err := Verify(hashes[i], p, roots[n]); err != nil {
				t.Errorf("size %d index %d: %v", n, i, err)
			}
		}
	}
}

func leafHashes(data [][]byte) []Hash {
	out := make([]Hash, len(data))
	for i, d := range data {
		out[i] = LeafHash(d)
	}
	return out
}

// recursiveRoot is RFC 6962 section 2.1 written as the RFC writes it, to
// check the bottom-up construction against.
func recursiveRoot(leaves []Hash) Hash {
	switch len(leaves) {
	case 0:
		return EmptyRoot
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return NodeHash(recursiveRoot(leaves[:k]), recursiveRoot(leaves[k:]))
}

func TestRootMatchesRecursiveDefinition(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 300).Draw(t, "n")
		leaves := make([]Hash, n)
		for i := range leaves {
			leaves[i] = LeafHash([]byte{byte(i), byte(i >> 8)})
		}
		want := recursiveRoot(leaves)
		if got := Root(append([]Hash(nil), leaves...)); got != want {
			t.Fatalf("n=%d: bottom-up root %x, recursive %x", n, got, want)
		}
	})
}

func TestProofRoundTripAndTamper(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 200).Draw(t, "n")
		leaves := make([]Hash, n)
		for i := range leaves {
			leaves[i] = LeafHash([]byte{byte(i), byte(i >> 8), 7})
		}
		root := Root(append([]Hash(nil), leaves...))
		i := uint64(rapid.IntRange(0, n-1).Draw(t, "i"))
		p, err := Prove(leaves, i)
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(leaves[i], p, root); err != nil {
			t.Fatalf("valid proof rejected: %v", err)
		}
		if PathLen(i, uint64(n)) != len(p.Path) {
			t.Fatalf("PathLen(%d, %d) = %d, proof has %d", i, n, PathLen(i, uint64(n)), len(p.Path))
		}
		// A wrong index must fail (unless it is a different leaf with the
		// same hash, which cannot happen here: leaves are distinct).
		if n > 1 {
			j := uint64(rapid.IntRange(0, n-1).Filter(func(j int) bool { return uint64(j) != i }).Draw(t, "j"))
			q := p
			q.Index = j
			if Verify(leaves[i], q, root) == nil {
				t.Fatalf("proof verified with wrong index %d (true %d) in size %d", j, i, n)
			}
		}
		// A wrong size must fail whenever it changes the shape of the path.
		// (When it does not, the root cannot tell the sizes apart: the
		// leftmost leaf's path in trees of 3 and 4 leaves is two hashes
		// either way. That is why a verifier takes the size from a trusted
		// header, never from the proof; see docs/encoding.md.)
		for _, size := range []uint64{p.Size + 1, p.Size - 1, p.Size * 2} {
			if size == p.Size || size <= i {
				continue
			}
			if PathLen(i, size) == len(p.Path) {
				continue
			}
			q := p
			q.Size = size
			if Verify(leaves[i], q, root) == nil {
				t.Fatalf("proof verified with wrong size %d (true %d)", size, n)
			}
		}
		// A changed sibling must fail.
		if len(p.Path) > 0 {
			k := rapid.IntRange(0, len(p.Path)-1).Draw(t, "k")
			q := p
			q.Path = append([]Hash(nil), p.Path...)
			q.Path[k][rapid.IntRange(0, 31).Draw(t, "byte")] ^= 1
			if Verify(leaves[i], q, root) == nil {
				t.Fatal("proof verified with a changed sibling")
			}
		}
		// A wrong root must fail.
		bad := root
		bad[0] ^= 0x80
		if err := Verify(leaves[i], p, bad); !errors.Is(err, ErrRootMismatch) {
			t.Fatalf("wrong root: got %v", err)
		}
	})
}

func TestProofRejectsMalformed(t *testing.T) {
	leaves := leafHashes([][]byte{[]byte("a"), []byte("b"), []byte("c")})
	root := Root(append([]Hash(nil), leaves...))
	p, _ := Prove(leaves, 2)
	cases := []struct {
		name string
		p    Proof
		want error
	}{
		{"index equals size", Proof{Index: 3, Size: 3, Path: p.Path}, ErrIndexOutOfRange},
		{"zero size", Proof{Index: 0, Size: 0}, ErrIndexOutOfRange},
		{"extra sibling", Proof{Index: 2, Size: 3, Path: append(append([]Hash(nil), p.Path...), Hash{})}, ErrPathLength},
		{"missing sibling", Proof{Index: 2, Size: 3}, ErrPathLength},
		{"too long", Proof{Index: 0, Size: 1, Path: make([]Hash, MaxPathLen+1)}, ErrPathLength},
	}
	for _, c := range cases {
		if err := Verify(leaves[2], c.p, root); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := Prove(leaves, 3); err == nil {
		t.Error("Prove accepted an index out of range")
	}
}

func TestLeafAndNodeDomainsDiffer(t *testing.T) {
	a, b := LeafHash([]byte("a")), LeafHash([]byte("b"))
	node := NodeHash(a, b)
	// The same 64 bytes hashed as a leaf must not give the node hash.
	if LeafHash(append(append([]byte{}, a[:]...), b[:]...)) == node {
		t.Fatal("leaf and node hashes collide")
	}
	if !bytes.Equal(EmptyRoot[:], mustHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")) {
		t.Fatal("empty root is not SHA-256 of nothing")
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func BenchmarkRoot10000(b *testing.B) {
	leaves := make([]Hash, 10000)
	for i := range leaves {
		leaves[i] = LeafHash([]byte{byte(i), byte(i >> 8)})
	}
	work := make([]Hash, len(leaves))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(work, leaves)
		Root(work)
	}
}

func BenchmarkVerifyProof10000(b *testing.B) {
	leaves := make([]Hash, 10000)
	for i := range leaves {
		leaves[i] = LeafHash([]byte{byte(i), byte(i >> 8)})
	}
	root := Root(append([]Hash(nil), leaves...))
	p, _ := Prove(leaves, 4321)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if Verify(leaves[4321], p, root) != nil {
			b.Fatal("bad proof")
		}
	}
}

// A transaction root allocates nothing per leaf or per node: a block's
// roots hash thousands of each.
func TestRootsAllocateNothingPerHash(t *testing.T) {
	data := make([][]byte, 1000)
	for i := range data {
		data[i] = bytes.Repeat([]byte{byte(i)}, 263)
	}
	leaves := make([]Hash, len(data))
	allocs := testing.AllocsPerRun(10, func() {
		for i, d := range data {
			leaves[i] = LeafHash(d)
		}
		Root(leaves)
	})
	if allocs > 1 {
		t.Fatalf("1,000 leaves and their root: %.0f allocations, want at most 1", allocs)
	}
}
