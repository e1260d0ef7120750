package web

import "testing"

// The cache holds the latest height's pages only: a later height's page
// replaces them, an earlier height's is not kept, and within one height it
// keeps at most maxPages.
func TestPageCacheHoldsTheLatestHeightOnly(t *testing.T) {
	c := newPageCache()
	at := func(h uint64, serial string) pageKey {
		return pageKey{name: "lot", serial: serial, origin: "http://a", height: h}
	}
	c.put(at(10, "x"), []byte("10x"))
	c.put(at(10, "y"), []byte("10y"))
	if string(c.get(at(10, "x"))) != "10x" || string(c.get(at(10, "y"))) != "10y" {
		t.Fatal("pages of one height not kept")
	}
	c.put(at(11, "x"), []byte("11x"))
	if c.get(at(10, "x")) != nil || c.get(at(10, "y")) != nil || len(c.m) != 1 {
		t.Fatalf("a later height left %d pages of the earlier one", len(c.m))
	}
	c.put(at(10, "z"), []byte("10z"))
	if c.get(at(10, "z")) != nil {
		t.Fatal("a page of a past height was kept")
	}
	for i := 0; i < maxPages+10; i++ {
		c.put(at(11, string(rune('a'+i%26))+string(rune('a'+i/26))), []byte("p"))
	}
	if len(c.m) > maxPages {
		t.Fatalf("%d pages kept, bound %d", len(c.m), maxPages)
	}
}
