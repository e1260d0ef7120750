// Package state is the contracts' view of the key-value state: the
// committed Store as of the previous block, and the overlays that collect a
// block's writes and, above them, one transaction's writes.
//
// A transaction writes into its own Tx overlay. If it succeeds, Commit folds
// its writes into the Block overlay; if it fails, Discard drops them, so a
// rejected transaction changes nothing. After the last transaction, Writes
// lists the block's net changes sorted by key for the caller to persist in
// one batch.
//
// Nothing here is safe for concurrent use: one executor goroutine owns a
// Block and its Tx overlays.
package state

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Store is the committed state as of the previous block. The ledger's Pebble
// store implements it; memstate implements it in memory for tests.
type Store interface {
	// Get returns the value of key, or (nil, nil) when absent. The caller
	// owns the returned slice.
	Get(key []byte) ([]byte, error)
	// Iterate calls fn for each key in [lower, upper) in ascending byte
	// order until fn returns false. key and value are valid only during
	// the call. A nil upper means no upper bound.
	Iterate(lower, upper []byte, fn func(key, value []byte) bool) error
}

// Write is one net change of a block: Value nil means delete.
type Write struct {
	Key   []byte `json:"key"`
	Value []byte `json:"value"`
}

// StoreError wraps a failure of the underlying Store. It is not a verdict on
// a transaction: the executor stops the block and returns it.
type StoreError struct {
	Op  string
	Key []byte
	Err error
}

func (e *StoreError) Error() string {
	return fmt.Sprintf("state store %s %q: %v", e.Op, e.Key, e.Err)
}

func (e *StoreError) Unwrap() error { return e.Err }

type entry struct {
	val []byte // nil when deleted
}

// Block is the overlay of one block's committed transactions over Store.
// It also caches what it reads from Store: Store does not change while a
// block executes, and most transactions read the same accounts and
// organisations.
type Block struct {
	base   Store
	cache  map[string][]byte // values read from base; nil value = absent
	writes map[string]entry
	// sorted holds the keys of writes in order, for Iterate; pending holds
	// keys committed since, merged in lazily by keysIn.
	sorted, pending, scratch []string
	// spare is the emptied write map of the last transaction committed or
	// discarded, for the next Begin: a fresh map per transaction, grown
	// for each of its writes, was a tenth of what execution allocated.
	spare map[string]entry
}

// NewBlock starts an empty overlay over base.
func NewBlock(base Store) *Block { return NewBlockSized(base, 0) }

// NewBlockSized is NewBlock with room for about writes written keys, and as
// many read (a guess: reads of accounts and organisations repeat): the
// executor knows a block's transactions before it runs them, and maps
// grown one doubling at a time reallocate all they hold.
func NewBlockSized(base Store, writes int) *Block {
	return &Block{base: base, cache: make(map[string][]byte, writes), writes: make(map[string]entry, writes),
		pending: make([]string, 0, writes)}
}

func (b *Block) get(key []byte) ([]byte, error) {
	if e, ok := b.writes[string(key)]; ok {
		return e.val, nil
	}
	if v, ok := b.cache[string(key)]; ok {
		return v, nil
	}
	v, err := b.base.Get(key)
	if err != nil {
		return nil, &StoreError{Op: "get", Key: append([]byte(nil), key...), Err: err}
	}
	b.cache[string(key)] = v
	return v, nil
}

// Get reads key through the block's writes. The result must not be modified.
func (b *Block) Get(key []byte) ([]byte, error) { return b.get(key) }

// Base reads key from the Store beneath the block's writes: its value
// before the block (nil when absent). The state digest removes it when the
// block writes the key. The result must not be modified.
func (b *Block) Base(key []byte) ([]byte, error) {
	if v, ok := b.cache[string(key)]; ok {
		return v, nil
	}
	v, err := b.base.Get(key)
	if err != nil {
		return nil, &StoreError{Op: "get", Key: append([]byte(nil), key...), Err: err}
	}
	return v, nil
}

// Writes returns the block's net changes sorted by key: every key a
// committed transaction wrote, with its final value (nil = deleted).
//
// The keys share one allocation (a block of 2,000 transactions writes
// about 8,000), and the sort is slices.SortFunc's rather than sort.Slice's
// swaps through reflection. The keys are distinct, so the order is total
// and the same on every node whatever the map's.
func (b *Block) Writes() []Write {
	size := 0
	for k := range b.writes {
		size += len(k)
	}
	keys := make([]byte, 0, size)
	out := make([]Write, 0, len(b.writes))
	for k, e := range b.writes {
		at := len(keys)
		keys = append(keys, k...)
		out = append(out, Write{Key: keys[at:len(keys):len(keys)], Value: e.val})
	}
	slices.SortFunc(out, func(x, y Write) int { return bytes.Compare(x.Key, y.Key) })
	return out
}

// Tx is one transaction's overlay above a Block.
type Tx struct {
	blk    *Block
	writes map[string]entry
}

// Begin starts a transaction overlay. Only one may be open at a time.
func (b *Block) Begin() *Tx {
	w := b.spare
	b.spare = nil
	if w == nil {
		w = make(map[string]entry)
	}
	return &Tx{blk: b, writes: w}
}

