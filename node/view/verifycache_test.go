package view

import (
	"reflect"
	"testing"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/ledger"
)

// A consumer page view verifies the lot's timeline once; later views are
// answered from the final verifications remembered, with the same result,
// and verify no proof bundle again. To see that, the reader's anchor is
// switched to another chain id after the first view: any bundle verified
// again would now fail. (Before, every view built and verified every
// bundle again: a flood of page views within a client's read budget kept
// the node's cores busy verifying signatures.)
func TestLotVerificationIsRemembered(t *testing.T) {
	r := storyReader(t)
	view := func() *Lot {
		l, err := r.Lot(demo.DemoLot)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.VerifyLot(l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	first := view()
	if v := first.Verification; v == nil || !v.Verified || v.Failed != 0 || v.Records < 2 {
		t.Fatalf("first view: %+v", v)
	}
	r.anchor.Chain = ledger.NewChainIdentity("another-chain", r.anchor.Chain.GenesisHash())
	for i := 0; i < 3; i++ {
		again := view()
		if !reflect.DeepEqual(again.Verification, first.Verification) {
			t.Fatalf("view %d verified again: %+v, first %+v", i+2, again.Verification, first.Verification)
		}
	}
}

// The cache keeps only final verifications and at most its bound, the
// oldest going first.
func TestVerifiedCacheBounds(t *testing.T) {
	c := newVerifiedCache(2)
	final := func(b byte) *Verification {
		v := &Verification{Verified: true, InChain: true, ResultProven: true}
		v.TxHash[0] = b
		return v
	}
	notFinal := final(9)
	notFinal.ResultProven = false
	c.put(notFinal)
	if _, ok := c.get(notFinal.TxHash); ok {
		t.Fatal("a verification whose result is not yet proven was kept")
	}
	c.put(final(1))
	c.put(final(2))
	c.put(final(3))
	if _, ok := c.get(final(1).TxHash); ok {
		t.Fatal("the oldest entry was not evicted")
	}
	for _, b := range []byte{2, 3} {
		if _, ok := c.get(final(b).TxHash); !ok {
			t.Fatalf("entry %d lost", b)
		}
	}
	v, _ := c.get(final(2).TxHash)
	v.Records = 7
	if w, _ := c.get(final(2).TxHash); w.Records != 0 {
		t.Fatal("a caller's change reached the cache")
	}
}
