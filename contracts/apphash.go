package contracts

import (
	"encoding/binary"

	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/memstate"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// AppHashDomain is the BIP-340 tag of the app hash.
const AppHashDomain = "qian/app/v1"

// AppHash is the hash chain that commits to the state: for block h,
//
//	AppHash(h) = TaggedHash("qian/app/v1", AppHash(h-1) || u64be(h) || WritesRoot || ResultsRoot)
//
// WritesRoot is the RFC 6962 root over the block's writes in key order,
// each leaf WriteLeaf(w); ResultsRoot the RFC 6962 root over one leaf per
// transaction, ResultLeaf(tx hash, result, its events). Genesis is height 0
// with AppHash(-1) all zero and no results. It costs two hashes per write
// and per transaction — cheap at thousands of transactions per block — and
// an auditor who replays the chain recomputes it exactly (docs/state.md).
// It is not a state root: proving one key's value needs a replay.
func AppHash(prev ledger.Hash, height uint64, writes []Write, txHashes []ledger.Hash, results []TxResult, events []Event) ledger.Hash {
	wl := make([]merkle.Hash, len(writes))
	for i := range writes {
		wl[i] = merkle.LeafHash(WriteLeaf(writes[i]))
	}
	byTx := make([][]Event, len(results))
	for _, ev := range events {
		byTx[ev.TxIndex] = append(byTx[ev.TxIndex], ev)
	}
	rl := make([]merkle.Hash, len(results))
	for i := range results {
		rl[i] = merkle.LeafHash(ResultLeaf(txHashes[i], results[i], byTx[i]))
	}
	wr, rr := merkle.Root(wl), merkle.Root(rl)
	msg := make([]byte, 0, 32+8+32+32)
	msg = append(msg, prev[:]...)
	msg = binary.BigEndian.AppendUint64(msg, height)
	msg = append(msg, wr[:]...)
	msg = append(msg, rr[:]...)
	return ledger.TaggedHash(AppHashDomain, msg)
}

// WriteLeaf is a write's leaf data: bytes key, then 0x00 for a delete or
// 0x01 followed by bytes value (bytes = uvarint length, then the bytes).
func WriteLeaf(w Write) []byte {
	e := &codec.Encoder{Buf: make([]byte, 0, 8+len(w.Key)+len(w.Value))}
	e.Bytes(w.Key)
	if w.Value == nil {
		e.Bool(false)
	} else {
		e.Bool(true)
		e.Bytes(w.Value)
	}
	return e.Buf
}

// ResultLeaf is a transaction's leaf data: its 32-byte hash, string code,
// string message, then its events (count; each: string type, count of
// attributes, each string key and string value).
func ResultLeaf(txHash ledger.Hash, r TxResult, events []Event) []byte {
	e := &codec.Encoder{Buf: make([]byte, 0, 64+len(r.Message))}
	e.Fixed(txHash[:])
	e.String(r.Code)
	e.String(r.Message)
	e.Count(len(events))
	for _, ev := range events {
		e.String(ev.Type)
		e.Count(len(ev.Attrs))
		for _, a := range ev.Attrs {
			e.String(a.Key)
			e.String(a.Value)
		}
	}
	return e.Buf
}

// ChainIDKey holds the chain id, written at genesis.
var ChainIDKey = []byte("x/chain_id")

// GenesisResult is the initial state: the writes to persist before block
// 1 and the app hash block 1's header carries.
type GenesisResult struct {
	Writes  []Write
	AppHash ledger.Hash
}

// Genesis builds the initial state from the founding organisations and the
// genesis validators. Every organisation is checked as a proposal would be
// (ids, roles, prefixes that do not overlap, unique GLNs and keys), every
// validator as an addition would be (membership.GenesisValidators); a
// problem is an *Error naming it.
func Genesis(chainID string, orgs []membership.OrgSpec, vals []membership.Validator) (*GenesisResult, error) {
	if err := ledger.ValidateChainID(chainID); err != nil {
		return nil, err
	}
	blk := state.NewBlock(memstate.New())
	t := blk.Begin()
	t.Set(ChainIDKey, []byte(chainID))
	if err := membership.Genesis(t, orgs); err != nil {
		return nil, err
	}
	if err := membership.GenesisValidators(t, vals); err != nil {
		return nil, err
	}
	t.Commit()
	ws := blk.Writes()
	return &GenesisResult{Writes: ws, AppHash: AppHash(ledger.ZeroHash, 0, ws, nil, nil, nil)}, nil
}
