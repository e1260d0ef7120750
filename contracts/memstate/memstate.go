// Package memstate is an in-memory state.Store for tests, benchmarks and
// offline tools (replaying a chain into memory, the demo). It is not safe
// for concurrent writes.
package memstate

import (
	"bytes"
	"sort"

	"github.com/qianchain/qianchain/contracts/state"
)

// Store holds keys in a sorted slice and a map.
type Store struct {
	m      map[string][]byte
	keys   []string // sorted; rebuilt lazily
	sorted bool
}

// New returns an empty store.
func New() *Store { return &Store{m: make(map[string][]byte), sorted: true} }

// Get returns a copy of the value, or nil when absent.
func (s *Store) Get(key []byte) ([]byte, error) {
	v, ok := s.m[string(key)]
	if !ok {
		return nil, nil
	}
	return append([]byte{}, v...), nil
}

// Iterate implements state.Store.
func (s *Store) Iterate(lower, upper []byte, fn func(key, value []byte) bool) error {
	if !s.sorted {
		s.keys = s.keys[:0]
		for k := range s.m {
			s.keys = append(s.keys, k)
		}
		sort.Strings(s.keys)
		s.sorted = true
	}
	i := sort.SearchStrings(s.keys, string(lower))
	for ; i < len(s.keys); i++ {
		k := s.keys[i]
		if upper != nil && k >= string(upper) {
			break
		}
		if !fn([]byte(k), s.m[k]) {
			break
		}
	}
	return nil
}

// Apply writes a block's changes (Value nil deletes).
func (s *Store) Apply(ws []state.Write) {
	for _, w := range ws {
		if w.Value == nil {
			if _, ok := s.m[string(w.Key)]; ok {
				delete(s.m, string(w.Key))
				s.sorted = false
			}
			continue
		}
		if _, ok := s.m[string(w.Key)]; !ok {
			s.sorted = false
		}
		s.m[string(w.Key)] = append([]byte{}, w.Value...)
	}
}

// Len is the number of keys.
func (s *Store) Len() int { return len(s.m) }

// Equal reports whether two stores hold the same keys and values.
func (s *Store) Equal(o *Store) bool {
	if len(s.m) != len(o.m) {
		return false
	}
	for k, v := range s.m {
		if w, ok := o.m[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}
