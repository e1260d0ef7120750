// Package call is what a contract method receives: the call's Context (the
// block, the transaction, the sender, the state overlay, the event sink) and
// the coded Error every rejection is made of.
package call

import (
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// Block describes the block being executed.
type Block struct {
	ChainID  string
	Height   uint64
	Time     int64 // header time, unix nanoseconds
	Proposer ledger.PublicKey
}

// Attr is one key/value attribute of an event.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Event is something a transaction did, for indexes, pages and the event
// stream. Type is "<contract>.<what>", e.g. "trace.event" or
// "notary.anchored".
type Event struct {
	TxIndex uint32 `json:"tx_index"`
	Type    string `json:"type"`
	Attrs   []Attr `json:"attrs"`
}

// Context is one transaction's call. Methods read and write only through
// State; they must be deterministic (no clocks, randomness, map order or
// floating point reaching state or events).
type Context struct {
	Block   Block
	TxIndex uint32
	TxHash  ledger.Hash
	Sender  ledger.PublicKey
	State   *state.Tx

	events []Event
}

// NewContext makes the context of transaction index txIndex.
func NewContext(b Block, txIndex uint32, txHash ledger.Hash, sender ledger.PublicKey, st *state.Tx) *Context {
	return &Context{Block: b, TxIndex: txIndex, TxHash: txHash, Sender: sender, State: st}
}

// Emit records an event; attrs alternate key, value.
func (c *Context) Emit(typ string, kv ...string) {
	// Sized at once: grown from nil, a trace event's five attributes took
	// four allocations.
	ev := Event{TxIndex: c.TxIndex, Type: typ, Attrs: make([]Attr, 0, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		ev.Attrs = append(ev.Attrs, Attr{Key: kv[i], Value: kv[i+1]})
	}
	c.events = append(c.events, ev)
}

// Events returns the events emitted so far.
func (c *Context) Events() []Event { return c.events }
