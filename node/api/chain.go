package api

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
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
	Validators int `json:"validators"`
}

func (s *Server) status(w http.ResponseWriter, _ *http.Request) {
	n := s.n
	doc, gh := n.Genesis()
	resp := StatusResponse{ChainID: doc.ChainID, Genesis: gh, NodeID: n.Net.ID().String(), Role: string(n.Role()),
		Height: n.Store.Height(), Syncing: n.Syncing(), Validators: len(doc.Validators)}
	if resp.Height > 0 {
		if b, err := n.Store.Block(resp.Height); err == nil {
			resp.LastBlockHash = b.Hash()
			resp.LastBlockTime = b.Header.Timestamp().Format(time.RFC3339Nano)
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
	writeJSON(w, http.StatusOK, resp)
}

// BlockResponse is a block with its hash and its transactions' hashes.
type BlockResponse struct {
	Hash       ledger.Hash                     `json:"hash"`
	Height     uint64                          `json:"height"`
	Time       string                          `json:"time"`
	Header     ledger.Header                   `json:"header"`
	Txs        []TxSummary                     `json:"txs"`
	LastCommit *ledger.Commit                  `json:"last_commit"`
	Evidence   []*ledger.DuplicateVoteEvidence `json:"evidence"`
	// Commit is this node's certificate for the block itself.
	Commit *ledger.Commit `json:"commit,omitempty"`
}

// TxSummary names a transaction inside a block.
type TxSummary struct {
	Hash     ledger.Hash      `json:"hash"`
	Sender   ledger.PublicKey `json:"sender"`
	Nonce    uint64           `json:"nonce"`
	Contract string           `json:"contract"`
	Method   string           `json:"method"`
	Size     int              `json:"size"`
}

func summarize(tx *ledger.Tx) TxSummary {
	return TxSummary{Hash: tx.Hash(), Sender: tx.Sender, Nonce: tx.Nonce, Contract: tx.Contract, Method: tx.Method, Size: len(tx.Encode())}
}

func (s *Server) latestBlock(w http.ResponseWriter, r *http.Request) {
	s.writeBlock(w, s.n.Store.Height())
}

func (s *Server) block(w http.ResponseWriter, r *http.Request) {
	h, err := strconv.ParseUint(r.PathValue("height"), 10, 64)
	if err != nil || h == 0 {
		writeError(w, http.StatusBadRequest, "ERR_BAD_HEIGHT", fmt.Sprintf("height %q is not a positive integer", r.PathValue("height")))
		return
	}
	s.writeBlock(w, h)
}

func (s *Server) writeBlock(w http.ResponseWriter, h uint64) {
	if h == 0 {
		writeError(w, http.StatusNotFound, "ERR_NOT_FOUND", "no block has been committed yet")
		return
	}
	b, err := s.n.Store.Block(h)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "ERR_NOT_FOUND", fmt.Sprintf("no block at height %d (the chain is at %d)", h, s.n.Store.Height()))
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "ERR_STORE", err.Error())
		return
	}
	resp := BlockResponse{Hash: b.Hash(), Height: h, Time: b.Header.Timestamp().Format(time.RFC3339Nano), Header: b.Header,
		LastCommit: b.LastCommit, Evidence: b.Evidence, Txs: []TxSummary{}}
	for _, tx := range b.Txs {
		resp.Txs = append(resp.Txs, summarize(tx))
	}
	resp.Commit, _ = s.n.Store.Commit(h)
	writeJSON(w, http.StatusOK, resp)
}

// TxResponse is GET /v1/txs/{hash}.
type TxResponse struct {
	Hash   ledger.Hash `json:"tx_hash"`
	Status string      `json:"status"` // committed, pending
	Height uint64      `json:"height,omitempty"`
	Index  uint32      `json:"index"`
	Code   string      `json:"code,omitempty"`
	Result string      `json:"result,omitempty"` // hex of the executor's result encoding
	Tx     *ledger.Tx  `json:"tx,omitempty"`
}

func (s *Server) tx(w http.ResponseWriter, r *http.Request) {
	h, err := ledger.ParseHash(r.PathValue("hash"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "ERR_BAD_HASH", err.Error())
		return
	}
	at, err := s.n.Store.Tx(h)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, TxResponse{Hash: h, Status: "committed", Height: at.Height, Index: at.Pos, Result: hex.EncodeToString(at.Result), Tx: at.Tx})
	case errors.Is(err, store.ErrNotFound) && s.n.Pool.Has(h):
		writeJSON(w, http.StatusOK, TxResponse{Hash: h, Status: "pending"})
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "ERR_NOT_FOUND", fmt.Sprintf("transaction %s is neither committed nor pending on this node", h))
	default:
		writeError(w, http.StatusInternalServerError, "ERR_STORE", err.Error())
	}
}
