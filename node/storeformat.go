package node

import (
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/ledger/store"
)

// storeFormatError explains a store this build refuses (store.ErrFormat)
// to the operator who ran `qian start` on an existing home: what the store
// is, and what to do. It wraps err, so callers can still match
// store.ErrFormat (the devnet does, to regenerate itself).
func storeFormatError(dataDir string, err error) error {
	var fe *store.FormatError
	if !errors.As(err, &fe) {
		return err
	}
	if fe.Found > fe.Want {
		return fmt.Errorf("%w\n\nThe chain in %s was written by a later qian (store format %d); this one reads format %d. Run the qian that wrote it", err, dataDir, fe.Found, fe.Want)
	}
	why := formatGaps[fe.Found]
	if why == "" {
		why = "whose blocks this qian cannot read"
	}
	return fmt.Errorf("%w\n\nThe chain in %s was written by an earlier qian (store format %d), %s; this qian (store format %d) cannot verify them, so the chain cannot go on. Start it again from genesis: "+
		"stop every node of the chain, remove each node's data directory (here %s; its keys, config.toml and genesis.json stay) and start them again. "+
		"For a local network made by `qian testnet`, running `qian testnet` again is simplest; `qian devnet` regenerates its directory by itself",
		err, dataDir, fe.Found, why, fe.Want, dataDir)
}

// formatGaps says, by the format an earlier qian wrote, what this one
// cannot verify in it (store.Format lists the formats).
var formatGaps = map[uint64]string{
	1: "whose votes and commit certificates do not sign the genesis hash",
	2: "whose headers do not name the next validator set and whose genesis names no organisation per validator",
}
