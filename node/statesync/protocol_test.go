package statesync

import (
	"bytes"
	"errors"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// TestRequestCodec: requests round-trip; a request of unknown kind or the
// wrong length is refused (the server marks it invalid: a strike).
func TestRequestCodec(t *testing.T) {
	id := ledger.Sum([]byte("x"))
	for _, r := range []request{{kind: kindList}, {kind: kindManifest, height: 7, id: id}, {kind: kindChunk, height: 7, id: id, chunk: 3}} {
		got, err := decodeRequest(encodeRequest(r))
		if err != nil || got != r {
			t.Fatalf("%+v: %+v, %v", r, got, err)
		}
	}
	for _, b := range [][]byte{nil, {0}, {9}, {kindList, 0}, {kindManifest, 1, 2}, append(encodeRequest(request{kind: kindChunk, id: id}), 0)} {
		if _, err := decodeRequest(b); err == nil {
			t.Fatalf("request %x accepted", b)
		}
	}
}

// TestOffersCodec: a list round-trips; one that is cut short, names more
// than MaxOffers or an empty snapshot is refused as undecodable (the
// joiner penalises its sender).
func TestOffersCodec(t *testing.T) {
	offers := []Offer{{Height: 5, ID: ledger.Sum([]byte("a")), Chunks: 2}, {Height: 10, ID: ledger.Sum([]byte("b")), Chunks: 1}}
	enc := encodeOffers(offers)
	got, err := decodeOffers(enc)
	if err != nil || len(got) != 2 || got[1] != offers[1] {
		t.Fatalf("%+v, %v", got, err)
	}
	if !bytes.Equal(encodeOffers(got), enc) {
		t.Fatal("offers do not re-encode to the same bytes")
	}
	many := append([]byte{MaxOffers + 1}, make([]byte, (MaxOffers+1)*offerSize)...)
	empty := encodeOffers([]Offer{{Height: 5, ID: offers[0].ID}})
	for _, b := range [][]byte{nil, enc[:len(enc)-1], many, empty} {
		if _, err := decodeOffers(b); !errors.Is(err, errDecode) {
			t.Fatalf("offers %x: %v", b, err)
		}
	}
}
