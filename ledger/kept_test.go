package ledger

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

// fresh is tx's fields without its kept encoding: what a transaction built
// in memory with the same fields encodes and hashes to.
func fresh(tx *Tx) *Tx {
	c := *tx
	c.enc, c.hash = nil, Hash{}
	c.Payload = bytes.Clone(tx.Payload)
	return &c
}

func decodedTx(t *testing.T) (*Tx, []byte) {
	t.Helper()
	tx := &Tx{ChainID: "qian-test", Nonce: 7, Contract: "notary", Method: "anchor", Payload: []byte("a payload of some bytes")}
	if err := tx.Sign(testKey(1)); err != nil {
		t.Fatal(err)
	}
	b := tx.Encode()
	got, err := DecodeTx(b)
	if err != nil {
		t.Fatal(err)
	}
	return got, b
}

// A decoded transaction serves the bytes it was decoded from, as a copy the
// caller owns, and the hash of its fields.
func TestADecodedTxEncodesAsItsInput(t *testing.T) {
	tx, b := decodedTx(t)
	if !bytes.Equal(tx.Encode(), b) || tx.EncodedLen() != len(b) || tx.Hash() != fresh(tx).Hash() {
		t.Fatal("decoded transaction does not encode or hash as its input")
	}
	out := tx.Encode()
	out[len(out)-1] ^= 1
	b[0] ^= 1 // the caller's buffer, which the transaction must not share
	if !bytes.Equal(tx.Encode(), fresh(tx).Encode()) || tx.Sig != fresh(tx).Sig {
		t.Fatal("a change to the caller's or a returned buffer reached the transaction")
	}
	if tx.kept() == nil {
		t.Fatal("decoded transaction keeps no encoding")
	}
}

// Every change of a field after decoding is seen: the transaction encodes,
// hashes and measures as one built in memory with the changed fields.
func TestADecodedTxChangedAfterDecodingIsEncodedAfresh(t *testing.T) {
	changes := map[string]func(*Tx){
		"chain id":          func(tx *Tx) { tx.ChainID = "qian-other" },
		"sender":            func(tx *Tx) { tx.Sender[0] ^= 1 },
		"nonce":             func(tx *Tx) { tx.Nonce++ },
		"contract":          func(tx *Tx) { tx.Contract = "trace" },
		"method":            func(tx *Tx) { tx.Method = "anchor_more" },
		"payload replaced":  func(tx *Tx) { tx.Payload = []byte("another payload") },
		"payload emptied":   func(tx *Tx) { tx.Payload = nil },
		"payload appended":  func(tx *Tx) { tx.Payload = append(tx.Payload, 'x') },
		"payload in place":  func(tx *Tx) { tx.Payload[3] ^= 1 },
		"signature":         func(tx *Tx) { tx.Sig[5] ^= 1 },
		"re-signed":         func(tx *Tx) { _ = tx.Sign(testKey(2)) },
		"nonce and back":    func(tx *Tx) { tx.Nonce++; tx.Nonce-- },
		"payload truncated": func(tx *Tx) { tx.Payload = tx.Payload[:4] },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			tx, b := decodedTx(t)
			sig := tx.Sig
			change(tx)
			want := fresh(tx)
			if !bytes.Equal(tx.Encode(), want.Encode()) || tx.Hash() != want.Hash() || tx.EncodedLen() != len(want.Encode()) {
				t.Fatal("changed transaction encodes, hashes or measures as it did before the change")
			}
			if name == "payload appended" && !bytes.Equal(tx.Encode()[len(b)+1-SignatureSize:], sig[:]) {
				t.Fatal("appending to the payload overwrote the kept encoding's signature")
			}
		})
	}
}

