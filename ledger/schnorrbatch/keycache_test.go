package schnorrbatch

import (
	"sync"
	"testing"
)

// TestKeyCacheBounded: the cache never holds more than its size, keeps the
// keys in use, and gives the same points as lifting afresh.
func TestKeyCacheBounded(t *testing.T) {
	pool := itemPool(t) // poolKeys distinct keys
	c := newKeyCache(10)
	var keys [][32]byte
	for i := 0; i < poolKeys; i++ {
		keys = append(keys, [32]byte(pool[i].Key))
	}
	out := make([]affine, len(keys))
	ok := make([]bool, len(keys))
	for round := 0; round < 3; round++ {
		c.lift(keys, out, ok)
		if n := c.len(); n > 10 {
			t.Fatalf("cache holds %d keys, bound is 10", n)
		}
		for i := range keys {
			want, wok := liftX(&keys[i])
			if !ok[i] || !wok || !out[i].x.Equal(&want.x) || !out[i].y.Equal(&want.y) {
				t.Fatalf("key %d: cached lift differs from lift_x", i)
			}
		}
	}
	// A hot key survives a stream of one-off keys.
	hot := keys[:1]
	for i := 1; i < len(keys); i++ {
		c.lift(hot, out[:1], ok[:1])
		c.lift(keys[i:i+1], out[:1], ok[:1])
	}
	c.mu.Lock()
	_, inCur := c.cur[hot[0]]
	_, inOld := c.old[hot[0]]
	c.mu.Unlock()
	if !inCur && !inOld {
		t.Fatal("hot key evicted")
	}
	// Invalid keys are reported and not cached.
	bad := [][32]byte{notOnCurveX}
	before := c.len()
	c.lift(bad, out[:1], ok[:1])
	if ok[0] || c.len() > before {
		t.Fatal("invalid key accepted or cached")
	}
	if newKeyCache(0) != nil {
		t.Fatal("size 0 must disable the cache")
	}
}

// TestConcurrentVerify runs verifiers from several goroutines on one shared
// cache; run with -race. Each goroutine checks its own verdicts.
func TestConcurrentVerify(t *testing.T) {
	pool := itemPool(t)
	v := NewVerifier(16) // smaller than the key set: constant churn
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for r := 0; r < 6; r++ {
				lo := (g*53 + r*31) % (len(pool) - 120)
				items := append([]Item{}, pool[lo:lo+120]...)
				if !v.Verify(items) || !Verify(items) {
					errs <- "valid batch rejected"
					return
				}
				items[r].Sig[40] ^= 4
				if got := v.VerifyEach(items); !equalInts(got, []int{r}) {
					errs <- "VerifyEach disagrees"
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
