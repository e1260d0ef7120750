package contracts

import (
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/contracts/upgrade"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/statedigest"
)

// Store is the committed state as of the previous block.
type Store = state.Store

// Write is one net change of a block; Value nil means delete.
type Write = state.Write

// Event is something a transaction did, for indexes, pages and streams.
type Event = call.Event

// Attr is an event attribute.
type Attr = call.Attr

// Error is a rejection: a stable code and a sentence.
type Error = call.Error

// BlockContext is what execution knows of the block.
type BlockContext struct {
	ChainID  string
	Height   uint64
	Time     int64 // header time, Unix nanoseconds
	Proposer ledger.PublicKey
}

// TxResult is the outcome of one transaction: Code "OK" for success, else a
// stable code such as ERR_NOT_CUSTODIAN, and a sentence.
type TxResult struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// OK reports whether the transaction succeeded.
func (r TxResult) OK() bool { return r.Code == call.OK }

// BlockResult is the outcome of a block.
type BlockResult struct {
	Results []TxResult  // one per transaction, in order
	Writes  []Write     // net state changes, sorted by key
	AppHash ledger.Hash // commits to everything here; see AppHash
	Events  []Event     // in transaction order
	// Upgrade is the scheduled upgrade this block applied before its
	// transactions (its height is the block's), or nil.
	Upgrade *upgrade.Applied
	// State is the state digest's Sum after the block (the contract state
	// and the transaction index): the node keeps it for the next block's
	// Prior, and AppHash commits to its Digest.
	State statedigest.Sum
	// TxHashes are the transactions' hashes, in order (computed once here,
	// for the caller's index and results).
	TxHashes []ledger.Hash
	// ResultLeaves are the transactions' ResultLeaf, in order: what AppHash
	// committed to and what the node stores as each one's result. They are
	// capped windows of one buffer: read them, do not write into them.
	ResultLeaves [][]byte
	// WritesTree is the RFC 6962 root over Writes' leaves (WriteLeaf), which
	// AppHash committed to through the writes root: the store keeps it
	// (ledger/store.WritesTree computes the same from Writes).
	WritesTree ledger.Hash
}

// Executor routes each transaction to its contract method. It holds no
// state between calls; one goroutine calls it at a time.
type Executor struct {
	methods map[string]*Method
	// since holds, for the methods an upgrade brought, the protocol
	// version from which they may be called; a method not listed has been
	// callable since genesis.
	since    map[string]uint64
	upgrades upgrade.Registry
}

// Method is one contract method.
type Method struct {
	Contract, Name string
	// Decode checks and decodes a payload; it is what CheckTx runs.
	Decode func(payload []byte) (any, error)
	// Run executes the method for an authenticated caller.
	Run func(c *call.Context, who *membership.Caller, payload []byte) error
	// Apply, when set, is Run from the value Decode returned for payload,
	// so that a payload the node decoded at admission is not decoded again
	// (ExecuteBlockDecoded). It must give exactly what Run gives for the
	// same bytes, and must not change the value.
	Apply func(c *call.Context, who *membership.Caller, decoded any, payload []byte) error
}

// Decoded answers, for a transaction's hash, the payload this node's own
// admission decoded from that transaction's bytes (what its method's
// Decode returned: the mempool keeps it, see node/mempool), or nil when it
// has none — a transaction it never admitted, a block from block sync.
// Execution then decodes the payload itself. The hash binds the value to
// the bytes: the executor asks with the hash it computed from the block's
// transaction, so a value never comes from another node's decoding.
type Decoded func(h ledger.Hash) any

// NewExecutor returns an executor with Qianchain's contracts, the methods
// the upgrades compiled into this binary bring (callable from their
// protocol version on) and the compiled registry of upgrades.
func NewExecutor() *Executor {
	x := NewExecutorWith(Methods())
	for _, in := range introduced {
		x.Introduce(in.Method, in.Since)
	}
	return x
}

// NewExecutorWith returns an executor with the given methods (tests add
// their own), callable at every protocol version, and the compiled
// registry of upgrades.
func NewExecutorWith(ms []*Method) *Executor {
	x := &Executor{methods: make(map[string]*Method, len(ms)), since: map[string]uint64{}, upgrades: upgrade.Compiled()}
	for _, m := range ms {
		x.methods[m.Contract+"."+m.Name] = m
	}
	return x
}

