package schnorrbatch

import "sync"

// keyCache remembers lifted public keys: lift_x costs a field square root
// (about 3 µs here), and the same senders sign many transactions. Lifting is
// a pure function of the 32 key bytes, so a cached point can never be wrong;
// only valid keys are stored. The cache holds at most max keys in two
// generations: lookups hit either, a hit in the old generation moves the key
// to the current one, and when the current generation is full the old one is
// dropped. Keys in use therefore stay while keys seen once age out, without
// per-entry bookkeeping. Safe for concurrent use; a nil *keyCache caches
// nothing.
type keyCache struct {
	mu       sync.Mutex
	cur, old map[[32]byte]affine
	half     int
}

func newKeyCache(max int) *keyCache {
	if max <= 0 {
		return nil
	}
	half := (max + 1) / 2
	return &keyCache{cur: make(map[[32]byte]affine, half), old: make(map[[32]byte]affine), half: half}
}

// lift sets out[i] = lift_x(keys[i]) and ok[i] to whether keys[i] is a valid
// x-only key, taking known keys from the cache and adding new valid ones.
func (c *keyCache) lift(keys [][32]byte, out []affine, ok []bool) {
	if c == nil {
		for i := range keys {
			out[i], ok[i] = liftX(&keys[i])
		}
		return
	}
	missing := false
	c.mu.Lock()
	for i := range keys {
		out[i], ok[i] = c.getLocked(&keys[i])
		if !ok[i] {
			missing = true
		}
	}
	c.mu.Unlock()
	if !missing {
		return
	}
	// Lift outside the lock: a square root per key.
	var fresh []int
	for i := range keys {
		if !ok[i] {
			out[i], ok[i] = liftX(&keys[i])
			if ok[i] {
				fresh = append(fresh, i)
			}
		}
	}
	if len(fresh) == 0 {
		return
	}
	c.mu.Lock()
	for _, i := range fresh {
		c.putLocked(&keys[i], &out[i])
	}
	c.mu.Unlock()
}

func (c *keyCache) getLocked(k *[32]byte) (affine, bool) {
	if p, ok := c.cur[*k]; ok {
		return p, true
	}
	if p, ok := c.old[*k]; ok {
		delete(c.old, *k)
		c.putLocked(k, &p)
		return p, true
	}
	return affine{}, false
}

func (c *keyCache) putLocked(k *[32]byte, p *affine) {
	if len(c.cur) >= c.half {
		clear(c.old)
		c.old, c.cur = c.cur, c.old
	}
	c.cur[*k] = *p
}

// len reports the number of cached keys (for tests).
func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.old)
}
