package store

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// The writes root of docs/state.md's test vector: one set of key
// n/a/5bfb... (the block-1 anchor record).
func TestWritesRootVector(t *testing.T) {
	key := append([]byte("n/a/"), mustHex(t, "5bfbb5866887958489fdb88ab7e9861a4984bfbf18eb02355a725dd0a6f2fa4c")...)
	val := mustHex(t, "015bfbb5866887958489fdb88ab7e9861a4984bfbf18eb02355a725dd0a6f2fa4c02046661726df74c0cac18194d118b092ebbc29e6bf77b6b8f3732daebe74c3b49ae5778cc49000000000000000118350055fd6e00008067f26f192790273fa0130515fb537982a759f39e5ad1a28136026b2c8c8c9200000000355bfbb5866887958489fdb88ab7e9861a4984bfbf18eb02355a725dd0a6f2fa4c020968656c6c6f2e74787400000000000000000000")
	got := WritesTree([]Write{{Key: key, Value: val}})
	if got.String() != "89b2c538c957cf73184b6f9863cf55fd5a82a2cc936a0c7ce4eb9272cfe9fbfd" {
		t.Fatalf("writes tree %s", got)
	}
	digest, _ := ledger.ParseHash("992ce501901f48f0df642a1a92aaa40281c26f46d8738a79b8af25ec195360d4") // the state digest after block 1
	if got := WritesRoot([]Write{{Key: key, Value: val}}, digest); got.String() != "f4e01a2710d06413e7ddc345278acb9ae1d3cc1472e1a61b09362c176145d51d" {
		t.Fatalf("writes root %s", got)
	}
	if WritesTree(nil) != ledger.Hash(merkle.EmptyRoot) {
		t.Fatal("empty writes tree")
	}
	// A delete differs from a set of the empty value.
	if WritesTree([]Write{{Key: key}}) == WritesTree([]Write{{Key: key, Value: []byte{}}}) {
		t.Fatal("delete and empty set collide")
	}
}

// CommitBlock keeps each height's writes root.
func TestCommitKeepsWritesRoot(t *testing.T) {
	s, _ := openTemp(t)
	c := ledgertest.NewChain("qian-test", 4)
	commitN(t, s, c, 2, 1)
	want := WritesRoot([]Write{{Key: []byte("k/2"), Value: []byte("2")}}, ledger.Hash{}) // no state digest given
	if got, err := s.WritesRoot(2); err != nil || got != want {
		t.Fatalf("writes root of height 2: %s, %v; want %s", got, err, want)
	}
	if _, err := s.WritesRoot(3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("uncommitted height: %v", err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
