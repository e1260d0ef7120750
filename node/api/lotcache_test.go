package api

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// A lot's JSON is encoded once per view: requests at one height get the same
// bytes, which are what WriteJSON writes for the view; a new height encodes
// the new view; an error is not kept.
func TestLotJSONEncodedOncePerView(t *testing.T) {
	c := newLotCache(4)
	a := gs1.ObjectID{Kind: gs1.Lot, Key: "06923103000118", Ext: "A"}
	at := func(lot string) func() (*view.Lot, error) {
		return func() (*view.Lot, error) { return &view.Lot{Object: view.ObjectRef{Lot: lot}}, nil }
	}
	b1, err := c.json(a, 10, at("first"))
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := c.json(a, 10, at("not built"))
	if &b1[0] != &b2[0] {
		t.Fatal("two requests at one height encoded the view twice")
	}
	l, _ := c.get(a, 10, at("not built"))
	rec := httptest.NewRecorder()
	WriteJSON(rec, 200, l)
	if !bytes.Equal(rec.Body.Bytes(), b1) || !bytes.Contains(b1, []byte(`"first"`)) {
		t.Fatalf("kept bytes differ from WriteJSON's:\n%s\n%s", b1, rec.Body.Bytes())
	}
	b3, _ := c.json(a, 11, at("second"))
	if !bytes.Contains(b3, []byte(`"second"`)) {
		t.Fatalf("a new height served the old view: %s", b3)
	}
	if _, err := c.json(a, 12, func() (*view.Lot, error) { return nil, errors.New("store") }); err == nil {
		t.Fatal("an error became bytes")
	}
}

// Requests that arrive while a height's view is being built wait for that
// build: sixteen at once build once and share the view. (One that arrives
// after the build finds the view kept, so the count does not depend on the
// goroutines' timing.)
func TestLotCacheBuildsOnceForConcurrentRequests(t *testing.T) {
	c := newLotCache(4)
	a := gs1.ObjectID{Kind: gs1.Lot, Key: "06923103000118", Ext: "A"}
	var builds atomic.Int32
	release := make(chan struct{})
	build := func() (*view.Lot, error) {
		builds.Add(1)
		<-release
		return &view.Lot{}, nil
	}
	var wg sync.WaitGroup
	views := make([]*view.Lot, 16)
	errs := make([]error, 16)
	for i := range views {
		wg.Add(1)
		go func() {
			defer wg.Done()
			views[i], errs[i] = c.get(a, 10, build)
		}()
	}
	time.Sleep(50 * time.Millisecond) // let most of them arrive while the build waits
	close(release)
	wg.Wait()
	if builds.Load() != 1 {
		t.Fatalf("%d builds for 16 concurrent requests at one height", builds.Load())
	}
	for i := range views {
		if errs[i] != nil || views[i] != views[0] {
			t.Fatalf("request %d: view %p (first %p), error %v", i, views[i], views[0], errs[i])
		}
	}
}
