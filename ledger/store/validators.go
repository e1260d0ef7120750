package store

import (
	"encoding/binary"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger"
)

// The store keeps the chain's validator set of every height as a history:
// 'v' ‖ height → the encoding of the set that signs from that height on,
// written for height 1 by InitGenesis and for height h+2 by the commit of a
// block h that scheduled a change (Committed.NextValidators). The set of
// height H is the entry with the greatest height ≤ H. The contracts' state
// holds the same sets (with names and peer ids); this copy lets readers
// below the contracts (proof bundles, block sync, the pages) find the set
// of a height and the chain's transitions without executing anything.

func validatorsKey(from uint64) []byte { return heightKey(prefixValidators, from) }

// SetSpan is a validator set and the first height it signs.
type SetSpan struct {
	From uint64
	Set  *ledger.ValidatorSet
}

// ValidatorSet returns the set that signs height (1 ≤ height ≤ tip+2: a
// committed block h has fixed the sets of h+1 and h+2), or ErrNotFound.
func (s *Store) ValidatorSet(height uint64) (*ledger.ValidatorSet, error) {
	if height == 0 || height > s.Height()+2 {
		return nil, fmt.Errorf("validator set of height %d (the store is at %d): %w", height, s.Height(), ErrNotFound)
	}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: validatorsKey(1), UpperBound: validatorsKey(height + 1)})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	// Only the last entry at or below height matters; decoding a set
	// costs a curve check per key, so the others are not read.
	if !it.Last() {
		if err := it.Error(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("validator set of height %d: %w", height, ErrNotFound)
	}
	sp, err := decodeSpan(it.Key(), it.Value())
	if err != nil {
		return nil, err
	}
	return sp.Set, it.Error()
}

// ValidatorSets returns the spans whose first height lies in [from, to], in
// height order: from = 1 includes the genesis set; the later spans are the
// chain's transitions (to may reach tip+2, where a scheduled change
// already shows).
func (s *Store) ValidatorSets(from, to uint64) ([]SetSpan, error) {
	var out []SetSpan
	err := s.eachSpan(from, to, func(it *pebble.Iterator) error {
		sp, err := decodeSpan(it.Key(), it.Value())
		if err == nil {
			out = append(out, sp)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachSpan calls f with the iterator at each of the history's entries
// whose first height lies in [from, to], in height order, until f fails.
func (s *Store) eachSpan(from, to uint64, f func(it *pebble.Iterator) error) error {
	if to < from {
		return nil
	}
	upper := []byte{prefixValidators + 1}
	if to < ^uint64(0) {
		upper = validatorsKey(to + 1)
	}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: validatorsKey(from), UpperBound: upper})
	if err != nil {
		return err
	}
	defer it.Close()
	for valid := it.First(); valid; valid = it.Next() {
		if err := f(it); err != nil {
			return err
		}
	}
	return it.Error()
}

func decodeSpan(k, v []byte) (SetSpan, error) {
	h := binary.BigEndian.Uint64(k[1:])
	set, err := ledger.DecodeValidatorSet(v)
	if err != nil {
		return SetSpan{}, corrupt(h, "validator set", "%v", err)
	}
	return SetSpan{From: h, Set: set}, nil
}

// ValidatorChanges returns the heights in [from, to] at which a new
// validator set takes effect, without decoding the sets: 1 (genesis) when
// from is 1, then the chain's transitions.
func (s *Store) ValidatorChanges(from, to uint64) ([]uint64, error) {
	var out []uint64
	err := s.eachSpan(from, to, func(it *pebble.Iterator) error {
		out = append(out, binary.BigEndian.Uint64(it.Key()[1:]))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
