package node

import (
	"errors"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/membership"
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
}

// NewContractsApp returns the production application.
func NewContractsApp() *ContractsApp { return &ContractsApp{x: contracts.NewExecutor()} }

// Executor exposes the contracts' executor (payload decoding for the API).
func (a *ContractsApp) Executor() *contracts.Executor { return a.x }

func (a *ContractsApp) Genesis(doc *genesis.Doc) ([]store.Write, ledger.Hash, error) {
	orgs := make([]membership.OrgSpec, len(doc.Organisations))
	for i, o := range doc.Organisations {
		roles := make([]membership.Role, len(o.Roles))
		for j, r := range o.Roles {
			roles[j] = membership.Role(r)
		}
		orgs[i] = membership.OrgSpec{ID: o.ID, Name: o.Name, Roles: roles, Prefixes: o.GS1Prefixes, GLNs: o.GLNs, Admins: o.Admins}
	}
	g, err := contracts.Genesis(doc.ChainID, orgs)
	if err != nil {
		return nil, ledger.Hash{}, err
	}
	return storeWrites(g.Writes), g.AppHash, nil
}

func (a *ContractsApp) Execute(st *store.Store, prev ledger.Hash, hdr *ledger.Header, txs []*ledger.Tx) (*Execution, error) {
	res, err := a.x.ExecuteBlock(st, prev, contracts.BlockContext{ChainID: hdr.ChainID, Height: hdr.Height, Time: hdr.Time, Proposer: hdr.Proposer}, txs)
	if err != nil {
		return nil, err
	}
	byTx := make([][]contracts.Event, len(txs))
	for _, ev := range res.Events {
		byTx[ev.TxIndex] = append(byTx[ev.TxIndex], ev)
	}
	ex := &Execution{Writes: storeWrites(res.Writes), AppHash: res.AppHash, Results: make([][]byte, len(txs))}
	for i, tx := range txs {
		h := tx.Hash()
		if tx.Contract == membership.Contract && res.Results[i].OK() {
			ex.AdmissionChanged = true
		}
		ex.Results[i] = contracts.ResultLeaf(h, res.Results[i], byTx[i])
		for _, ev := range byTx[i] {
			ex.Events = append(ex.Events, Event{Type: ev.Type, TxHash: h, Attrs: ev.Attrs})
		}
	}
	return ex, nil
}

func (a *ContractsApp) CheckTx(st *store.Store, tx *ledger.Tx) error {
	err := a.x.CheckTx(st, tx)
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
