package disclosure_test

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/disclosure"
)

func TestDiscloseAndCheck(t *testing.T) {
	d, c, err := disclosure.New("farmerName", "王秀英", bytes.NewReader(bytes.Repeat([]byte{0x42}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if d.Commitment != hex.EncodeToString(c[:]) {
		t.Fatal("commitment in the disclosure differs")
	}
	if err := disclosure.Check(d, "farmerName", c); err != nil {
		t.Fatal(err)
	}
	wrong := d
	wrong.Value = "王秀兰"
	if call.CodeOf(disclosure.Check(wrong, "farmerName", c)) != call.ErrDisclosure {
		t.Fatal("a wrong value opened the commitment")
	}
	if call.CodeOf(disclosure.Check(d, "farmerPhone", c)) != call.ErrDisclosure {
		t.Fatal("the value opened a commitment to another field")
	}
	badSalt := d
	badSalt.Salt = "zz"
	if call.CodeOf(disclosure.Check(badSalt, "farmerName", c)) != call.ErrDisclosure {
		t.Fatal("a malformed salt passed")
	}
	// The field name and the value are length-prefixed: moving bytes between
	// them changes the commitment.
	var s [32]byte
	if disclosure.Commit("ab", "c", s) == disclosure.Commit("a", "bc", s) {
		t.Fatal("field/value boundary is ambiguous")
	}
	// Fresh salts differ, so equal values give unlinkable commitments.
	_, c1, _ := disclosure.New("phone", "13985400217", nil)
	_, c2, _ := disclosure.New("phone", "13985400217", nil)
	if c1 == c2 {
		t.Fatal("two commitments to the same value are equal")
	}
}

// A vector for outside implementations: field "farmerName", value "王秀英",
// salt 32 bytes of 0x42.
func TestCommitmentVector(t *testing.T) {
	var salt [32]byte
	for i := range salt {
		salt[i] = 0x42
	}
	got := disclosure.Commit("farmerName", "王秀英", salt)
	const want = "9360c227598ebab45a32130f9c05896e31a9146c83101e7aef482bc7a2b3e937"
	if hex.EncodeToString(got[:]) != want {
		t.Fatalf("commitment %x, want %s", got, want)
	}
}
