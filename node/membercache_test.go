package node

import (
	"bytes"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
	"github.com/qianchain/qianchain/ledger/store"
)

// TestMemberCacheMirrorsTheStore: the cache answers what the store holds,
// takes a stored block's writes, and forgets everything when asked for a
// height or a store it does not mirror, or after an execution that was not
// the one stored.
func TestMemberCacheMirrorsTheStore(t *testing.T) {
	st, err := store.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acct, org, other := []byte("m/a/k1"), []byte("m/o/farm"), []byte("t/lot")
	if err := st.InitGenesis(ledger.Hash{1}, ledgertest.NewChain("qian-test", 1).Validators, []store.Write{{Key: acct, Value: []byte("v1")}, {Key: org, Value: []byte("active")}, {Key: other, Value: []byte("x")}}, ledger.Hash{2}); err != nil {
		t.Fatal(err)
	}
	var c memberCache
	get := func(r *cachedState, k []byte) string {
		t.Helper()
		v, err := r.Get(k)
		if err != nil {
			t.Fatal(err)
		}
		return string(v)
	}
	r := c.reader(st, 1)
	if get(r, acct) != "v1" || get(r, org) != "active" || get(r, other) != "x" || get(r, []byte("m/a/none")) != "" {
		t.Fatal("first reads differ from the store")
	}
	// The caller owns what Get returns.
	v, _ := r.Get(acct)
	v[0] = 'X'
	if get(r, acct) != "v1" {
		t.Fatal("a caller's change reached the cache")
	}
	// Height 1 stored with a new account value and the organisation deleted.
	ex := &Execution{Writes: []store.Write{{Key: acct, Value: []byte("v2")}, {Key: org}}}
	c.executed(ex)
	c.committed(ex)
	r = c.reader(st, 2)
	if get(r, acct) != "v2" || get(r, org) != "" {
		t.Fatalf("after the block: %q %q, want the block's writes", get(r, acct), get(r, org))
	}
	// Another height: afresh (the store still says v1).
	if r = c.reader(st, 7); get(r, acct) != "v1" {
		t.Fatal("a reader for a height the cache does not mirror answered from it")
	}
	// An execution not the one committed empties it.
	c.executed(&Execution{})
	c.committed(&Execution{Writes: []store.Write{{Key: acct, Value: []byte("v3")}}})
	if c.vals != nil || !bytes.Equal([]byte(get(c.reader(st, 8), acct)), []byte("v1")) {
		t.Fatal("a commit of another execution kept the cache")
	}
}
