package node

import (
	"errors"
	"fmt"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/mempool"
)

// ContractsApp runs the chain's contracts (membership, trace, notary) as the
// node's Application. Each transaction's stored result is its app-hash leaf
// (contracts.ResultLeaf: hash, code, message, events), so what the API
// shows is exactly what the app hash commits to.
type ContractsApp struct {
	x *contracts.Executor

	// members caches the senders admission has authenticated against the
	// committed state; it is cleared whenever a block changes membership,
	// so it never answers differently from the state.
	mu      sync.Mutex
	members map[ledger.PublicKey]struct{}
	gen     uint64 // incremented by each clear; see CheckTx

	// records answers execution's reads of accounts and organisations
	// across blocks (membercache.go).
	records memberCache
}

// NewContractsApp returns the production application.
func NewContractsApp() *ContractsApp {
	return &ContractsApp{x: contracts.NewExecutor(), members: map[ledger.PublicKey]struct{}{}}
}

// AbsentLookups implements absentLookups: the state the contracts mostly
// read to find absent (contracts.AbsentLookups).
func (a *ContractsApp) AbsentLookups() [][]byte { return contracts.AbsentLookups() }

// The node's store gives the contracts' prefixes their in-memory filter
// and their blob files only through these: a rename must fail to compile.
var (
	_ absentLookups    = (*ContractsApp)(nil)
	_ separatedRecords = (*ContractsApp)(nil)
)

// SeparatedRecords implements separatedRecords: the records the contracts
// write once (contracts.SeparatedRecords).
func (a *ContractsApp) SeparatedRecords() [][]byte { return contracts.SeparatedRecords() }

// Executor exposes the contracts' executor (payload decoding for the API).
func (a *ContractsApp) Executor() *contracts.Executor { return a.x }

func (a *ContractsApp) Genesis(doc *genesis.Doc) ([]store.Write, ledger.Hash, error) {
	orgs, vals := GenesisMembers(doc)
	g, err := contracts.Genesis(doc.ChainID, orgs, vals)
	if err != nil {
		return nil, ledger.Hash{}, err
	}
	return storeWrites(g.Writes), g.AppHash, nil
}

// GenesisMembers turns a genesis document's founding organisations and
// validators into what the membership contract seeds its state with.
func GenesisMembers(doc *genesis.Doc) ([]membership.OrgSpec, []membership.Validator) {
	orgs := make([]membership.OrgSpec, len(doc.Organisations))
	for i, o := range doc.Organisations {
		roles := make([]membership.Role, len(o.Roles))
		for j, r := range o.Roles {
			roles[j] = membership.Role(r)
		}
		orgs[i] = membership.OrgSpec{ID: o.ID, Name: o.Name, Roles: roles, Prefixes: o.GS1Prefixes, GLNs: o.GLNs, Admins: o.Admins}
	}
	vals := make([]membership.Validator, len(doc.Validators))
	for i, v := range doc.Validators {
		vals[i] = membership.Validator{PubKey: v.PubKey, Power: v.Power, Org: v.Org, Name: v.Name, PeerID: membership.PeerID(v.PeerID)}
	}
	return orgs, vals
}

func (a *ContractsApp) Execute(st *store.Store, prev ledger.Hash, hdr *ledger.Header, txs []*ledger.Tx) (*Execution, error) {
	return a.ExecuteChecked(st, prev, hdr, txs, nil)
}

// ExecuteChecked implements checkedApp: Execute, running each transaction
// from the payload CheckTxDecoded decoded at admission when checked (the
// mempool's Checked) still holds it (contracts.ExecuteBlockDecoded).
func (a *ContractsApp) ExecuteChecked(st *store.Store, prev ledger.Hash, hdr *ledger.Header, txs []*ledger.Tx, checked func(ledger.Hash) any) (*Execution, error) {
	sum, err := st.StateSum()
	if err != nil {
		return nil, err
	}
	res, err := a.x.ExecuteBlockDecoded(a.records.reader(st, hdr.Height), contracts.Prior{AppHash: prev, State: sum}, contracts.BlockContext{ChainID: hdr.ChainID, Height: hdr.Height, Time: hdr.Time, Proposer: hdr.Proposer}, txs, checked)
	if err != nil {
		return nil, err
	}
	ex := &Execution{Writes: storeWrites(res.Writes), AppHash: res.AppHash, State: &res.State, Results: res.ResultLeaves, TxHashes: res.TxHashes, Upgrade: res.Upgrade, WritesTree: &res.WritesTree}
	if ex.NextValidators, err = scheduledSet(res.Writes, hdr.Height); err != nil {
		return nil, err
	}
	// Admission authenticates senders against accounts and organisations
	// (membership.Authenticate): a block that writes either, whichever
	// contract wrote it, or that schedules a validator set, changes what
	// admission and its cache of senders must answer. (Any successful
	// membership transaction, validator-set proposals and approvals
	// included, counts too, below.)
	ex.AdmissionChanged = ex.NextValidators != nil
	for _, w := range res.Writes {
		if cachedKey(w.Key) {
			ex.AdmissionChanged = true
			break
		}
	}
	for i, tx := range txs {
		if tx.Contract == membership.Contract && res.Results[i].OK() {
			ex.AdmissionChanged = true
		}
	}
	// res.Events are in transaction order already (contracts.BlockResult).
	ex.Events = make([]Event, 0, len(res.Events))
	for _, ev := range res.Events {
		ex.Events = append(ex.Events, Event{Type: ev.Type, TxHash: res.TxHashes[ev.TxIndex], Attrs: ev.Attrs})
	}
	a.records.executed(ex)
	return ex, nil
}

