// Package api serves a node's HTTP API under /v1 (described in
// docs/openapi.yaml) and its Prometheus metrics at /metrics. Write endpoints
// accept only transactions the client signed; the node never holds users'
// keys. Errors are JSON {code, message} with a fitting HTTP status.
package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/mempool"
)

// Server is the HTTP API of one node.
type Server struct {
	n   *node.Node
	mux *http.ServeMux
}

// New returns the API handler for n.
func New(n *node.Node) *Server {
	s := &Server{n: n, mux: http.NewServeMux()}
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(n.Metrics.Registry, promhttp.HandlerOpts{}))
	s.mux.HandleFunc("GET /v1/status", s.status)
	s.mux.HandleFunc("GET /v1/blocks/latest", s.latestBlock)
	s.mux.HandleFunc("GET /v1/blocks/{height}", s.block)
	s.mux.HandleFunc("POST /v1/txs", s.submitTx)
	s.mux.HandleFunc("GET /v1/txs/{hash}", s.tx)
	return s
}

// Handle adds a route (the pages and the verification endpoints register
// theirs).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	}
	s.mux.ServeHTTP(w, r)
}

// Error is the body of every error response.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, Error{Code: code, Message: msg})
}

var errBodyTooLarge = errors.New("request body too large")

func asMempool(err error, target **mempool.Error) bool { return errors.As(err, target) }
