package node

import (
	"bytes"
	"sync"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger/store"
)

// memberCache keeps, across blocks, the membership records that execution
// reads for every transaction: its sender's account and organisation
// (membership.Authenticate). The executor's block overlay caches reads within
// a block, but each block of a few hundred transactions from a few hundred
// accounts read each account again from Pebble: about 2.5 µs of a
// validator's CPU per transaction.
//
// The cache mirrors the committed store exactly, so execution reads what it
// would have read without it (determinism does not depend on it): entries
// come from the store, and after each stored block the block's writes to
// these keys replace them (Committed). It answers only the execution of the
// height right after the one it mirrors, on the store it mirrors; any other
// call (a replay, another store, a block executed and not stored) starts it
// afresh. One goroutine at a time executes and commits (the consensus driver,
// or block sync while the driver is stopped); the mutex only makes that
// hand-over safe.
type memberCache struct {
	mu   sync.Mutex
	st   *store.Store
	next uint64            // the height whose execution may read the entries
	vals map[string][]byte // key -> value; nil: absent
	// pending is the execution of height next, whose writes Committed
	// applies if that execution is the one stored.
	pending *Execution
}

// Keys cached: membership accounts and organisations, the records that
// decide Authenticate (contracts/membership, docs/state.md).
var memberPrefixes = func() [][]byte {
	var ps [][]byte
	for _, p := range membership.WrittenKeys {
		ps = append(ps, []byte(p))
	}
	return ps
}()

// maxMemberEntries bounds the cache; when full it starts afresh.
const maxMemberEntries = 50_000

func cachedKey(key []byte) bool {
	for _, p := range memberPrefixes {
		if bytes.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// reader returns the state reader for executing height on st: st itself
// with the cache in front of the membership keys.
func (c *memberCache) reader(st *store.Store, height uint64) *cachedState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.st != st || c.next != height || len(c.vals) > maxMemberEntries {
		c.st, c.next, c.vals = st, height, map[string][]byte{}
	}
	c.pending = nil
	return &cachedState{Store: st, c: c}
}

// executed notes the execution of height next, for Committed.
func (c *memberCache) executed(ex *Execution) {
	c.mu.Lock()
	c.pending = ex
	c.mu.Unlock()
}

// committed applies a stored block's writes to the entries and moves the
// cache to the next height; an execution it was not told of empties it.
func (c *memberCache) committed(ex *Execution) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ex != c.pending || c.vals == nil {
		c.st, c.vals = nil, nil
		return
	}
	for _, w := range ex.Writes {
		if _, ok := c.vals[string(w.Key)]; ok || cachedKey(w.Key) {
			// As the store reads it back: an empty value reads as absent.
			if len(w.Value) == 0 {
				c.vals[string(w.Key)] = nil
			} else {
				c.vals[string(w.Key)] = bytes.Clone(w.Value)
			}
		}
	}
	c.next++
	c.pending = nil
}

// cachedState is the committed store with membership reads answered from
// the cache. Iterate and other keys go to the store.
type cachedState struct {
	*store.Store
	c *memberCache
}

// Get implements state.Store: the caller owns the returned slice.
func (s *cachedState) Get(key []byte) ([]byte, error) {
	if !cachedKey(key) {
		return s.Store.Get(key)
	}
	s.c.mu.Lock()
	v, ok := s.c.vals[string(key)]
	s.c.mu.Unlock()
	if ok {
		return bytes.Clone(v), nil
	}
	v, err := s.Store.Get(key)
	if err != nil {
		return nil, err
	}
	s.c.mu.Lock()
	if s.c.vals != nil {
		s.c.vals[string(key)] = bytes.Clone(v)
	}
	s.c.mu.Unlock()
	return v, nil
}
