package view

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
)

// Block is a committed block with its hash, its transactions summarised,
// and this node's commit certificate for it.
type Block struct {
	Hash       ledger.Hash                     `json:"hash"`
	Height     uint64                          `json:"height"`
	Time       string                          `json:"time"`
	Header     ledger.Header                   `json:"header"`
	Txs        []TxSummary                     `json:"txs"`
	LastCommit *ledger.Commit                  `json:"last_commit"`
	Evidence   []*ledger.DuplicateVoteEvidence `json:"evidence"`
	// Commit is this node's certificate for the block itself.
	Commit *ledger.Commit `json:"commit,omitempty"`
	// Proposer is the proposing validator's index and name in the set of
	// the block's height.
	ProposerIndex int    `json:"proposer_index"`
	ProposerName  string `json:"proposer_name,omitempty"`
}

// TxSummary names a transaction inside a block.
type TxSummary struct {
	Hash     ledger.Hash      `json:"hash"`
	Sender   ledger.PublicKey `json:"sender"`
	Nonce    uint64           `json:"nonce"`
	Contract string           `json:"contract"`
	Method   string           `json:"method"`
	Size     int              `json:"size"`
	Code     string           `json:"code,omitempty"` // the result code (OK or ERR_...)
}

// summarize names tx, whose hash the caller has.
func summarize(tx *ledger.Tx, hash ledger.Hash) TxSummary {
	return TxSummary{Hash: hash, Sender: tx.Sender, Nonce: tx.Nonce, Contract: tx.Contract, Method: tx.Method, Size: tx.EncodedLen()}
}

// Block returns the block at height h (0 means the latest).
func (r *Reader) Block(h uint64) (*Block, error) {
	b, h, err := r.committed(h)
	if err != nil {
		return nil, err
	}
	out := &Block{Hash: b.Hash(), Height: h, Time: b.Header.Timestamp().Format(time.RFC3339Nano), Header: b.Header,
		LastCommit: b.LastCommit, Evidence: b.Evidence, Txs: make([]TxSummary, 0, len(b.Txs))}
	if b.Evidence == nil {
		out.Evidence = []*ledger.DuplicateVoteEvidence{}
	}
	out.ProposerIndex, out.ProposerName = r.proposer(h, b.Header.Proposer)
	hashes := store.TxHashes(b.Txs)
	results, _ := r.st.Results(h, hashes)
	for i, tx := range b.Txs {
		s := summarize(tx, hashes[i])
		if i < len(results) {
			if o, err := node.DecodeOutcome(results[i]); err == nil {
				s.Code = o.Code
			}
		}
		out.Txs = append(out.Txs, s)
	}
	out.Commit, _ = r.st.Commit(h)
	return out, nil
}

// committed reads the block at height h (0 means the latest) and returns
// it with its height, or the view's error for a height the node does not
// hold.
func (r *Reader) committed(h uint64) (*ledger.Block, uint64, error) {
	tip := r.st.Height()
	if h == 0 {
		h = tip
	}
	if h == 0 {
		return nil, 0, notFound("no block has been committed yet")
	}
	b, err := r.st.Block(h)
	if perr, ok := r.pruned(err); ok {
		return nil, 0, perr
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, notFound("no block at height %d (the chain is at %d)", h, tip)
	}
	if err != nil {
		return nil, 0, err
	}
	return b, h, nil
}

// BlockTxHashes is a committed block's height, hash and time and its
// transactions' hashes in block order: all that a client which submitted
// transactions needs to learn that they committed (qian bench, a gateway
// confirming its submissions). Block summarises each transaction, reads its
// result and carries two commit certificates: several times the bytes to
// build, encode and decode for a client that reads every block.
type BlockTxHashes struct {
	Height   uint64        `json:"height"`
	Hash     ledger.Hash   `json:"hash"`
	Time     string        `json:"time"`
	TxHashes []ledger.Hash `json:"tx_hashes"`
}

// TxHashes returns the block at height h (0 means the latest) as its
// transactions' hashes.
func (r *Reader) TxHashes(h uint64) (*BlockTxHashes, error) {
	b, h, err := r.committed(h)
	if err != nil {
		return nil, err
	}
	return &BlockTxHashes{Height: h, Hash: b.Hash(), Time: b.Header.Timestamp().Format(time.RFC3339Nano), TxHashes: store.TxHashes(b.Txs)}, nil
}

// Blocks returns up to n blocks, newest first, starting at height from (0:
// the latest), and stops after the block that brings their transactions to
// maxTxs or more: a page of a hundred blocks of 2,000 transactions each
// would be 200,000 summaries built and encoded for one request. It returns
// at least one block when there is one.
func (r *Reader) Blocks(from uint64, n, maxTxs int) ([]*Block, error) {
	if from == 0 || from > r.st.Height() {
		from = r.st.Height()
	}
	out := []*Block{}
	txs := 0
	// A node restored from a snapshot holds no block at or below its base.
	for h := from; h > r.st.BlockBase() && len(out) < n && (len(out) == 0 || txs < maxTxs); h-- {
		b, err := r.Block(h)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
		txs += len(b.Txs)
	}
	return out, nil
}

// BlockRow is a block as a list of recent blocks shows it, read from its
// header alone.
type BlockRow struct {
	Height       uint64
	Time         string
	TxCount      uint32
	ProposerName string
}

