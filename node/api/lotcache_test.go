package api

import (
	"errors"
	"testing"

	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/node/view"
)

// A lot's view is built once per height: requests at the same height share
// it, a new height builds it again, errors are not kept, and the cache
// stays within its bound, dropping past heights first.
func TestLotCacheBuildsOncePerHeight(t *testing.T) {
	c := newLotCache(2)
	builds := 0
	build := func() (*view.Lot, error) { builds++; return &view.Lot{}, nil }
	a := gs1.ObjectID{Kind: gs1.Lot, Key: "06923103000118", Ext: "A"}
	l1, _ := c.get(a, 10, build)
	l2, _ := c.get(a, 10, build)
	if builds != 1 || l1 != l2 {
		t.Fatalf("%d builds for two requests at one height", builds)
	}
	if l3, _ := c.get(a, 11, build); builds != 2 || l3 == l1 {
		t.Fatalf("a new height did not build a new view (%d builds)", builds)
	}
	fail := func() (*view.Lot, error) { builds++; return nil, errors.New("store") }
	b := gs1.ObjectID{Kind: gs1.Lot, Key: "06923103000118", Ext: "B"}
	for i := 0; i < 2; i++ {
		if _, err := c.get(b, 11, fail); err == nil {
			t.Fatal("an error became a view")
		}
	}
	if builds != 4 {
		t.Fatalf("an error was kept: %d builds", builds)
	}
	for i, ext := range []string{"C", "D", "E"} {
		c.get(gs1.ObjectID{Kind: gs1.Lot, Key: "06923103000118", Ext: ext}, uint64(12+i), build)
		if len(c.m) > 2 {
			t.Fatalf("%d entries, bound 2", len(c.m))
		}
	}
}
