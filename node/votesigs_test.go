package node

import (
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// TestVoteSigsRemembersOnlyWhatVerified: a remembered signature answers
// only for its own key and message; a forged one is refused whatever the
// record holds; eviction forgets the oldest.
func TestVoteSigsRemembersOnlyWhatVerified(t *testing.T) {
	k, err := ledger.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ledger.GenerateKey()
	msg, msg2 := ledger.Sum([]byte("vote a")), ledger.Sum([]byte("vote b"))
	sig, _ := k.Sign(msg)
	v := newVoteSigs()
	if !v.Verify(k.PublicKey(), msg, sig) || !v.Verify(k.PublicKey(), msg, sig) {
		t.Fatal("a valid signature refused")
	}
	if v.Verify(k.PublicKey(), msg2, sig) {
		t.Error("a remembered signature accepted for another message")
	}
	if v.Verify(other.PublicKey(), msg, sig) {
		t.Error("a remembered signature accepted for another key")
	}
	forged := sig
	forged[63] ^= 1
	if v.Verify(k.PublicKey(), msg, forged) {
		t.Error("a forged signature accepted")
	}
	high := sig // s + n is BIP-340's s out of range: refused like ledger.PublicKey.Verify does
	for i := range 32 {
		high[32+i] = 0xff
	}
	if v.Verify(k.PublicKey(), msg, high) != k.PublicKey().Verify(msg, high) {
		t.Error("verdict differs from ledger.PublicKey.Verify")
	}
	for i := range voteSigsKept {
		m := ledger.Sum([]byte{byte(i), byte(i >> 8)})
		s, _ := k.Sign(m)
		v.Verify(k.PublicKey(), m, s)
	}
	v.mu.Lock()
	_, kept := v.set[voteSig{k.PublicKey(), msg, sig}]
	n := len(v.set)
	v.mu.Unlock()
	if kept || n != voteSigsKept {
		t.Errorf("after %d more: first still kept %v, %d kept", voteSigsKept, kept, n)
	}
}