// Introduce adds a method that an upgrade brings: transactions calling it
// fail with ERR_UNKNOWN_METHOD until the chain's protocol version reaches
// since (tests, and the build-tagged files of introduced.go).
func (x *Executor) Introduce(m *Method, since uint64) {
	x.methods[m.Contract+"."+m.Name] = m
	x.since[m.Contract+"."+m.Name] = since
}

// WithUpgrades replaces the registry of upgrades the executor knows
// (tests); it returns x.
func (x *Executor) WithUpgrades(r upgrade.Registry) *Executor {
	x.upgrades = r
	return x
}

// Upgrades is the registry of upgrades the executor knows.
func (x *Executor) Upgrades() upgrade.Registry { return x.upgrades }

// available refuses a method that the protocol version v does not have yet.
func (x *Executor) available(m *Method, v uint64) error {
	if since := x.since[m.Contract+"."+m.Name]; since > v {
		return call.Errorf(call.ErrUnknownMethod, "contract %s has no method %s before protocol version %d (the chain runs version %d)", m.Contract, m.Name, since, v)
	}
	return nil
}

// CheckVersion refuses a transaction whose method the chain's protocol
// version at height (the next block's, for admission) does not have yet.
// An error that is not a rejection means the store failed, or the chain
// scheduled an upgrade this binary does not know.
func (x *Executor) CheckVersion(st Store, height uint64, contract, method string) error {
	m, err := x.lookup(contract, method)
	if err != nil {
		return err
	}
	if _, gated := x.since[contract+"."+method]; !gated {
		return nil
	}
	v, err := upgrade.Version(st, x.upgrades, height)
	if err != nil {
		return err
	}
	return x.available(m, v)
}

func (x *Executor) lookup(contract, method string) (*Method, error) {
	if m, ok := x.methods[contract+"."+method]; ok {
		return m, nil
	}
	for _, m := range x.methods {
		if m.Contract == contract {
			return nil, call.Errorf(call.ErrUnknownMethod, "contract %s has no method %s", contract, method)
		}
	}
	return nil, call.Errorf(call.ErrUnknownContract, "no contract %s", contract)
}

// ExecuteBlock executes txs in order over st. See the package comment.
func (x *Executor) ExecuteBlock(st Store, prior Prior, ctx BlockContext, txs []*ledger.Tx) (*BlockResult, error) {
	return x.ExecuteBlockDecoded(st, prior, ctx, txs, nil)
}

// ExecuteBlockDecoded is ExecuteBlock with the payloads that decoded (may
// be nil) holds: a method with an Apply runs from that value instead of
// decoding its payload again. The result is the same byte for byte.
func (x *Executor) ExecuteBlockDecoded(st Store, prior Prior, ctx BlockContext, txs []*ledger.Tx, decoded Decoded) (*BlockResult, error) {
	blk := state.NewBlockSized(st, writesPerTx*len(txs))
	b := call.Block{ChainID: ctx.ChainID, Height: ctx.Height, Time: ctx.Time, Proposer: ctx.Proposer}
	res := &BlockResult{Results: make([]TxResult, len(txs))}
	// A scheduled upgrade whose height was the previous block's applies
	// first; the protocol version it leaves decides what the block's
	// transactions may call.
	up := blk.Begin()
	applied, err := upgrade.Begin(up, x.upgrades, ctx.Height)
	if err != nil {
		return nil, fmt.Errorf("execute block %d: %w", ctx.Height, err)
	}
	version, err := upgrade.StoredVersion(up)
	if err != nil {
		return nil, fmt.Errorf("execute block %d: %w", ctx.Height, err)
	}
	up.Commit()
	res.Upgrade = applied
	hashes := make([]ledger.Hash, len(txs))
	var callers membership.Callers
	for i, tx := range txs {
		hashes[i] = tx.Hash()
		var v any
		if decoded != nil {
			v = decoded(hashes[i])
		}
		r, evs, err := x.execTx(blk, b, version, &callers, uint32(i), hashes[i], tx, v)
		if err != nil {
			return nil, fmt.Errorf("execute block %d tx %d (%s): %w", ctx.Height, i, hashes[i].Short(), err)
		}
		res.Results[i] = r
		res.Events = append(res.Events, evs...)
	}
	res.Writes = blk.Writes()
	sum, err := nextState(blk, &prior.State, res.Writes, ctx.Height, hashes)
	if err != nil {
		return nil, fmt.Errorf("execute block %d: state digest: %w", ctx.Height, err)
	}
	res.State = sum
	res.ResultLeaves = ResultLeaves(hashes, res.Results, res.Events)
	res.AppHash, res.WritesTree = appHash(prior.AppHash, ctx.Height, res.Writes, sum.Digest(), res.ResultLeaves)
	res.TxHashes = hashes
	return res, nil
}

