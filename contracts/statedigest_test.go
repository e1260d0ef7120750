package contracts_test

import (
	"testing"

	"github.com/qianchain/qianchain/ledger/statedigest"
)

// TestStateDigestIsTheWholeState: after the demo story (organisations,
// accounts, lots made, packed, unpacked, shipped, recalled, anchors — keys
// added, rewritten and deleted), the Sum the executor kept block by block
// is the Sum computed from scratch over the whole state and every committed
// transaction. A snapshot restorer computes the second; the app hash
// commits to the first.
func TestStateDigestIsTheWholeState(t *testing.T) {
	c, _ := demoWorld(t)
	var want statedigest.Sum
	var h statedigest.Hasher
	if err := c.Store.Iterate(nil, nil, func(k, v []byte) bool {
		h.AddState(&want, k, v)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	deletes, rewrites := 0, 0
	for i, hs := range c.TxHashes {
		for j, tx := range hs {
			h.AddTx(&want, tx, uint64(i+1), uint32(j))
		}
	}
	for _, res := range c.Results {
		for _, w := range res.Writes {
			if w.Value == nil {
				deletes++
			} else {
				rewrites++
			}
		}
	}
	if deletes == 0 {
		t.Fatal("the story deleted no key: the test would not check removal")
	}
	if c.State != want {
		t.Fatalf("the executor's state digest %s differs from the digest of the whole state %s (%d blocks, %d deletes, %d sets)",
			c.State.Digest(), want.Digest(), len(c.Results), deletes, rewrites)
	}
}
