package contracts

import (
	"encoding/binary"

	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/memstate"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
	"github.com/qianchain/qianchain/ledger/statedigest"
)

// AppHashDomain is the BIP-340 tag of the app hash.
const AppHashDomain = "qian/app/v1"

// AppHash is the hash chain that commits to the state: for block h,
//
//	AppHash(h) = TaggedHash("qian/app/v1", AppHash(h-1) || u64be(h) || WritesRoot || ResultsRoot)
//
// WritesRoot is statedigest.WritesRoot(the RFC 6962 root over the block's
// writes in key order, each leaf WriteLeaf(w); stateDigest), stateDigest
// being the digest of the whole state after the block (ledger/statedigest);
// ResultsRoot the RFC 6962 root over resultLeaves, one per transaction:
// ResultLeaf(tx hash, result, its events), as ResultLeaves encodes them.
// Genesis is height 0 with AppHash(-1) all zero and no results. It costs two hashes per write and per transaction —
// cheap at thousands of transactions per block — plus the state digest's
// update, and an auditor who replays the chain recomputes it exactly
// (docs/state.md). It is not a Merkle root of the state: proving one key's
// value needs a replay, or the whole state, which is what a snapshot is.
func AppHash(prev ledger.Hash, height uint64, writes []Write, stateDigest ledger.Hash, resultLeaves [][]byte) ledger.Hash {
	app, _ := appHash(prev, height, writes, stateDigest, resultLeaves)
	return app
}

// appHash is AppHash, and the RFC 6962 root over the writes' leaves on the
// way (the store keeps it beside the state digest: BlockResult.WritesTree).
func appHash(prev ledger.Hash, height uint64, writes []Write, stateDigest ledger.Hash, resultLeaves [][]byte) (app, writesTree ledger.Hash) {
	wl := make([]merkle.Hash, len(writes))
	var buf []byte // one leaf at a time: hashed, not kept
	for i := range writes {
		buf = statedigest.AppendWriteLeaf(buf[:0], writes[i].Key, writes[i].Value)
		wl[i] = merkle.LeafHash(buf)
	}
	rl := make([]merkle.Hash, len(resultLeaves))
	for i, leaf := range resultLeaves {
		rl[i] = merkle.LeafHash(leaf)
	}
	writesTree = merkle.Root(wl)
	wr, rr := statedigest.WritesRoot(writesTree, stateDigest), merkle.Root(rl)
	msg := make([]byte, 0, 32+8+32+32)
	msg = append(msg, prev[:]...)
	msg = binary.BigEndian.AppendUint64(msg, height)
	msg = append(msg, wr[:]...)
	msg = append(msg, rr[:]...)
	return ledger.TaggedHash(AppHashDomain, msg), writesTree
}

// WriteLeaf is a write's leaf data (statedigest.AppendWriteLeaf): bytes
// key, then 0x00 for a delete or 0x01 followed by bytes value (bytes =
// uvarint length, then the bytes).
func WriteLeaf(w Write) []byte {
	return statedigest.AppendWriteLeaf(make([]byte, 0, 8+len(w.Key)+len(w.Value)), w.Key, w.Value)
}

// ResultLeaf is a transaction's leaf data: its 32-byte hash, string code,
// string message, then its events (count; each: string type, count of
// attributes, each string key and string value).
func ResultLeaf(txHash ledger.Hash, r TxResult, events []Event) []byte {
	e := codec.Encoder{Buf: make([]byte, 0, 64+len(r.Message))}
	appendResultLeaf(&e, txHash, r, events)
	return e.Buf
}

func appendResultLeaf(e *codec.Encoder, txHash ledger.Hash, r TxResult, events []Event) {
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
}

// ResultLeaves returns each transaction's ResultLeaf, given its hash, its
// result and the block's events (eventsByTx sorts out whose). They are
// encoded one after another into one buffer and returned as capped windows of it: a
// block of thousands of transactions made thousands of small buffers, most
// of them grown twice by their events, and the node encoded every leaf a
// second time for the store (issue 14's allocation profile).
func ResultLeaves(txHashes []ledger.Hash, results []TxResult, events []Event) [][]byte {
	byTx := eventsByTx(len(results), events)
	// Sized exactly: a guess of 160 bytes a leaf was short of a trace
	// event's (about 230: its five attributes hold a hash in hex and a
	// URI), and a block of captures grew the buffer twice, megabytes each.
	n := 0
	for i := range results {
		n += resultLeafLen(results[i], byTx[i])
	}
	e := codec.Encoder{Buf: make([]byte, 0, n)}
	ends := make([]int, len(results))
	for i := range results {
		appendResultLeaf(&e, txHashes[i], results[i], byTx[i])
		ends[i] = len(e.Buf)
	}
	out := make([][]byte, len(results))
	start := 0
	for i, end := range ends {
		out[i] = e.Buf[start:end:end]
		start = end
	}
	return out
}

// resultLeafLen is the length of the leaf appendResultLeaf encodes.
func resultLeafLen(r TxResult, events []Event) int {
	n := ledger.HashSize + codec.StringLen(r.Code) + codec.StringLen(r.Message) + codec.CountLen(len(events))
	for _, ev := range events {
		n += codec.StringLen(ev.Type) + codec.CountLen(len(ev.Attrs))
		for _, a := range ev.Attrs {
			n += codec.StringLen(a.Key) + codec.StringLen(a.Value)
		}
	}
	return n
}

// eventsByTx splits a block's events into each of its n transactions' own,
// in order; every event's TxIndex must be below n. Execution emits them in
// transaction order, so each transaction's are a window of events, nothing
// copied; events out of that order are gathered by copying instead.
func eventsByTx(n int, events []Event) [][]Event {
	byTx := make([][]Event, n)
	for k := 1; k < len(events); k++ {
		if events[k].TxIndex < events[k-1].TxIndex {
			for _, ev := range events {
				byTx[ev.TxIndex] = append(byTx[ev.TxIndex], ev)
			}
			return byTx
		}
	}
	for lo := 0; lo < len(events); {
		i, hi := events[lo].TxIndex, lo+1
		for hi < len(events) && events[hi].TxIndex == i {
			hi++
		}
		byTx[i] = events[lo:hi:hi]
		lo = hi
	}
	return byTx
}

// ChainIDKey holds the chain id, written at genesis.
var ChainIDKey = []byte("x/chain_id")

// GenesisResult is the initial state: the writes to persist before block
// 1, the app hash block 1's header carries and the state digest's Sum of
// the writes.
type GenesisResult struct {
	Writes  []Write
	AppHash ledger.Hash
	State   statedigest.Sum
}

// Prior is what block 1 executes from.
func (g *GenesisResult) Prior() Prior { return Prior{AppHash: g.AppHash, State: g.State} }

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
	sum := genesisState(ws)
	return &GenesisResult{Writes: ws, State: sum, AppHash: AppHash(ledger.ZeroHash, 0, ws, sum.Digest(), nil)}, nil
}