// A transaction of a decoded block whose fields are changed no longer
// matches the header's transaction root.
func TestATamperedTxOfADecodedBlockFailsTheRoot(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		blk := genBlock(rt)
		if len(blk.Txs) == 0 {
			rt.Skip("no transactions")
		}
		got, err := DecodeBlock(blk.Encode())
		if err != nil {
			rt.Fatal(err)
		}
		if TxRoot(got.Txs) != TxRoot(blk.Txs) {
			rt.Fatal("decoded block's transaction root differs")
		}
		i := rapid.IntRange(0, len(got.Txs)-1).Draw(rt, "tx")
		got.Txs[i].Nonce ^= 1
		if TxRoot(got.Txs) == TxRoot(blk.Txs) {
			rt.Fatal("changing a decoded transaction's nonce left the root unchanged")
		}
		got.Txs[i].Nonce ^= 1
		if TxRoot(got.Txs) != TxRoot(blk.Txs) || !bytes.Equal(got.Encode(), blk.Encode()) {
			rt.Fatal("changing it back did not restore the root and the encoding")
		}
	})
}

// The readers of a decoded transaction allocate nothing: the point of
// keeping the encoding.
func TestReadingADecodedTxAllocatesNothing(t *testing.T) {
	tx, _ := decodedTx(t)
	var h Hash
	n := testing.AllocsPerRun(100, func() {
		h = tx.Hash()
		_ = tx.EncodedLen()
		_ = tx.encoding()
	})
	if n != 0 || h != fresh(tx).Hash() {
		t.Fatalf("reading a decoded transaction allocated %.0f times per read", n)
	}
}

// The matcher accepts only what the encoder writes: a length in a longer
// varint than its shortest form is not the canonical encoding.
func TestTheMatcherRefusesALongVarint(t *testing.T) {
	for _, c := range []struct {
		b    []byte
		want bool
	}{{[]byte{0x00}, true}, {[]byte{0x80, 0x00}, false}, {[]byte{0x05}, false}} {
		m := matcher{b: c.b}
		m.uvarint(0)
		if m.done() != c.want {
			t.Errorf("matching 0 against % x: done() = %v, want %v", c.b, m.done(), c.want)
		}
	}
}

// DecodeBlockKnown takes a transaction from known only when its kept
// encoding is the block's byte for byte; any other candidate (another
// transaction, one changed since it was decoded, one built in memory) is
// ignored and the transaction decoded, so the block is the same either way.
func TestDecodeBlockKnownTakesOnlyExactMatches(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		blk := genBlock(rt)
		enc := blk.Encode()
		plain, err := DecodeBlock(enc)
		if err != nil {
			rt.Fatal(err)
		}
		// Candidates: for each transaction, its own decoding (taken), a
		// decoding changed afterwards, another transaction's, one built
		// in memory, one with the same fields and another signature, or
		// none.
		offered := make([]*Tx, len(plain.Txs))
		taken := make([]bool, len(plain.Txs))
		for i, tx := range plain.Txs {
			own, err := DecodeTx(tx.Encode())
			if err != nil {
				rt.Fatal(err)
			}
			switch rapid.IntRange(0, 5).Draw(rt, "candidate") {
			case 0:
				offered[i], taken[i] = own, true
			case 1:
				own.Nonce ^= 1
				offered[i] = own
			case 2:
				other := &Tx{ChainID: tx.ChainID, Nonce: tx.Nonce + 1, Contract: tx.Contract, Method: tx.Method, Payload: tx.Payload}
				_ = other.Sign(testKey(3))
				o, _ := DecodeTx(other.Encode())
				offered[i] = o
			case 3:
				offered[i] = fresh(own)
			case 4:
				// The same fields (the same hash), another signature:
				// DecodeTx does not check signatures.
				b := tx.Encode()
				b[len(b)-1] ^= 1
				o, err := DecodeTx(b)
				if err != nil {
					rt.Fatal(err)
				}
				offered[i] = o
			}
		}
		next := 0
		got, err := DecodeBlockKnown(enc, func(raw []byte) *Tx {
			c := offered[next]
			next++
			return c
		})
		if err != nil {
			rt.Fatal(err)
		}
		if next != len(plain.Txs) || !bytes.Equal(got.Encode(), enc) || got.Hash() != plain.Hash() || TxRoot(got.Txs) != TxRoot(plain.Txs) {
			rt.Fatal("a block decoded with known transactions differs from one decoded alone")
		}
		for i, tx := range got.Txs {
			if (tx == offered[i]) != taken[i] {
				rt.Fatalf("transaction %d: candidate taken %v, want %v", i, tx == offered[i], taken[i])
			}
		}
	})
}
