package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
)

// Format is the version of what a store holds, recorded by InitGenesis
// and checked by Open, so that a build never runs on a chain whose stored
// data it would misread or fail to verify.
//
//   - 1: votes, proposals and so commit certificates sign the chain id
//     alone (sign bytes qian/vote/v1, qian/proposal/v1). Stores of this
//     format carry no "format" key.
//   - 2: they sign the chain's identity, chain id and genesis hash
//     (qian/vote/v2, qian/proposal/v2; docs/encoding.md). Every stored
//     certificate of a format 1 store fails verification under these rules.
//   - 3: headers carry next_validators_hash, evidence names its signer's
//     key, the contracts keep the validator set in state and the store its
//     history ('v'): the validator set changes by governance. A format 2
//     block does not decode under these rules.
//   - 4: the app hash commits to the state digest (ledger/statedigest:
//     the whole contract state and transaction index) through the writes
//     root, and the store keeps the digest's Sum and, per height, the
//     writes root's two inputs: what snapshots and state sync stand on. A
//     format 3 chain's app hashes differ from what this build computes.
//   - 5: results are stored without their transaction's hash, which the
//     block holds (results.go). Nothing hashed or signed differs from
//     format 4: Open converts a format 4 store it may write (migrate.go);
//     opened read-only, one is refused, Convertible.
const Format uint64 = 5

// ErrFormat is matched (errors.Is) by every *FormatError.
var ErrFormat = errors.New("store format not supported by this build")

// FormatError reports a store written in a format this build does not
// read. The store stays untouched.
type FormatError struct {
	Found uint64 // 1 for a store that records no format
	Want  uint64
	// Convertible: Open converts a store of this format when it may
	// write it (format 4); this one was opened read-only.
	Convertible bool
}

func (e *FormatError) Error() string {
	if e.Convertible {
		return fmt.Sprintf("store format %d, written by an earlier qian; this build converts it to format %d when it opens it for writing (start its node once, or run qian bench disk on it), not read-only", e.Found, e.Want)
	}
	if e.Found < e.Want {
		return fmt.Sprintf("store format %d, written by an earlier qian; this build reads format %d only", e.Found, e.Want)
	}
	return fmt.Sprintf("store format %d, written by a later qian; this build reads format %d only", e.Found, e.Want)
}

func (e *FormatError) Is(target error) bool { return target == ErrFormat }

// checkFormat refuses a store that holds a genesis but not in Format, or
// converts a format 4 one when it may write it (migrate.go). An empty store
// (no genesis yet) passes: InitGenesis will record Format.
func (s *Store) checkFormat(readOnly bool, log *slog.Logger) error {
	if _, err := s.GenesisHash(); errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	v, err := s.get(keyFormat)
	switch {
	case errors.Is(err, ErrNotFound):
		return &FormatError{Found: 1, Want: Format}
	case err != nil:
		return fmt.Errorf("read format: %w", err)
	case len(v) != 8:
		return corrupt(0, "format", "value has %d bytes, want 8", len(v))
	}
	switch f := binary.BigEndian.Uint64(v); {
	case f == formatWholeResults && readOnly:
		return &FormatError{Found: f, Want: Format, Convertible: true}
	case f == formatWholeResults:
		return s.migrateResults(log)
	case f != Format:
		return &FormatError{Found: f, Want: Format}
	}
	return nil
}
