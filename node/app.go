package node

import (
	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/upgrade"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/statedigest"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/mempool"
)

// Application is the deterministic state machine the chain runs: the
// contracts. The node calls it from one goroutine at a time.
type Application interface {
	// Genesis returns the initial state and the app hash the first block's
	// header carries.
	Genesis(doc *genesis.Doc) (writes []store.Write, appHash ledger.Hash, err error)
	// Execute runs a block's transactions against the committed state after
	// the previous block. A failing transaction is a result, not an error;
	// an error means the state could not be read.
	Execute(st *store.Store, prevAppHash ledger.Hash, hdr *ledger.Header, txs []*ledger.Tx) (*Execution, error)
	// CheckTx is the read-only admission pre-check against committed state:
	// a coded error for a transaction that would certainly fail.
	CheckTx(st *store.Store, tx *ledger.Tx) error
}

// checkedApp is implemented by an application whose admission pre-check
// makes something execution can use again (ContractsApp: the decoded
// payload). The mempool keeps what CheckTxDecoded returns with the
// transaction (mempool.Checker); the node executes blocks with
// ExecuteChecked, handing it the mempool's Checked, which answers by the
// hash of the block's transaction — this node's own value for the same
// bytes, or nil. The result must be what Execute gives.
type checkedApp interface {
	CheckTxDecoded(st *store.Store, tx *ledger.Tx) (any, error)
	ExecuteChecked(st *store.Store, prevAppHash ledger.Hash, hdr *ledger.Header, txs []*ledger.Tx, checked func(ledger.Hash) any) (*Execution, error)
}

// absentLookups is implemented by an application whose execution mostly
// reads some state keys to find them absent: their prefixes, which the
// node's store then answers from an in-memory filter (ledger/store,
// Options.AbsentState).
type absentLookups interface {
	AbsentLookups() [][]byte
}

// separatedRecords is implemented by an application whose state holds
// records written once and read back rarely, never on execution's busy
// path: their prefixes, whose values the node's store keeps out of its
// compactions' way (ledger/store, Options.SeparatedState).
type separatedRecords interface {
	SeparatedRecords() [][]byte
}

// Execution is the outcome of executing one block.
type Execution struct {
	Results [][]byte      // one encoded result per transaction, stored with it
	Writes  []store.Write // the block's net state changes
	AppHash ledger.Hash   // the state commitment after the block
	Events  []Event       // for the event stream and indexes
	// AdmissionChanged says the block changed what admission checks
	// depend on (membership), so the mempool must recheck what it holds.
	AdmissionChanged bool
	// TxHashes, when the application computed them, are the transactions'
	// hashes in order; the node then does not hash them again for the
	// index and the mempool.
	TxHashes []ledger.Hash
	// NextValidators is the validator set of height h+2 when the block
	// (height h) approved validator-set changes, else nil. The node stores
	// it with the block and names it in header h+1 (next_validators_hash).
	NextValidators *ledger.ValidatorSet
	// Upgrade is the scheduled upgrade the block applied before its
	// transactions (contracts/upgrade), or nil.
	Upgrade *upgrade.Applied
	// State is the state digest's Sum after the block (ledger/statedigest),
	// which the store keeps for the next block and snapshots stand on; nil
	// for an application whose app hash commits to no state digest.
	State *statedigest.Sum
	// WritesTree, when the application computed it, is the RFC 6962 root
	// over Writes (ledger/store.WritesTree); the store then does not hash
	// the writes again.
	WritesTree *ledger.Hash
}

// Event is something a transaction did that subscribers care about.
type Event struct {
	Type   string           `json:"type"`
	TxHash ledger.Hash      `json:"tx_hash"`
	Attrs  []contracts.Attr `json:"attrs,omitempty"`
}

// checker is the mempool's pre-check: the application's CheckTx, keeping
// what a checkedApp decoded.
func (n *Node) checker() mempool.Checker {
	if ca, ok := n.app.(checkedApp); ok {
		return func(tx *ledger.Tx) (any, error) { return ca.CheckTxDecoded(n.Store, tx) }
	}
	return func(tx *ledger.Tx) (any, error) { return nil, n.app.CheckTx(n.Store, tx) }
}
