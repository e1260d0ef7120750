package audit

import (
	"sync"

	"github.com/qianchain/qianchain/ledger"
)

// setBook is the validator sets the audit knows, by hash: the genesis set,
// then each set the replay's contracts scheduled. The read-ahead workers
// check a certificate against the set its header names when the book
// already holds it (almost always: sets change rarely, and the replay
// learns a set two heights before it signs); the in-order replay confirms
// that the header named the set its executed state gives for that height,
// and checks itself the few certificates a worker could not (a set the
// replay had not reached yet, or a last commit signed by the set before a
// change).
type setBook struct {
	mu   sync.RWMutex
	sets map[ledger.Hash]*ledger.ValidatorSet
}

func newSetBook(genesis *ledger.ValidatorSet) *setBook {
	return &setBook{sets: map[ledger.Hash]*ledger.ValidatorSet{genesis.Hash(): genesis}}
}

func (b *setBook) add(s *ledger.ValidatorSet) {
	b.mu.Lock()
	b.sets[s.Hash()] = s
	b.mu.Unlock()
}

// get returns the set with hash h, or nil.
func (b *setBook) get(h ledger.Hash) *ledger.ValidatorSet {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.sets[h]
}
