package proof

import (
	"encoding/hex"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// The app-hash test vector of docs/state.md section 2, block 1: two result
// leaves, their results root, the writes root, and AppHash(0) -> AppHash(1).
var (
	vectorLeaf0 = "8067f26f192790273fa0130515fb537982a759f39e5ad1a28136026b2c8c8c92024f4b00010f6e6f746172792e616e63686f7265640304686173684035626662623538363638383739353834383966646238386162376539383631613439383462666266313865623032333535613732356464306136663266613463046b696e640865766964656e6365036f7267046661726d"
	vectorLeaf1 = "db88a5abeecf3dec0cb5bf077ee6f2bb095d15ebc75f2713f827c43b4b9d4598144552525f414c52454144595f414e43484f524544d6016861736820356266626235383636383837393538343839666462383861623765393836316134393834626662663138656230323335356137323564643061366632666134632077617320616c726561647920616e63686f7265642061732065766964656e6365206279206661726d2061742068656967687420312028323032352d30342d31305431363a30303a30305a2c20747820383036376632366631393237393032373366613031333035313566623533373938326137353966333965356164316132383133363032366232633863386339322900"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustHash(t *testing.T, s string) ledger.Hash {
	t.Helper()
	h, err := ledger.ParseHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestStateVector(t *testing.T) {
	l0, l1 := mustHex(t, vectorLeaf0), mustHex(t, vectorLeaf1)
	r0, err := DecodeResult(l0)
	if err != nil {
		t.Fatal(err)
	}
	if r0.Code != "OK" || len(r0.Events) != 1 || r0.Events[0].Type != "notary.anchored" || len(r0.Events[0].Attrs) != 3 ||
		r0.Events[0].Attrs[2] != (Attr{Key: "org", Value: "farm"}) || r0.TxHash != mustHash(t, "8067f26f192790273fa0130515fb537982a759f39e5ad1a28136026b2c8c8c92") {
		t.Fatalf("leaf 0: %+v", r0)
	}
	r1, err := DecodeResult(l1)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Code != "ERR_ALREADY_ANCHORED" || len(r1.Events) != 0 ||
		r1.Message != "hash 5bfbb5866887958489fdb88ab7e9861a4984bfbf18eb02355a725dd0a6f2fa4c was already anchored as evidence by farm at height 1 (2025-04-10T16:00:00Z, tx 8067f26f192790273fa0130515fb537982a759f39e5ad1a28136026b2c8c8c92)" {
		t.Fatalf("leaf 1: %+v", r1)
	}
	for i, l := range [][]byte{l0, l1} {
		r, _ := DecodeResult(l)
		if hex.EncodeToString(EncodeResult(r)) != hex.EncodeToString(l) {
			t.Fatalf("leaf %d does not re-encode to itself", i)
		}
	}
	rr := ledger.Hash(merkle.RootOf([][]byte{l0, l1}))
	if rr != mustHash(t, "bb3f0e10f3c2597b007e4f5ca2ab455f0c197da11cc5daef7d5f68a3fa27b936") {
		t.Fatalf("results root %s", rr)
	}
	// docs/state.md: AppHash(0), block 1's writes root (its writes tree and
	// the state digest after it), the results root above.
	got := AppHashLink(mustHash(t, "f8a4b572ba99d1aa9325e9db7b0a023b84286e8643d46040269d9ea162c4bc69"), 1,
		mustHash(t, "f4e01a2710d06413e7ddc345278acb9ae1d3cc1472e1a61b09362c176145d51d"), rr)
	if got != mustHash(t, "e23f22b096b5bc2a60882c875d2e26ceca20d018ae6ae22a8e385c43df5abf1e") {
		t.Fatalf("AppHash(1) = %s", got)
	}
}

func TestDecodeResultRefuses(t *testing.T) {
	good := mustHex(t, vectorLeaf0)
	cases := map[string][]byte{
		"empty":                 nil,
		"short hash":            good[:31],
		"trailing byte":         append(append([]byte{}, good...), 0),
		"truncated":             good[:len(good)-1],
		"non-shortest varint":   append(append(append([]byte{}, good[:32]...), 0x82, 0x00), "OK"...),
		"invalid UTF-8 in code": append(append(append([]byte{}, good[:32]...), 2, 0xff, 0xfe), 0, 0),
		"event count too large": append(append(append([]byte{}, good[:32]...), 2, 'O', 'K', 0), 0xff, 0xff, 0x03),
	}
	for name, b := range cases {
		if _, err := DecodeResult(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestHexIsLowercaseOnly(t *testing.T) {
	var h Hex
	for _, s := range []string{"0A", "0", "zz", "0g"} {
		if err := h.UnmarshalText([]byte(s)); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	if err := h.UnmarshalText([]byte("0aff")); err != nil || len(h) != 2 || h[0] != 0x0a || h[1] != 0xff {
		t.Fatalf("0aff: %v %x", err, h)
	}
	if txt, _ := h.MarshalText(); string(txt) != "0aff" {
		t.Fatalf("marshal %s", txt)
	}
}
