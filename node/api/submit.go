package api

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

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

// BatchRequest is POST /v1/txs/batch: up to MaxBatch signed transactions,
// each in hex.
type BatchRequest struct {
	Txs []string `json:"txs"`
}

// BatchResult is one transaction's admission.
type BatchResult struct {
	Hash    *ledger.Hash `json:"tx_hash,omitempty"` // absent when the bytes did not decode
	Code    string       `json:"code"`              // OK or the rejection's code
	Message string       `json:"message,omitempty"`
}

// BatchResponse lists each transaction's admission in request order.
type BatchResponse struct {
	Accepted int           `json:"accepted"`
	Rejected int           `json:"rejected"`
	Results  []BatchResult `json:"results"`
}

// Batch limits.
const (
	MaxBatch      = 1000
	MaxBatchBytes = 16 << 20
)

func (s *Server) txLimit() int64 {
	doc, _ := s.n.Genesis()
	return int64(doc.Consensus.MaxTxBytes)*2 + 1024
}

func (s *Server) submitTx(w http.ResponseWriter, r *http.Request) {
	limit := s.txLimit()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		bodyError(w, err, limit)
		return
	}
	raw, msg := parseSubmitBody(r.Header.Get("Content-Type"), body)
	if msg != "" {
		writeError(w, http.StatusBadRequest, "ERR_BAD_JSON", msg)
		return
	}
	if !s.allow(w, r, 1) {
		return
	}
	_, h, err := s.n.SubmitFrom(r.Context(), raw, oneAtATime(r))
	if err != nil {
		status, code, msg := admissionError(err)
		writeJSON(w, status, struct {
			Error
			Hash ledger.Hash `json:"tx_hash"`
		}{Error{Code: code, Message: msg}, h})
		return
	}
	writeEncoded(w, http.StatusAccepted, jsonType, acceptedJSON(h))
}

// oneAtATime is the request's connection when that connection carries one
// request at a time (HTTP/1.x), for the admission's count of clients that
// could still join a batch (node.SubmitFrom); "" for a multiplexed one
// (HTTP/2), which would count many clients as one.
func oneAtATime(r *http.Request) string {
	if r.ProtoMajor != 1 {
		return ""
	}
	return r.RemoteAddr
}

// acceptedJSON is WriteJSON's body for SubmitResponse{h, "OK"}, written
// without reflection: one transaction per request answers thousands of
// these a second. TestAcceptedJSON holds it to WriteJSON's bytes.
func acceptedJSON(h ledger.Hash) []byte {
	b := make([]byte, 0, len(acceptedHead)+2*ledger.HashSize+len(acceptedTail))
	b = append(b, acceptedHead...)
	b = hex.AppendEncode(b, h[:])
	return append(b, acceptedTail...)
}

// The bytes of acceptedJSON around the hash's hex.
const acceptedHead, acceptedTail = "{\n  \"tx_hash\": \"", "\",\n  \"code\": \"OK\"\n}\n"

// ParseAccepted reads the hash from a 202 body exactly as acceptedJSON
// writes it, without reflection, for a client sending one transaction per
// request (node/client); false for any other body, which the client then
// decodes as JSON. TestParseAccepted holds the two to each other.
func ParseAccepted(body []byte) (ledger.Hash, bool) {
	var h ledger.Hash
	if len(body) != len(acceptedHead)+2*ledger.HashSize+len(acceptedTail) ||
		string(body[:len(acceptedHead)]) != acceptedHead || string(body[len(body)-len(acceptedTail):]) != acceptedTail {
		return h, false
	}
	if _, err := hex.Decode(h[:], body[len(acceptedHead):len(body)-len(acceptedTail)]); err != nil {
		return ledger.Hash{}, false
	}
	return h, true
}