// BlockRows returns up to n blocks' rows, newest first. Unlike Blocks it
// reads no transactions: the explorer's front page lists twelve blocks, and
// building each as a Block decoded every transaction and read every result
// (24,000 of each for blocks of 2,000) on every view of the page.
func (r *Reader) BlockRows(n int) ([]BlockRow, error) {
	out := []BlockRow{}
	for h := r.st.Height(); h > r.st.BlockBase() && len(out) < n; h-- {
		hdr, err := r.st.Header(h)
		if err != nil {
			return nil, err
		}
		_, name := r.proposer(h, hdr.Proposer)
		out = append(out, BlockRow{Height: h, Time: hdr.Timestamp().Format(time.RFC3339Nano), TxCount: hdr.TxCount, ProposerName: name})
	}
	return out, nil
}

// proposer returns the index and name of key in the validator set of
// height h, or -1 and "" when the set is unknown or does not hold it.
func (r *Reader) proposer(h uint64, key ledger.PublicKey) (int, string) {
	set, err := membership.ValidatorSetAt(r.st, h)
	if err != nil {
		return -1, ""
	}
	i := set.IndexOf(key)
	if i < 0 {
		return -1, ""
	}
	return i, set.Validators[i].Name
}

// Tx is a transaction with its place in the chain, its decoded payload and
// its result.
type Tx struct {
	Hash      ledger.Hash  `json:"tx_hash"`
	Status    string       `json:"status"` // committed, pending
	Height    uint64       `json:"height,omitempty"`
	Index     uint32       `json:"index"`
	BlockHash *ledger.Hash `json:"block_hash,omitempty"`
	Time      string       `json:"time,omitempty"` // block time
	// Code and Message are the result (OK, or a rejection's code and
	// sentence); Events what the transaction did.
	Code    string          `json:"code,omitempty"`
	Message string          `json:"message,omitempty"`
	Events  []TxEvent       `json:"events"`
	Result  string          `json:"result,omitempty"` // hex of the stored result (the app-hash leaf)
	Tx      *ledger.Tx      `json:"tx,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"` // the payload decoded, as JSON
	// PayloadError is why the payload did not decode (it was then
	// rejected with ERR_PAYLOAD or similar).
	PayloadError string  `json:"payload_error,omitempty"`
	SenderOrg    *OrgRef `json:"sender_org,omitempty"`
	SenderRole   string  `json:"sender_role,omitempty"` // admin or operator
	Size         int     `json:"size,omitempty"`
}

// TxEvent is an event a transaction emitted.
type TxEvent struct {
	Type  string           `json:"type"`
	Attrs []contracts.Attr `json:"attrs"`
}

// Tx returns the transaction with hash h: committed, or pending in pool
// (pending reports whether the mempool holds it).
func (r *Reader) Tx(h ledger.Hash, pending func(ledger.Hash) bool) (*Tx, error) {
	at, err := r.st.Tx(h)
	if perr, ok := r.pruned(err); ok {
		return nil, perr
	}
	if errors.Is(err, store.ErrNotFound) {
		if pending != nil && pending(h) {
			return &Tx{Hash: h, Status: "pending", Events: []TxEvent{}}, nil
		}
		return nil, notFound("transaction %s is neither committed nor pending on this node", h)
	}
	if err != nil {
		return nil, err
	}
	bh := at.Block.Hash()
	out := &Tx{Hash: h, Status: "committed", Height: at.Height, Index: at.Pos, BlockHash: &bh,
		Time: at.Block.Header.Timestamp().Format(time.RFC3339Nano), Result: hex.EncodeToString(at.Result), Tx: at.Tx,
		Events: []TxEvent{}, Size: at.Tx.EncodedLen()}
	o, err := node.DecodeOutcome(at.Result)
	if err != nil {
		return nil, err
	}
	out.Code, out.Message = o.Code, o.Message
	for _, ev := range o.Events {
		attrs := ev.Attrs
		if attrs == nil {
			attrs = []contracts.Attr{}
		}
		out.Events = append(out.Events, TxEvent{Type: ev.Type, Attrs: attrs})
	}
	out.Payload, out.PayloadError = r.payloadJSON(at.Tx, out.Events)
	if a, err := membership.GetAccount(r.st, at.Tx.Sender); err == nil && a != nil {
		out.SenderOrg = r.orgRef(a.Org, nil)
		out.SenderRole = a.Role.String()
	}
	return out, nil
}

// payloadJSON decodes a payload with the contracts' decoders and renders
// it as JSON; a trace.capture payload as the EPCIS 2.0 event.
func (r *Reader) payloadJSON(tx *ledger.Tx, events []TxEvent) (json.RawMessage, string) {
	v, err := r.x.DecodePayload(tx.Contract, tx.Method, tx.Payload)
	if err != nil {
		return nil, err.Error()
	}
	if ev, ok := v.(*epcis.Event); ok && tx.Contract == trace.Contract {
		rec := epcis.Recorded{Event: ev}
		for _, e := range events {
			if e.Type != "trace.event" {
				continue
			}
			for _, a := range e.Attrs {
				if a.Key == "event" {
					if h, err := ledger.ParseHash(a.Value); err == nil {
						rec.Hash = h
					}
				}
			}
		}
		j := epcis.EventJSON(&rec)
		b, err := j.MarshalJSON()
		if err != nil {
			return nil, err.Error()
		}
		return b, ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err.Error()
	}
	return b, ""
}
