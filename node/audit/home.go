package audit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/config"
)

// Home is a node's data opened read-only: a stopped node's home, or a copy
// of it (or of its data/chain directory alone).
type Home struct {
	st *store.Store
	// Dir is the Pebble directory opened; GenesisFile the home's
	// genesis.json, "" when dir was a bare chain directory.
	Dir         string
	GenesisFile string
}

// OpenHome opens the chain under dir read-only: dir is a node home
// (holding data/chain and genesis.json) or a Pebble chain directory
// itself. Pebble locks the directory even for reading, so a running node's
// data cannot be opened: stop the node or audit a copy.
func OpenHome(dir string) (*Home, error) {
	h := &Home{Dir: dir}
	paths := config.Paths{Home: dir}
	chain := filepath.Join(paths.DataDir(), "chain")
	if isPebble(chain) {
		h.Dir = chain
		if _, err := os.Stat(paths.GenesisFile()); err == nil {
			h.GenesisFile = paths.GenesisFile()
		}
	} else if !isPebble(dir) {
		return nil, fmt.Errorf("%s holds no chain: neither %s nor %s is a Pebble store", dir, chain, dir)
	}
	po := store.DefaultPebbleOptions()
	po.ReadOnly, po.Logger = true, quietLogger{}
	st, err := store.Open(h.Dir, &store.Options{Pebble: po})
	po.Cache.Unref()
	if err != nil {
		if strings.Contains(err.Error(), "lock") {
			return nil, fmt.Errorf("%s is in use, probably by a running node: stop it or audit a copy (%v)", h.Dir, err)
		}
		return nil, err
	}
	h.st = st
	return h, nil
}

// isPebble reports whether dir holds a Pebble database (a MANIFEST file).
func isPebble(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "MANIFEST-*"))
	return len(m) > 0
}

func (h *Home) GenesisHash() (ledger.Hash, error) { return h.st.GenesisHash() }
func (h *Home) Tip() (uint64, error)              { return h.st.Height(), nil }
func (h *Home) Close() error                      { return h.st.Close() }

// TxLocation reads the store's transaction index.
func (h *Home) TxLocation(tx ledger.Hash) (uint64, uint32, error) { return h.st.TxLocation(tx) }

// Read reads one height through the store's verified reads: a failed check
// there (a block that no longer hashes to its stored hash, a commit for
// another block) is Damage at that height.
func (h *Home) Read(height uint64) (*Stored, error) {
	s := &Stored{}
	var err error
	if s.Block, err = h.st.Block(height); err != nil {
		return nil, storeErr(height, "block", err)
	}
	if s.Commit, err = h.st.Commit(height); err != nil {
		return nil, storeErr(height, "commit", err)
	}
	if s.AppHash, err = h.st.AppHash(height); err != nil {
		return nil, storeErr(height, "app hash", err)
	}
	switch wr, err := h.st.WritesRoot(height); {
	case err == nil:
		s.WritesRoot = &wr
	case !errors.Is(err, store.ErrNotFound):
		return nil, storeErr(height, "writes root", err)
	}
	if s.Results, err = h.st.Results(height, store.TxHashes(s.Block.Txs)); err != nil {
		return nil, storeErr(height, "results", err)
	}
	return s, nil
}

// storeErr classifies a read failure: damage (a corrupt or missing entry)
// is a Problem of the audit; a height below the store's first block (it
// joined from a snapshot, or prunes) is not damage but a store the audit
// cannot replay from genesis, so the *store.PrunedError is kept for the
// caller to say so.
func storeErr(height uint64, what string, err error) error {
	var ce *store.CorruptionError
	var pe *store.PrunedError
	switch {
	case errors.As(err, &pe):
		return fmt.Errorf("read %s %d: %w", what, height, err)
	case errors.As(err, &ce):
		return damaged(height, "%s: %s: %s", what, ce.What, ce.Reason)
	case errors.Is(err, store.ErrNotFound):
		return damaged(height, "%s: missing", what)
	}
	return fmt.Errorf("read %s %d: %w", what, height, err)
}

// quietLogger keeps Pebble's informational messages off the auditor's
// terminal.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Errorf(format string, args ...any) {
	pebble.DefaultLogger.Errorf(format, args...)
}
func (quietLogger) Fatalf(format string, args ...any) {
	pebble.DefaultLogger.Fatalf(format, args...)
}
