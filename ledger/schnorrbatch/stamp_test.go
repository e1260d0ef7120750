package schnorrbatch

import (
	"crypto/sha256"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/qianchain/qianchain/ledger"
)

// keyOnlyForgery returns a signature of msg "by" key that is valid only if
// the key's e·P term is left out of the check: R = s·G, so s·G - R = 0 and
// the signature satisfies the equation without the e·P term it still needs.
// No key owner took part; whoever verifies it alone rejects it.
func keyOnlyForgery(t *testing.T, key ledger.PublicKey, msg ledger.Hash) Item {
	t.Helper()
	var s btcec.ModNScalar
	s.SetInt(987654321)
	var R btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&s, &R)
	R.ToAffine()
	if R.Y.IsOdd() { // BIP-340's R has even y: use -s, whose point is -R
		s.Negate()
		btcec.ScalarBaseMultNonConst(&s, &R)
		R.ToAffine()
	}
	it := Item{Key: key, Msg: msg}
	R.X.PutBytesUnchecked(it.Sig[:32])
	sb := s.Bytes()
	copy(it.Sig[32:], sb[:])
	if refVerify(it) {
		t.Fatal("the forgery verifies on its own; the test proves nothing")
	}
	return it
}

// checkItems runs one batch check of items on b, with fresh coefficients.
func checkItems(t *testing.T, b *batch, items []Item) bool {
	t.Helper()
	if !b.prepare(items, nil, nil, true) {
		t.Fatal("well-formed items refused by prepare")
	}
	b.drawCoefficients(items)
	return b.check(b.allIndexes(len(items)))
}

// TestStampWrapKeepsEveryKeyTerm forces the key-stamp counter of one scratch
// through its wrap, after a larger batch has left stamps in the part of the
// table beyond the wrapping batch's keys, and counts on until the counter
// meets those stamps again. An old stamp equal to the current one makes
// check skip that key's a·e·P term (and keep its stale coefficient), so a
// forged R = s·G signature by that key would pass. It must be rejected.
func TestStampWrapKeepsEveryKeyTerm(t *testing.T) {
	pool := itemPool(t)
	b := &batch{scratch: &scratch{keyIdx: make(map[[32]byte]int32)}, h: sha256.New()}

	// A batch of eight keys stamps table entries 0..7 with 6.
	b.stamp = 5
	if !checkItems(t, b, pool[:8]) {
		t.Fatal("valid batch rejected")
	}
	old := b.stamp
	// Jump to the counter's last value (as if every value in between had
	// been used): the next check, of one key, wraps.
	b.stamp = 0
	b.stamp--
	if !checkItems(t, b, pool[:1]) {
		t.Fatal("valid single item rejected at the wrap")
	}
	// One-key checks touch only entry 0 until the counter is one short of
	// the old stamp.
	for b.stamp+1 != old {
		if !checkItems(t, b, pool[:1]) {
			t.Fatal("valid single item rejected after the wrap")
		}
	}
	// Now a valid signature by key 0 and a forgery by key 1, whose table
	// entry still holds the old stamp.
	forged := []Item{pool[0], keyOnlyForgery(t, pool[1].Key, testMsg(1<<20))}
	if checkItems(t, b, forged) {
		t.Fatalf("the check after the wrap (stamp %d) accepted a forged R = s·G signature", b.stamp)
	}
	// The public path agrees.
	if Verify(forged) || !equalInts(VerifyEach(forged), []int{1}) {
		t.Fatal("Verify or VerifyEach accepted the forgery")
	}
}
