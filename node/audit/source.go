package audit

import (
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/ledger"
)

// Stored is what a source holds for one height.
type Stored struct {
	Block *ledger.Block
	// Commit is the source's own certificate for Block (the chain's own is
	// the last commit of block height+1).
	Commit *ledger.Commit
	// Results are the stored result leaves, one per transaction.
	Results [][]byte
	// AppHash is the source's state commitment after Block.
	AppHash ledger.Hash
	// WritesRoot is the source's writes root of Block, nil when it keeps
	// none for this height.
	WritesRoot *ledger.Hash
}

// Source is a chain to audit. Read may be called from several goroutines at
// once.
type Source interface {
	// GenesisHash is the genesis the source says it belongs to.
	GenesisHash() (ledger.Hash, error)
	// Tip is the source's last committed height.
	Tip() (uint64, error)
	// Read returns what the source stores for height. Data that is
	// present but wrong (it fails the store's own checks, or does not
	// decode) is a *Damage; any other error means the source could not be
	// read.
	Read(height uint64) (*Stored, error)
	Close() error
}

// TxLocator is implemented by sources that keep a transaction index.
type TxLocator interface {
	TxLocation(h ledger.Hash) (height uint64, pos uint32, err error)
}

// Damage is stored data that is present but wrong at a height.
type Damage struct {
	Height uint64
	Reason string
}

func (d *Damage) Error() string { return fmt.Sprintf("height %d: %s", d.Height, d.Reason) }

func damaged(h uint64, format string, args ...any) *Damage {
	return &Damage{Height: h, Reason: fmt.Sprintf(format, args...)}
}

func asDamage(err error) (*Damage, bool) {
	var d *Damage
	ok := errors.As(err, &d)
	return d, ok
}
