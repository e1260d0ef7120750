package api

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/mempool"
)

// SubmitRequest is the JSON form of POST /v1/txs: the transaction's
// canonical encoding in hex. (application/octet-stream bodies carry the
// encoding itself.)
type SubmitRequest struct {
	Tx string `json:"tx"`
}

// SubmitResponse acknowledges an admitted transaction; it is committed
// later (poll GET /v1/txs/{hash} or watch the event stream).
type SubmitResponse struct {
	Hash ledger.Hash `json:"tx_hash"`
	Code string      `json:"code"`
}

func (s *Server) submitTx(w http.ResponseWriter, r *http.Request) {
	doc, _ := s.n.Genesis()
	limit := int64(doc.Consensus.MaxTxBytes)*2 + 1024
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "ERR_BODY_TOO_LARGE", fmt.Sprintf("request body exceeds %d bytes", limit))
		return
	}
	raw := body
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/octet-stream") {
		var req SubmitRequest
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, http.StatusBadRequest, "ERR_BAD_JSON", "body must be JSON {\"tx\": \"<hex>\"} or application/octet-stream: "+err.Error())
			return
		}
		if raw, err = hex.DecodeString(req.Tx); err != nil {
			writeError(w, http.StatusBadRequest, "ERR_BAD_JSON", "tx is not hexadecimal")
			return
		}
	}
	_, h, err := s.n.Submit(raw)
	if err != nil {
		code, status := mempool.CodeOf(err), http.StatusBadRequest
		switch code {
		case "":
			writeError(w, http.StatusInternalServerError, "ERR_INTERNAL", err.Error())
			return
		case mempool.ErrMempoolFull, mempool.ErrSenderLimit:
			status = http.StatusServiceUnavailable
		case mempool.ErrDuplicateTx, mempool.ErrAlreadyCommitted:
			status = http.StatusConflict
		}
		var e *mempool.Error
		msg := err.Error()
		if asMempool(err, &e) {
			msg = e.Message
		}
		writeJSON(w, status, struct {
			Error
			Hash ledger.Hash `json:"tx_hash"`
		}{Error{Code: code, Message: msg}, h})
		return
	}
	writeJSON(w, http.StatusAccepted, SubmitResponse{Hash: h, Code: "OK"})
}
