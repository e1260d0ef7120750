package statedigest

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"testing"

	"lukechampine.com/blake3"
	"pgregory.net/rapid"

	"github.com/qianchain/qianchain/ledger"
)

// naiveElement expands data lane by lane, with no word tricks: the
// reference the Hasher is held against.
func naiveElement(data []byte) [Lanes]uint16 {
	h := blake3.New(32, expansionKey[:])
	h.Write(data)
	buf := make([]byte, Size)
	if _, err := h.XOF().Read(buf); err != nil {
		panic(err)
	}
	var out [Lanes]uint16
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(buf[2*i:])
	}
	return out
}

func lanes(s *Sum) [Lanes]uint16 {
	var out [Lanes]uint16
	for i := range out {
		out[i] = s.Lane(i)
	}
	return out
}

// TestLaneArithmetic holds the word-wise addition and subtraction against
// lane-by-lane arithmetic modulo 2^16.
func TestLaneArithmetic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var a, b Sum
		var wa, wb [Lanes]uint16
		for i := range wa {
			wa[i] = rapid.Uint16().Draw(t, "a")
			wb[i] = rapid.Uint16().Draw(t, "b")
			a.w[i/4] |= uint64(wa[i]) << (16 * (i % 4))
			b.w[i/4] |= uint64(wb[i]) << (16 * (i % 4))
		}
		sum, diff := a, a
		sum.add(&b.w)
		diff.sub(&b.w)
		for i := range wa {
			if got, want := sum.Lane(i), wa[i]+wb[i]; got != want {
				t.Fatalf("lane %d: %d + %d = %d, got %d", i, wa[i], wb[i], want, got)
			}
			if got, want := diff.Lane(i), wa[i]-wb[i]; got != want {
				t.Fatalf("lane %d: %d - %d = %d, got %d", i, wa[i], wb[i], want, got)
			}
		}
	})
}

// TestSetNotSequence: the Sum of a set is the same whatever the order its
// elements arrive in and whatever was added and removed on the way.
func TestSetNotSequence(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		keys := rapid.SliceOfNDistinct(rapid.SliceOfN(rapid.Byte(), 1, 8), 1, 12, func(b []byte) string { return string(b) }).Draw(t, "keys")
		var h Hasher
		var fwd, back, churn Sum
		for _, k := range keys {
			h.AddState(&fwd, k, []byte("v"+string(k)))
		}
		for i := len(keys) - 1; i >= 0; i-- {
			h.AddState(&back, keys[i], []byte("v"+string(keys[i])))
			h.AddState(&churn, keys[i], []byte("old"))
			h.AddTx(&churn, ledger.Sum(keys[i]), 7, uint32(i))
		}
		for i, k := range keys {
			h.RemoveState(&churn, k, []byte("old"))
			h.AddState(&churn, k, []byte("v"+string(k)))
			ghost := append([]byte("ghost/"), k...)
			h.RemoveState(&churn, ghost, nil) // an element never added, removed...
			h.AddState(&churn, ghost, nil)    // ...and added back: no trace
			h.removeTx(&churn, ledger.Sum(k), 7, uint32(i))
		}
		if fwd != back || fwd != churn {
			t.Fatalf("the same set gave different sums")
		}
		var split1, split2 Sum
		for i, k := range keys {
			if i%2 == 0 {
				h.AddState(&split1, k, []byte("v"+string(k)))
			} else {
				h.AddState(&split2, k, []byte("v"+string(k)))
			}
		}
		split1.Combine(&split2)
		if split1 != fwd {
			t.Fatalf("combining the sums of two halves differs from the sum of the whole")
		}
	})
}

func (h *Hasher) removeTx(s *Sum, tx ledger.Hash, height uint64, pos uint32) {
	h.buf = TxData(h.buf[:0], tx, height, pos)
	s.sub(h.expand(h.buf))
}

// TestMatchesNaive: the Hasher's Sum is the lane-wise sum of BLAKE3
// expansions read in one piece, and elements of different kinds or
// boundaries differ.
func TestMatchesNaive(t *testing.T) {
	var h Hasher
	var s Sum
	var want [Lanes]uint16
	items := [][2][]byte{{[]byte("m/o/farm"), []byte("org")}, {[]byte("x/chain_id"), []byte("qian")}, {[]byte("k"), nil}}
	for _, it := range items {
		h.AddState(&s, it[0], it[1])
		e := naiveElement(StateData(nil, it[0], it[1]))
		for i := range want {
			want[i] += e[i]
		}
	}
	h.AddTx(&s, ledger.Sum([]byte("tx")), 3, 1)
	e := naiveElement(TxData(nil, ledger.Sum([]byte("tx")), 3, 1))
	for i := range want {
		want[i] += e[i]
	}
	if lanes(&s) != want {
		t.Fatal("the Hasher's sum differs from the lane-wise sum of the expansions")
	}
	// The key/value boundary is part of the element.
	if bytes.Equal(StateData(nil, []byte("ab"), []byte("c")), StateData(nil, []byte("a"), []byte("bc"))) {
		t.Fatal("two entries share element data")
	}
	dec, err := Decode(s.Encode())
	if err != nil || dec != s {
		t.Fatalf("decode(encode) = %v, %v", dec == s, err)
	}
	if _, err := Decode(make([]byte, Size-1)); err == nil {
		t.Fatal("a short sum decoded")
	}
}

// TestVector pins the digest of a small set, for docs/state.md and for an
// outside implementation to check against.
func TestVector(t *testing.T) {
	var empty Sum
	var h Hasher
	var s Sum
	h.AddState(&s, []byte("x/chain_id"), []byte("qian-vector"))
	h.AddTx(&s, ledger.Hash{}, 1, 0)
	for _, c := range []struct {
		name string
		got  ledger.Hash
		want string
	}{
		{"empty", empty.Digest(), "19e882e5926599f1e67a6e8084c4e9e6b4b2040e39afa42ac6a0272e7bcbabf8"},
		{"chain id + tx", s.Digest(), "388593d75dfc220dc1a59e5b192e954b09328b36640d0a52f8ad7af850628a25"},
	} {
		if c.got.String() != c.want {
			t.Errorf("%s: digest %s, want %s", c.name, c.got, c.want)
		}
	}
	if got := hex.EncodeToString(s.Encode()[:8]); got != "3db65691b2f174c2" {
		t.Errorf("first lanes %s", got)
	}
}

func BenchmarkAddState(b *testing.B) {
	var h Hasher
	var s Sum
	key, val := bytes.Repeat([]byte("k"), 40), bytes.Repeat([]byte("v"), 200)
	b.ReportAllocs()
	for b.Loop() {
		h.AddState(&s, key, val)
	}
}

// TestWriteLeafBytes pins the write leaf byte for byte: the app hash of
// every block depends on it, so any change must fail here first.
func TestWriteLeafBytes(t *testing.T) {
	long := bytes.Repeat([]byte{'v'}, 200) // a two-byte uvarint length
	for _, c := range []struct {
		name       string
		key, value []byte
		want       string
	}{
		{"delete", []byte("k1"), nil, "026b3100"},
		{"set to nothing", []byte("k1"), []byte{}, "026b310100"},
		{"set", []byte("k1"), []byte("ab"), "026b3101026162"},
		{"long value", []byte("k"), long, "016b01c801" + hex.EncodeToString(long)},
	} {
		got := AppendWriteLeaf([]byte{0xff}, c.key, c.value)
		if want := "ff" + c.want; hex.EncodeToString(got) != want {
			t.Errorf("%s: leaf %x, want %s", c.name, got, want)
		}
	}
}