// scheduledSet finds, among a block's writes, the validator set the block
// scheduled for height+2 (membership.EffectDelay), if any.
func scheduledSet(ws []contracts.Write, height uint64) (*ledger.ValidatorSet, error) {
	for _, w := range ws {
		if from, ok := membership.ValidatorSetFrom(w.Key); ok && from == height+membership.EffectDelay && w.Value != nil {
			rec, err := membership.DecodeValidatorSet(w.Value)
			if err != nil {
				return nil, fmt.Errorf("block %d scheduled a validator set that does not decode: %w", height, err)
			}
			set, err := rec.Ledger()
			if err != nil {
				return nil, fmt.Errorf("block %d scheduled an invalid validator set: %w", height, err)
			}
			return set, nil
		}
	}
	return nil, nil
}

// ValidatorPeers returns the node peer ids of the validators that sign
// height tip+1 (current) and of those a set scheduled after it adds
// (upcoming), from the membership contract's state: who the node admits.
func (a *ContractsApp) ValidatorPeers(st *store.Store, tip uint64) (current, upcoming []peer.ID, err error) {
	hist, err := membership.ValidatorHistory(st)
	if err != nil {
		return nil, nil, err
	}
	seen := map[peer.ID]bool{}
	for _, s := range hist {
		switch {
		case s.From <= tip+1:
			current = current[:0]
			for _, v := range s.Validators {
				if id, err := peer.IDFromBytes(v.PeerID); err == nil {
					current = append(current, id)
				}
			}
		default:
			for _, v := range s.Validators {
				if id, err := peer.IDFromBytes(v.PeerID); err == nil && !seen[id] {
					seen[id] = true
					upcoming = append(upcoming, id)
				}
			}
		}
	}
	return current, upcoming, nil
}

// Committed is told each block once it is stored: a membership change
// empties the authentication cache (only now: an admission reading the
// state before the commit must not refill it with what is no longer true,
// hence the generation).
func (a *ContractsApp) Committed(ex *Execution) {
	a.records.committed(ex)
	if !ex.AdmissionChanged {
		return
	}
	a.mu.Lock()
	clear(a.members)
	a.gen++
	a.mu.Unlock()
}

// CheckTx is the contracts' admission pre-check (contracts.Executor.CheckTx:
// the method exists, the payload decodes, the sender is an active account of
// an active organisation), with the sender's authentication remembered
// until membership next changes: at thousands of transactions per second
// from a few hundred accounts, the two state reads per transaction were a
// tenth of a node's CPU.
func (a *ContractsApp) CheckTx(st *store.Store, tx *ledger.Tx) error {
	_, err := a.CheckTxDecoded(st, tx)
	return err
}

// CheckTxDecoded implements checkedApp: CheckTx, returning the decoded
// payload (contracts.Executor.DecodePayload) for the mempool to keep.
func (a *ContractsApp) CheckTxDecoded(st *store.Store, tx *ledger.Tx) (any, error) {
	v, err := a.x.DecodePayload(tx.Contract, tx.Method, tx.Payload)
	if err != nil {
		return nil, coded(err)
	}
	if err := a.checkSender(st, tx); err != nil {
		return nil, err
	}
	return v, nil
}

// checkSender is CheckTx after the payload decoded: the method is
// available and the sender authenticates.
func (a *ContractsApp) checkSender(st *store.Store, tx *ledger.Tx) error {
	// A method an upgrade brings is refused until the next block runs the
	// protocol version that has it.
	if err := a.x.CheckVersion(st, st.Height()+1, tx.Contract, tx.Method); err != nil {
		return coded(err)
	}
	a.mu.Lock()
	_, known := a.members[tx.Sender]
	gen := a.gen
	a.mu.Unlock()
	if known {
		return nil
	}
	if _, err := membership.Authenticate(st, tx.Sender); err != nil {
		var se *state.StoreError
		if errors.As(err, &se) {
			return se.Err
		}
		return coded(err)
	}
	a.mu.Lock()
	if a.gen == gen && len(a.members) < maxCachedMembers {
		a.members[tx.Sender] = struct{}{}
	}
	a.mu.Unlock()
	return nil
}

// maxCachedMembers bounds the authentication cache.
const maxCachedMembers = 100_000

func coded(err error) error {
	var ce *contracts.Error
	if errors.As(err, &ce) {
		return &mempool.Error{Code: ce.Code, Message: ce.Message}
	}
	return err
}

func storeWrites(ws []contracts.Write) []store.Write {
	out := make([]store.Write, len(ws))
	for i, w := range ws {
		out[i] = store.Write{Key: w.Key, Value: w.Value}
	}
	return out
}

// TxOutcome is a stored transaction result decoded: what the transaction's
// app-hash leaf says.
type TxOutcome struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Events  []contracts.Event `json:"events"`
}

// DecodeOutcome decodes a stored result (contracts.ResultLeaf).
func DecodeOutcome(b []byte) (*TxOutcome, error) {
	d := codec.NewDecoder("tx result", b)
	var h [32]byte
	d.Fixed("tx_hash", h[:])
	o := &TxOutcome{Code: d.String("code", 64), Message: d.String("message", 4096)}
	n := d.Count("events", 1<<16)
	for i := 0; i < n && d.Err() == nil; i++ {
		ev := contracts.Event{Type: d.String("event type", 128)}
		na := d.Count("attrs", 1<<12)
		for j := 0; j < na && d.Err() == nil; j++ {
			ev.Attrs = append(ev.Attrs, contracts.Attr{Key: d.String("attr key", 256), Value: d.String("attr value", 1<<16)})
		}
		o.Events = append(o.Events, ev)
	}
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return o, nil
}