// release hands the transaction's emptied write map to the block for the
// next Begin, unless it grew past maxSpareWrites (a map never shrinks, and
// clearing or ranging over it costs its capacity: one large batch would
// slow every later transaction of the block); the transaction has none
// after.
func (t *Tx) release() {
	if len(t.writes) <= maxSpareWrites {
		clear(t.writes)
		t.blk.spare = t.writes
	}
	t.writes = nil
}

// maxSpareWrites is the most writes a transaction's map may have held to be
// reused: a capture writes four keys, a transformation seven.
const maxSpareWrites = 64

// Get returns the value of key as this transaction sees it, or nil when
// absent. The result must not be modified.
func (t *Tx) Get(key []byte) ([]byte, error) {
	if e, ok := t.writes[string(key)]; ok {
		return e.val, nil
	}
	return t.blk.get(key)
}

// Has reports whether key is present.
func (t *Tx) Has(key []byte) (bool, error) {
	v, err := t.Get(key)
	return v != nil, err
}

// Set writes key. The overlay keeps value: the caller must not modify it
// afterwards. A nil value is stored as empty, not as a delete.
func (t *Tx) Set(key, value []byte) {
	if value == nil {
		value = []byte{}
	}
	t.writes[string(key)] = entry{val: value}
}

// Delete removes key.
func (t *Tx) Delete(key []byte) { t.writes[string(key)] = entry{} }

// WroteUnder reports whether the transaction has written (or deleted) a
// key beginning with one of prefixes.
func (t *Tx) WroteUnder(prefixes ...string) bool {
	for k := range t.writes { // any match: the order does not reach the answer
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				return true
			}
		}
	}
	return false
}

// Commit folds the transaction's writes into the block.
func (t *Tx) Commit() {
	for k, e := range t.writes {
		if _, ok := t.blk.writes[k]; !ok {
			t.blk.pending = append(t.blk.pending, k)
		}
		t.blk.writes[k] = e
	}
	t.release()
}

// keysIn returns the block's written keys in [lower, upper), in order.
func (b *Block) keysIn(lower, upper []byte) []string {
	if len(b.pending) > 0 {
		// Merge the few new keys into the sorted ones: linear, no
		// allocation once the buffers have grown.
		sort.Strings(b.pending)
		out := b.scratch[:0]
		i, j := 0, 0
		for i < len(b.sorted) || j < len(b.pending) {
			if j == len(b.pending) || (i < len(b.sorted) && b.sorted[i] < b.pending[j]) {
				out = append(out, b.sorted[i])
				i++
			} else {
				out = append(out, b.pending[j])
				j++
			}
		}
		b.scratch, b.sorted = b.sorted, out
		b.pending = b.pending[:0]
	}
	i := sort.SearchStrings(b.sorted, string(lower))
	j := len(b.sorted)
	if upper != nil {
		j = sort.SearchStrings(b.sorted, string(upper))
	}
	if j < i {
		return nil
	}
	return b.sorted[i:j]
}

// Discard drops the transaction's writes.
func (t *Tx) Discard() { t.release() }

// Iterate calls fn for each present key in [lower, upper) in ascending order,
// as this transaction sees the state, until fn returns false. upper nil means
// no bound. key and value are valid only during the call.
//
// It merges Store's iteration with the overlays' keys in range: the
// block's written keys are kept sorted (re-sorted after a commit), the
// transaction's own writes are scanned. Contracts use it off the hot path
// (history reads, recall traversal, proposals).
func (t *Tx) Iterate(lower, upper []byte, fn func(key, value []byte) bool) error {
	inRange := func(k string) bool {
		return k >= string(lower) && (upper == nil || k < string(upper))
	}
	over := make(map[string]entry)
	for _, k := range t.blk.keysIn(lower, upper) {
		over[k] = t.blk.writes[k]
	}
	for k, e := range t.writes {
		if inRange(k) {
			over[k] = e
		}
	}
	keys := make([]string, 0, len(over))
	for k := range over {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	i := 0
	stopped := false
	// emit yields overlay keys below limit (all when limit is nil).
	emit := func(limit []byte) bool {
		for i < len(keys) && (limit == nil || keys[i] < string(limit)) {
			k := keys[i]
			i++
			if e := over[k]; e.val != nil {
				if !fn([]byte(k), e.val) {
					return false
				}
			}
		}
		return true
	}
	err := t.blk.base.Iterate(lower, upper, func(k, v []byte) bool {
		if !emit(k) {
			stopped = true
			return false
		}
		if i < len(keys) && keys[i] == string(k) {
			// The overlay overrides this store key: yield the overlay's
			// value instead, or nothing if the overlay deleted it.
			e := over[keys[i]]
			i++
			if e.val == nil {
				return true
			}
			if !fn(k, e.val) {
				stopped = true
				return false
			}
			return true
		}
		if !fn(k, v) {
			stopped = true
			return false
		}
		return true
	})
	if err != nil {
		return &StoreError{Op: "iterate", Key: append([]byte(nil), lower...), Err: err}
	}
	if !stopped {
		emit(nil)
	}
	return nil
}

// PrefixEnd returns the smallest key greater than every key starting with
// prefix, for use as an Iterate upper bound; nil if there is none.
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
