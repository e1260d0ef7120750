package ledger

import (
	"bytes"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// Every type: decode(encode(x)) == x, and the bytes come back identical.
func checkRoundTrip[T any](t *rapid.T, x T, enc func(T) []byte, dec func([]byte) (T, error)) {
	b := enc(x)
	y, err := dec(b)
	if err != nil {
		t.Fatalf("decode of a valid encoding failed: %v", err)
	}
	if !bytes.Equal(enc(y), b) {
		t.Fatal("re-encoding gave different bytes")
	}
	forgetEncodings(any(y))
	if !reflect.DeepEqual(x, y) {
		t.Fatalf("round trip changed the value:\n got %+v\nwant %+v", y, x)
	}
	if !bytes.Equal(enc(y), b) {
		t.Fatal("encoding the decoded fields afresh gave different bytes")
	}
}

// forgetEncodings clears the encodings decoded transactions keep, which a
// transaction built in memory does not have, so that the two compare equal.
func forgetEncodings(v any) {
	switch v := v.(type) {
	case *Tx:
		v.enc, v.hash = nil, Hash{}
	case *Block:
		for _, tx := range v.Txs {
			forgetEncodings(tx)
		}
	}
}

func TestRoundTripTx(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		checkRoundTrip(t, genTx(t), (*Tx).Encode, DecodeTx)
	})
}

func TestRoundTripVote(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		checkRoundTrip(t, genVote(t), (*Vote).Encode, DecodeVote)
	})
}

func TestRoundTripProposal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		checkRoundTrip(t, genProposal(t), (*Proposal).Encode, DecodeProposal)
	})
}

func TestRoundTripCommit(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		checkRoundTrip(t, genCommit(t), (*Commit).Encode, DecodeCommit)
	})
}

func TestRoundTripHeader(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := genHeader(t, genChainID.Draw(t, "chain"), rapid.Uint64Range(1, 1<<62).Draw(t, "height"))
		checkRoundTrip(t, &h, (*Header).Encode, DecodeHeader)
	})
}

func TestRoundTripEvidence(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		checkRoundTrip(t, genEvidence(t), (*DuplicateVoteEvidence).Encode, DecodeEvidence)
	})
}

func TestRoundTripBlock(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		checkRoundTrip(t, genBlock(t), (*Block).Encode, DecodeBlock)
	})
}

func TestRoundTripValidatorSet(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 10).Draw(t, "n")
		var vals []Validator
		for i := 0; i < n; i++ {
			k := testKey(uint64(i + 1))
			vals = append(vals, Validator{PubKey: k.PublicKey(), Power: rapid.Uint64Range(1, MaxVotingPower).Draw(t, "power")})
		}
		set, err := NewValidatorSet(vals)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeValidatorSet(set.Encode())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Validators, set.Validators) || got.TotalPower() != set.TotalPower() || got.Hash() != set.Hash() {
			t.Fatal("validator set changed in a round trip")
		}
	})
}

// testKey returns the private key with scalar n: fixed keys for vectors.
func testKey(n uint64) PrivateKey {
	var b [32]byte
	for i := 0; i < 8; i++ {
		b[31-i] = byte(n >> (8 * i))
	}
	k, err := PrivateKeyFromBytes(b[:])
	if err != nil {
		panic(err)
	}
	return k
}

// A block's length and its appended encoding agree with Encode, for a block
// built in memory and for one decoded (whose transactions keep their bytes),
// and appending into exactly EncodedLen spare bytes writes in place: the
// store and the consensus frames rely on both to encode a block straight
// into memory they hold.
func TestBlockEncodedLenAndAppendEncodingAgreeWithEncode(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		built := genBlock(t)
		want := built.Encode()
		decoded, err := DecodeBlock(want)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		prefix := rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "prefix")
		for name, b := range map[string]*Block{"built": built, "decoded": decoded} {
			if n := b.EncodedLen(); n != len(want) {
				t.Fatalf("%s: EncodedLen %d, encoding %d bytes", name, n, len(want))
			}
			dst := append(make([]byte, 0, len(prefix)+len(want)), prefix...)
			got := b.AppendEncoding(dst)
			if !bytes.Equal(got[:len(prefix)], prefix) || !bytes.Equal(got[len(prefix):], want) {
				t.Fatalf("%s: AppendEncoding is not prefix ‖ Encode", name)
			}
			if &got[0] != &dst[:1][0] {
				t.Fatalf("%s: AppendEncoding moved an exactly sized buffer", name)
			}
		}
	})
}