// writesPerTx sizes a block's overlay: a trace capture writes four keys (a
// transformation seven), a notary anchor one (BenchmarkExecuteDecoded's
// writes/tx).
const writesPerTx = 4

// execTx runs one transaction in its own overlay. It returns an error only
// when the store failed. callers are the block's authenticated senders; a
// transaction that changes an account or an organisation makes them forget.
func (x *Executor) execTx(blk *state.Block, b call.Block, version uint64, callers *membership.Callers, i uint32, h ledger.Hash, tx *ledger.Tx, decoded any) (TxResult, []Event, error) {
	st := blk.Begin()
	c := call.NewContext(b, i, h, tx.Sender, st)
	err := x.run(c, version, callers, tx, decoded)
	if err == nil {
		if st.WroteUnder(membership.WrittenKeys...) {
			callers.Forget()
		}
		st.Commit()
		return TxResult{Code: call.OK}, c.Events(), nil
	}
	st.Discard()
	var se *state.StoreError
	if errors.As(err, &se) {
		return TxResult{}, nil, err
	}
	if e, ok := call.AsError(err); ok {
		return TxResult{Code: e.Code, Message: e.Message}, nil, nil
	}
	// Not a rejection and not the store: a contract bug or corrupt state.
	// Every node fails the same way, so recording it keeps consensus.
	return TxResult{Code: call.ErrInternal, Message: err.Error()}, nil, nil
}

// run executes tx; decoded, when not nil, is its payload as its method's
// Decode returned it (ExecuteBlockDecoded).
func (x *Executor) run(c *call.Context, version uint64, callers *membership.Callers, tx *ledger.Tx, decoded any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = call.Errorf(call.ErrInternal, "%s.%s failed unexpectedly: %v", tx.Contract, tx.Method, r)
		}
	}()
	if tx.ChainID != c.Block.ChainID {
		return call.Errorf(call.ErrWrongChain, "transaction is for chain %q, this is %q", tx.ChainID, c.Block.ChainID)
	}
	m, err := x.lookup(tx.Contract, tx.Method)
	if err != nil {
		return err
	}
	if err := x.available(m, version); err != nil {
		return err
	}
	who, err := callers.Authenticate(c.State, tx.Sender)
	if err != nil {
		return err
	}
	if decoded != nil && m.Apply != nil {
		return m.Apply(c, who, decoded, tx.Payload)
	}
	return m.Run(c, who, tx.Payload)
}

// CheckTx is a cheap read-only pre-check for the mempool: the contract and
// method exist, the payload decodes, and the sender is an active account of
// an active organisation. A rejection is an *Error; any other error means
// the store failed. Passing CheckTx does not mean the transaction will
// succeed: permissions and state are checked at execution.
func (x *Executor) CheckTx(st Store, tx *ledger.Tx) error {
	m, err := x.lookup(tx.Contract, tx.Method)
	if err != nil {
		return err
	}
	if _, err := m.Decode(tx.Payload); err != nil {
		return call.PayloadError(err)
	}
	_, err = membership.Authenticate(st, tx.Sender)
	var se *state.StoreError
	if errors.As(err, &se) {
		return se.Err
	}
	return err
}

// DecodePayload decodes a payload into its method's payload type (for
// explorers and the API, which render it as JSON).
func (x *Executor) DecodePayload(contract, method string, payload []byte) (any, error) {
	m, err := x.lookup(contract, method)
	if err != nil {
		return nil, err
	}
	v, err := m.Decode(payload)
	if err != nil {
		return nil, call.PayloadError(err)
	}
	return v, nil
}