// bodyError answers a request body that could not be read: over limit
// bytes (413), or not arrived whole, because the client is too slow for the
// server's read timeout or went away (408). The server's write deadline
// runs from the request's headers, so a body that took the whole read
// timeout may have used up the response's time too; the answer gets
// answerTime of its own.
func bodyError(w http.ResponseWriter, err error, limit int64) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, "ERR_BODY_TOO_LARGE", fmt.Sprintf("request body exceeds %d bytes", limit))
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(answerTime))
	w.Header().Set("Connection", "close")
	writeError(w, http.StatusRequestTimeout, "ERR_REQUEST_TIMEOUT", "the request body did not arrive whole within the server's read timeout (http.read_timeout)")
}

// answerTime is how long the answer to an unreadable body may take.
const answerTime = 5 * time.Second

// parseSubmitBody returns the transaction bytes of a POST /v1/txs body, or
// the sentence of an ERR_BAD_JSON: an application/octet-stream body is the
// encoding itself, anything else must be JSON {"tx": "<hex>"}.
func parseSubmitBody(contentType string, body []byte) ([]byte, string) {
	if strings.HasPrefix(contentType, "application/octet-stream") {
		return body, ""
	}
	var req SubmitRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, "body must be JSON {\"tx\": \"<hex>\"} or application/octet-stream: " + err.Error()
	}
	raw, err := hex.DecodeString(req.Tx)
	if err != nil {
		return nil, "tx is not hexadecimal"
	}
	return raw, ""
}

// decodeBatch decodes a POST /v1/txs/batch body and checks its shape, or
// returns an error code and sentence. (Decoded once: the JSON of a batch
// of 50 costs more than its admission's cheap checks.)
func decodeBatch(body []byte) (*BatchRequest, string, string) {
	req, ok := scanBatch(body)
	if !ok {
		req = BatchRequest{}
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, "ERR_BAD_JSON", "body must be JSON {\"txs\": [\"<hex>\", ...]}: " + err.Error()
		}
	}
	if len(req.Txs) == 0 || len(req.Txs) > MaxBatch {
		return nil, "ERR_BAD_BATCH", fmt.Sprintf("a batch holds 1 to %d transactions, not %d", MaxBatch, len(req.Txs))
	}
	return &req, "", ""
}

// parseBatchBody decodes the transactions of a batch that decodeBatch
// accepted: a response with a result slot per transaction (those that are
// not hexadecimal already answered), the decoded transactions, and each
// one's slot.
func parseBatchBody(req *BatchRequest) (resp BatchResponse, raws [][]byte, at []int) {
	resp.Results = make([]BatchResult, len(req.Txs))
	for i, t := range req.Txs {
		raw, err := hex.DecodeString(t)
		if err != nil {
			res := &resp.Results[i]
			res.Code, res.Message = "ERR_BAD_JSON", fmt.Sprintf("txs[%d] is not hexadecimal", i)
			resp.Rejected++
			continue
		}
		raws = append(raws, raw)
		at = append(at, i)
	}
	return resp, raws, at
}

// admissionError maps a mempool rejection to a status, code and sentence.
func admissionError(err error) (int, string, string) {
	code, status := mempool.CodeOf(err), http.StatusBadRequest
	switch code {
	case "":
		return http.StatusInternalServerError, "ERR_INTERNAL", err.Error()
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
	return status, code, msg
}

func (s *Server) submitBatch(w http.ResponseWriter, r *http.Request) {
	limit := int64(MaxBatchBytes)
	// Read as the body arrives, never into a buffer of its declared
	// Content-Length: sized from the header, the attack run's 1,000 slow
	// bodies held 4 GB of node0's memory (docs/bad-input.md).
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		bodyError(w, err, limit)
		return
	}
	req, code, msg := decodeBatch(body)
	if code != "" {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}
	if !s.allow(w, r, len(req.Txs)) {
		return
	}
	resp, raws, at := parseBatchBody(req)
	from := oneAtATime(r)
	for j, r := range s.n.SubmitBatchFrom(r.Context(), raws, from) {
		res := &resp.Results[at[j]]
		if !r.Hash.IsZero() {
			h := r.Hash
			res.Hash = &h
		}
		if r.Err != nil {
			_, res.Code, res.Message = admissionError(r.Err)
			resp.Rejected++
			continue
		}
		res.Code = "OK"
		resp.Accepted++
	}
	writeJSON(w, http.StatusOK, resp)
}
