package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/store"
)

// The verification endpoints: a transaction's proof bundle (ledger/proof,
// docs/verification.md) and a block in its canonical encodings for `qian
// audit --node`. Both serve what the store holds and verified on read;
// neither asks the client to trust this node, since each answer is checked
// against genesis by the client.
func init() { routeHooks = append(routeHooks, registerProof) }

func registerProof(s *Server) {
	s.mux.HandleFunc("GET /v1/txs/{hash}/proof", s.txProof)
	s.mux.HandleFunc("GET /v1/blocks/{height}/raw", s.rawBlock)
}

func (s *Server) txProof(w http.ResponseWriter, r *http.Request) {
	h, err := ledger.ParseHash(r.PathValue("hash"))
	if err != nil {
		WriteError(w, http.StatusBadRequest, "ERR_BAD_HASH", err.Error())
		return
	}
	b, err := proof.Build(s.n.Store, h)
	if perr, ok := s.view.Pruned(err); ok {
		WriteViewError(w, perr)
		return
	}
	switch {
	case proof.CodeOf(err) == proof.ErrNotFound:
		msg := err.Error()
		if s.n.Pool.Has(h) {
			msg += "; it is pending in the mempool: ask again once it is committed"
		}
		WriteError(w, http.StatusNotFound, "ERR_NOT_FOUND", msg)
		return
	case err != nil:
		WriteError(w, http.StatusInternalServerError, "ERR_STORE", err.Error())
		return
	}
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=\"proof-%s.json\"", h.String()[:16]))
	_, _ = w.Write(b.Marshal())
}

// RawBlock is GET /v1/blocks/{height}/raw: everything a node stores for a
// height, in canonical encodings (lowercase hex), for auditors who check it
// themselves (node/audit).
type RawBlock struct {
	Height uint64      `json:"height"`
	Hash   ledger.Hash `json:"hash"`
	// Block is the block's encoding (docs/encoding.md, tag 03).
	Block proof.Hex `json:"block"`
	// Commit is this node's own certificate for the block (tag 06). The
	// chain's own is the last commit inside block height+1.
	Commit proof.Hex `json:"commit"`
	// Results are the stored result leaves (docs/state.md), one per
	// transaction in block order.
	Results []proof.Hex `json:"results"`
	// AppHash is this node's state commitment after the block; header
	// height+1 carries the same value.
	AppHash ledger.Hash `json:"app_hash"`
	// WritesRoot is the root over the block's state writes, one input of
	// AppHash (docs/state.md), when this node keeps it.
	WritesRoot *ledger.Hash `json:"writes_root,omitempty"`
	// Tip is the node's height when it answered.
	Tip uint64 `json:"tip"`
}

func (s *Server) rawBlock(w http.ResponseWriter, r *http.Request) {
	h, ok := heightParam(w, r)
	if !ok {
		return
	}
	st := s.n.Store
	tip := st.Height()
	blk, err := st.Block(h)
	if perr, ok := s.view.Pruned(err); ok {
		WriteViewError(w, perr)
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		WriteError(w, http.StatusNotFound, "ERR_NOT_FOUND", fmt.Sprintf("no block at height %d (the chain is at %d)", h, tip))
		return
	}
	if err != nil {
		WriteError(w, http.StatusInternalServerError, "ERR_STORE", err.Error())
		return
	}
	resp := RawBlock{Height: h, Hash: blk.Hash(), Block: blk.Encode(), Results: make([]proof.Hex, len(blk.Txs)), Tip: tip}
	cmt, err := st.Commit(h)
	if err == nil {
		resp.Commit = cmt.Encode()
		resp.AppHash, err = st.AppHash(h)
	}
	if err == nil {
		switch wr, werr := st.WritesRoot(h); {
		case werr == nil:
			resp.WritesRoot = &wr
		case !errors.Is(werr, store.ErrNotFound):
			err = werr
		}
	}
	if err == nil {
		var leaves [][]byte
		leaves, err = st.Results(h, store.TxHashes(blk.Txs))
		for i, l := range leaves {
			resp.Results[i] = l
		}
	}
	if err != nil {
		WriteError(w, http.StatusInternalServerError, "ERR_STORE", fmt.Sprintf("height %d: %v", h, err))
		return
	}
	WriteJSON(w, http.StatusOK, resp)
}
