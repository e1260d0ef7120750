package audit

import (
	"fmt"

	"github.com/qianchain/qianchain/ledger"
)

// Problem codes: what kind of discrepancy a Problem is.
const (
	ErrGenesis     = "ERR_AUDIT_GENESIS"      // the source belongs to another genesis
	ErrStore       = "ERR_AUDIT_STORE"        // stored data missing, unreadable or failing the store's own checks
	ErrBlock       = "ERR_AUDIT_BLOCK"        // a block's header does not match its contents, or breaks a genesis limit
	ErrHashChain   = "ERR_AUDIT_HASH_CHAIN"   // prev_block_hash or time does not follow the previous block
	ErrValidators  = "ERR_AUDIT_VALIDATORS"   // validators_hash, next_validators_hash or the proposer is not the set of its height (as the replayed state gives it), or a change of set does not follow from the set before it
	ErrCommit      = "ERR_AUDIT_COMMIT"       // a certificate does not verify against the set of its height
	ErrEvidence    = "ERR_AUDIT_EVIDENCE"     // included evidence does not verify
	ErrTxSignature = "ERR_AUDIT_TX_SIGNATURE" // a transaction's signature does not verify
	ErrTxReplay    = "ERR_AUDIT_TX_REPLAY"    // a transaction was committed twice
	ErrTxIndex     = "ERR_AUDIT_TX_INDEX"     // the store's transaction index does not point at the transaction
	ErrResult      = "ERR_AUDIT_RESULT"       // a stored result differs from the re-executed one
	ErrAppHash     = "ERR_AUDIT_APP_HASH"     // an app hash (in a header, or stored) differs from the replay's
	ErrWritesRoot  = "ERR_AUDIT_WRITES_ROOT"  // a stored writes root differs from the replay's
)

// Problem is the first discrepancy an audit found.
type Problem struct {
	Height uint64 `json:"height"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

func (p *Problem) Error() string {
	return fmt.Sprintf("height %d: %s: %s", p.Height, p.Code, p.Reason)
}

func problem(h uint64, code, format string, args ...any) *Problem {
	return &Problem{Height: h, Code: code, Reason: fmt.Sprintf(format, args...)}
}

// Summary is what an audit checked and found.
type Summary struct {
	ChainID     string      `json:"chain_id"`
	GenesisHash ledger.Hash `json:"genesis_hash"`
	// Tip is the source's height when the audit began; Height the last
	// height checked completely.
	Tip    uint64 `json:"tip"`
	Height uint64 `json:"height"`
	Blocks uint64 `json:"blocks"`
	Txs    uint64 `json:"txs"`
	// TxsRefused counts transactions whose recorded result is a rejection
	// (a coded failure the chain recorded, not a discrepancy).
	TxsRefused uint64 `json:"txs_refused"`
	// Signatures counts verified signatures: transactions' and precommits'.
	Signatures uint64 `json:"signatures"`
	// AppHash is the replayed state commitment after Height.
	AppHash ledger.Hash `json:"app_hash"`
	// ValidatorSetChanges counts the validator-set changes that took
	// effect up to Height, each followed from the set before it.
	ValidatorSetChanges int     `json:"validator_set_changes"`
	Seconds             float64 `json:"seconds"`
	// BlocksPerSecond and TxsPerSecond are over the whole run.
	BlocksPerSecond float64  `json:"blocks_per_second"`
	TxsPerSecond    float64  `json:"txs_per_second"`
	Workers         int      `json:"workers"`
	OK              bool     `json:"ok"`
	Problem         *Problem `json:"problem,omitempty"`
}

// Progress is reported after each height.
type Progress struct {
	Height, Tip uint64
	Txs         uint64
	Seconds     float64
}
