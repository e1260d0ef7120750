package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/view"
)

// StatusResponse is GET /v1/status.
type StatusResponse struct {
	ChainID       string      `json:"chain_id"`
	Genesis       ledger.Hash `json:"genesis_hash"`
	NodeID        string      `json:"node_id"`
	Role          string      `json:"role"`
	Height        uint64      `json:"height"`
	LastBlockHash ledger.Hash `json:"last_block_hash"`
	LastBlockTime string      `json:"last_block_time,omitempty"`
	AppHash       ledger.Hash `json:"app_hash"`
	Peers         int         `json:"peers"`
	PeerIDs       []string    `json:"peer_ids"`
	Syncing       bool        `json:"syncing"`
	Consensus     *struct {
		Height uint64 `json:"height"`
		Round  uint32 `json:"round"`
		Step   string `json:"step"`
	} `json:"consensus,omitempty"`
	Mempool struct {
		Txs   int `json:"txs"`
		Bytes int `json:"bytes"`
	} `json:"mempool"`
	// Validators is the size of the set that signs the next height, and
	// ValidatorsHash its hash (GET /v1/validators lists it).
	Validators     int         `json:"validators"`
	ValidatorsHash ledger.Hash `json:"validators_hash"`
	// The node's software version, the chain's protocol version, the
	// upgrade governance scheduled (if any: whether this binary knows it,
	// else it stops after committing its height) and the upgrades applied.
	*node.Protocol
}

func (s *Server) status(w http.ResponseWriter, _ *http.Request) {
	n := s.n
	doc, gh := n.Genesis()
	resp := StatusResponse{ChainID: doc.ChainID, Genesis: gh, NodeID: n.Net.ID().String(), Role: string(n.Role()),
		Height: n.Store.Height(), Syncing: n.Syncing(), PeerIDs: []string{}}
	if vals, err := n.Store.ValidatorSet(resp.Height + 1); err == nil {
		resp.Validators, resp.ValidatorsHash = vals.Size(), vals.Hash()
	}
	if resp.Height > 0 {
		if h, err := n.Store.Header(resp.Height); err == nil {
			resp.LastBlockHash = h.Hash()
			resp.LastBlockTime = h.Timestamp().Format(time.RFC3339Nano)
		}
	}
	resp.AppHash, _ = n.Store.AppHash(resp.Height)
	for _, p := range n.Net.Peers() {
		resp.PeerIDs = append(resp.PeerIDs, p.String())
	}
	resp.Peers = len(resp.PeerIDs)
	if cs, ok := n.ConsensusState(); ok {
		resp.Consensus = &struct {
			Height uint64 `json:"height"`
			Round  uint32 `json:"round"`
			Step   string `json:"step"`
		}{cs.Height, cs.Round, cs.Step.String()}
	}
	resp.Mempool.Txs, resp.Mempool.Bytes = n.Pool.Size()
	p, err := n.Protocol()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "ERR_INTERNAL", err.Error())
		return
	}
	resp.Protocol = p
	writeJSON(w, http.StatusOK, resp)
}

// BlockResponse is a block with its hash and its transactions' hashes.
type BlockResponse = view.Block

// TxSummary names a transaction inside a block.
type TxSummary = view.TxSummary

// TxResponse is GET /v1/txs/{hash}.
type TxResponse = view.Tx

// BlocksResponse is GET /v1/blocks: blocks newest first.
type BlocksResponse struct {
	Blocks []*view.Block `json:"blocks"`
	// Next is the height to pass as ?before= for the following page (0
	// after block 1, or after the first block of a node restored from a
	// snapshot).
	Next uint64 `json:"next"`
}

// MaxListedTxs ends a page of GET /v1/blocks early: after the block that
// brings the page's transactions to this many (about 2.5 MB of JSON); the
// client follows next as for any page.
const MaxListedTxs = 10_000

func (s *Server) blocks(w http.ResponseWriter, r *http.Request) {
	limit, ok := intParam(w, r, "limit", 20, 1, 100)
	if !ok {
		return
	}
	var from uint64
	if v := r.URL.Query().Get("before"); v != "" {
		b, err := strconv.ParseUint(v, 10, 64)
		if err != nil || b < 2 {
			writeError(w, http.StatusBadRequest, "ERR_BAD_HEIGHT", fmt.Sprintf("before=%q is not a height above 1", v))
			return
		}
		from = b - 1
	}
	bs, err := s.view.Blocks(from, limit, MaxListedTxs)
	if err != nil {
		WriteViewError(w, err)
		return
	}
	resp := BlocksResponse{Blocks: bs}
	if len(bs) > 0 && bs[len(bs)-1].Height > s.n.Store.BlockBase()+1 {
		resp.Next = bs[len(bs)-1].Height
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) latestBlock(w http.ResponseWriter, r *http.Request) { s.writeBlock(w, 0) }

func (s *Server) block(w http.ResponseWriter, r *http.Request) {
	h, ok := heightParam(w, r)
	if !ok {
		return
	}
	s.writeBlock(w, h)
}

// blockTxHashes is GET /v1/blocks/{height}/txhashes: the block's
// transactions' hashes only, for clients that watch for their own
// transactions (view.BlockTxHashes says why it is not the block's view).
func (s *Server) blockTxHashes(w http.ResponseWriter, r *http.Request) {
	h, ok := heightParam(w, r)
	if !ok {
		return
	}
	b, err := s.view.TxHashes(h)
	if err != nil {
		WriteViewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) writeBlock(w http.ResponseWriter, h uint64) {
	b, err := s.view.Block(h)
	if err != nil {
		WriteViewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) tx(w http.ResponseWriter, r *http.Request) {
	h, err := ledger.ParseHash(r.PathValue("hash"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "ERR_BAD_HASH", err.Error())
		return
	}
	t, err := s.view.Tx(h, s.n.Pool.Has)
	if err != nil {
		WriteViewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// heightParam reads the path's {height}, a positive integer.
func heightParam(w http.ResponseWriter, r *http.Request) (uint64, bool) {
	h, err := strconv.ParseUint(r.PathValue("height"), 10, 64)
	if err != nil || h == 0 {
		writeError(w, http.StatusBadRequest, "ERR_BAD_HEIGHT", fmt.Sprintf("height %q is not a positive integer", r.PathValue("height")))
		return 0, false
	}
	return h, true
}

// intParam reads an integer query parameter within [lo, hi].
func intParam(w http.ResponseWriter, r *http.Request, name string, def, lo, hi int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		writeError(w, http.StatusBadRequest, "ERR_BAD_REQUEST", fmt.Sprintf("%s=%q must be an integer from %d to %d", name, v, lo, hi))
		return 0, false
	}
	return n, true
}
