package schnorrbatch

import (
	"encoding/csv"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// bipVector is one row of testdata/bip340-test-vectors.csv, the official
// BIP-340 test vectors (see testdata/README.md for the source).
type bipVector struct {
	index   string
	secret  string
	item    Item
	valid   bool
	comment string
}

func loadVectors(t *testing.T) []bipVector {
	t.Helper()
	f, err := os.Open("testdata/bip340-test-vectors.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 16 || rows[0][0] != "index" {
		t.Fatalf("want a header and 15 vectors, got %d rows", len(rows))
	}
	var out []bipVector
	for _, r := range rows[1:] {
		var v bipVector
		v.index, v.secret, v.comment = r[0], r[1], r[7]
		mustHex(t, r[2], v.item.Key[:])
		mustHex(t, r[4], v.item.Msg[:])
		mustHex(t, r[5], v.item.Sig[:])
		switch r[6] {
		case "TRUE":
			v.valid = true
		case "FALSE":
		default:
			t.Fatalf("vector %s: result %q", r[0], r[6])
		}
		out = append(out, v)
	}
	return out
}

func mustHex(t *testing.T, s string, dst []byte) {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(dst) {
		t.Fatalf("bad hex %q (want %d bytes)", s, len(dst))
	}
	copy(dst, b)
}

// TestVectorsFixture checks that the fixture holds what its comments say,
// so that a transcription error cannot weaken the tests below.
func TestVectorsFixture(t *testing.T) {
	vs := loadVectors(t)
	p := strings.Repeat("FF", 27) + "FEFFFFFC2F"
	n := strings.Repeat("FF", 15) + "FEBAAEDCE6AF48A03BBFD25E8CD0364141"
	if got := strings.ToUpper(hex.EncodeToString(vs[12].item.Sig[:32])); got != p {
		t.Errorf("vector 12: r = %s, want p", got)
	}
	if got := strings.ToUpper(hex.EncodeToString(vs[13].item.Sig[32:])); got != n {
		t.Errorf("vector 13: s = %s, want n", got)
	}
	if got := strings.ToUpper(hex.EncodeToString(vs[14].item.Key[:])); got != strings.Repeat("FF", 27)+"FEFFFFFC30" {
		t.Errorf("vector 14: key = %s, want p+1", got)
	}
	// Vectors 0-3 give the secret key: it must derive the listed public key.
	for _, v := range vs[:4] {
		var sk [32]byte
		mustHex(t, v.secret, sk[:])
		k, err := ledger.PrivateKeyFromBytes(sk[:])
		if err != nil {
			t.Fatalf("vector %s: %v", v.index, err)
		}
		if k.PublicKey() != v.item.Key {
			t.Errorf("vector %s: secret key derives %s, fixture says %s", v.index, k.PublicKey(), v.item.Key)
		}
	}
}

// TestVectorsSingle: each vector alone, through Verify and VerifyEach, with
// and without the key cache, and through the independent math/big
// implementation of BIP-340 in bigref_test.go.
func TestVectorsSingle(t *testing.T) {
	for _, v := range loadVectors(t) {
		for _, ver := range []*Verifier{NewVerifier(0), NewVerifier(64)} {
			for round := 0; round < 2; round++ { // the second round hits the cache
				if got := ver.Verify([]Item{v.item}); got != v.valid {
					t.Errorf("vector %s (%s): Verify = %v, want %v", v.index, v.comment, got, v.valid)
				}
				want := []int(nil)
				if !v.valid {
					want = []int{0}
				}
				if got := ver.VerifyEach([]Item{v.item}); !equalInts(got, want) {
					t.Errorf("vector %s: VerifyEach = %v, want %v", v.index, got, want)
				}
			}
		}
		if got := refVerify(v.item); got != v.valid {
			t.Errorf("vector %s: reference single verification = %v, want %v", v.index, got, v.valid)
		}
		if got := bigVerify(v.item); got != v.valid {
			t.Errorf("vector %s: math/big BIP-340 = %v, want %v", v.index, got, v.valid)
		}
	}
}

// TestVectorsInBatches: the valid vectors pass together and alongside many
// valid signatures; every invalid vector makes any batch containing it fail,
// wherever it sits (first position, whose coefficient is 1, or later), and
// VerifyEach names exactly it.
func TestVectorsInBatches(t *testing.T) {
	vs := loadVectors(t)
	good := itemPool(t)[:150] // large enough for Pippenger
	var valid []Item
	for _, v := range vs {
		if v.valid {
			valid = append(valid, v.item)
		}
	}
	if !Verify(valid) {
		t.Fatal("the valid vectors fail together")
	}
	all := append(append([]Item{}, good...), valid...)
	if !Verify(all) {
		t.Fatal("valid vectors with pool items fail")
	}
	for _, v := range vs {
		if v.valid {
			continue
		}
		for _, size := range []int{2, 5, 40, 150} {
			for _, pos := range []int{0, size / 2, size - 1} {
				batch := make([]Item, 0, size)
				batch = append(batch, good[:size-1]...)
				batch = append(batch[:pos], append([]Item{v.item}, batch[pos:]...)...)
				if Verify(batch) {
					t.Errorf("vector %s (%s) at %d of %d: batch accepted", v.index, v.comment, pos, size)
				}
				if got := VerifyEach(batch); !equalInts(got, []int{pos}) {
					t.Errorf("vector %s at %d of %d: VerifyEach = %v", v.index, pos, size, got)
				}
			}
		}
	}
}
