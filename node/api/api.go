// Package api serves a node's HTTP API under /v1 (described in
// docs/openapi.yaml) and its Prometheus metrics at /metrics. Write endpoints
// accept only transactions the client signed; the node never holds users'
// keys. Errors are JSON {code, message} with a fitting HTTP status; request
// bodies are size-limited; GET responses carry CORS headers so that any web
// page may read the chain; submissions and reads are rate-limited per client
// (an IPv4 address or IPv6 /64), each with its own budget, and the event
// stream's subscribers are capped. The server around the handler
// (node/httpserver) bounds time and connections.
//
// The values the API returns are built by node/view, which the pages
// (node/web) render too.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/httpserver"
	"github.com/qianchain/qianchain/node/mempool"
	"github.com/qianchain/qianchain/node/view"
)

// Options tune the API. The zero value is the default.
type Options struct {
	// Limit is the per-client limit on submitted transactions.
	Limit LimitConfig
	// Read is the per-client limit on GET and HEAD requests, pages
	// included.
	Read LimitConfig
	// Streams caps the event stream's subscribers.
	Streams StreamLimits
	// Places names the locations events record by GLN (nil: the demo's).
	Places view.Places
}

// Server is the HTTP API of one node.
type Server struct {
	n        *node.Node
	view     *view.Reader
	mux      *http.ServeMux
	limit    *limiter // submissions
	read     *limiter // GET and HEAD
	streams  *streamCap
	lotViews *lotCache
}

// routeHooks lets other files of this package (the proof endpoints) add
// their routes without editing New.
var routeHooks []func(s *Server)

// New returns the API handler for n with default options.
func New(n *node.Node) *Server { return NewWith(n, Options{}) }

// NewWith returns the API handler for n.
func NewWith(n *node.Node, o Options) *Server {
	doc, gh := n.Genesis()
	rd, err := view.New(n.Store, doc, gh, o.Places, n.Config().Storage.ArchiveURLs)
	if err != nil {
		// The node validated its genesis before it started.
		panic(fmt.Sprintf("api: genesis validator set: %v", err))
	}
	s := &Server{n: n, view: rd, mux: http.NewServeMux(),
		limit:   newLimiter(o.Limit, DefaultRate, DefaultBurst),
		read:    newLimiter(o.Read, DefaultReadRate, DefaultReadBurst),
		streams: newStreamCap(o.Streams), lotViews: newLotCache(maxLots)}
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(n.Metrics.Registry, promhttp.HandlerOpts{}))
	s.mux.HandleFunc("GET /v1/status", s.status)
	s.mux.HandleFunc("GET /v1/blocks", s.blocks)
	s.mux.HandleFunc("GET /v1/blocks/latest", s.latestBlock)
	s.mux.HandleFunc("GET /v1/blocks/{height}", s.block)
	s.mux.HandleFunc("GET /v1/blocks/{height}/txhashes", s.blockTxHashes)
	s.mux.HandleFunc("POST /v1/txs", s.submitTx)
	s.mux.HandleFunc("POST /v1/txs/batch", s.submitBatch)
	s.mux.HandleFunc("GET /v1/txs/{hash}", s.tx)
	s.mux.HandleFunc("GET /v1/lots", s.lots)
	s.mux.HandleFunc("GET /v1/lots/{gtin}/{lot}", s.lot)
	s.mux.HandleFunc("GET /v1/lots/{gtin}/{lot}/epcis", s.lotEPCIS)
	s.mux.HandleFunc("GET /v1/lots/{gtin}/{lot}/qr.png", s.lotQR)
	s.mux.HandleFunc("GET /v1/objects", s.object)
	s.mux.HandleFunc("GET /v1/products/{gtin}", s.product)
	s.mux.HandleFunc("GET /v1/orgs", s.orgs)
	s.mux.HandleFunc("GET /v1/orgs/{id}", s.org)
	s.mux.HandleFunc("GET /v1/notary/{hash}", s.notary)
	s.mux.HandleFunc("GET /v1/search", s.search)
	s.mux.HandleFunc("GET /v1/events", s.events)
	s.mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, "ERR_NO_ROUTE", fmt.Sprintf("no API endpoint %s %s (docs/openapi.yaml lists them)", r.Method, r.URL.Path))
	})
	for _, h := range routeHooks {
		h(s)
	}
	return s
}

// Handle adds a route (the pages and the verification endpoints register
// theirs).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Lane is the path whose POSTs the server answers from the body and
// Content-Type alone (httpserver.Laned): one transaction per request
// (submitTx), which reads no other header, with its body limit.
func (s *Server) Lane() httpserver.Lane {
	return httpserver.Lane{Paths: []string{"/v1/txs"}, MaxBody: s.txLimit()}
}

// View is the reader the API answers from.
func (s *Server) View() *view.Reader { return s.view }

// Node is the node the API serves.
func (s *Server) Node() *node.Node { return s.n }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Last-Event-ID")
	}
	if r.Method == http.MethodOptions {
		preflight(w, r)
		return
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && !s.read.allow(w, r, 1, "requests") {
		return
	}
	s.mux.ServeHTTP(w, r)
}

func preflight(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// Error is the body of every error response.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// FirstHeight and Archive come with ERR_PRUNED (410) only: the lowest
	// height this node holds, and the base URLs of the archive nodes it
	// names (config storage.archive_urls; [] when none is configured). A
	// client asks an archive node the same path (docs/bad-input.md).
	FirstHeight uint64    `json:"first_height,omitempty"`
	Archive     *[]string `json:"archive,omitempty"`
}

// jsonType is the media type of the API's JSON answers.
const jsonType = "application/json; charset=utf-8"

// WriteJSON writes v as indented JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	WriteJSONAs(w, status, jsonType, v)
}

// WriteJSONAs writes v as indented JSON with status and a JSON media type
// (application/linkset+json, application/ld+json, ...).
func WriteJSONAs(w http.ResponseWriter, status int, mediaType string, v any) {
	writeEncoded(w, status, mediaType, indentedJSON(v))
}

// writeEncoded writes JSON already encoded (indentedJSON) with status and a
// JSON media type.
func writeEncoded(w http.ResponseWriter, status int, mediaType string, b []byte) {
	w.Header().Set("Content-Type", mediaType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// indentedJSON is what WriteJSON writes for v, as bytes to keep: what a
// json.Encoder set to indent by two spaces writes (appendIndented), or
// nothing when v cannot be marshalled.
func indentedJSON(v any) []byte {
	compact, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	// Indenting adds about a third to a block's JSON.
	out := appendIndented(make([]byte, 0, len(compact)+len(compact)/2+1), compact)
	return append(out, '\n')
}

// WriteError writes an Error.
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	WriteJSON(w, status, Error{Code: code, Message: msg})
}

// Status maps an error from node/view to an HTTP status and a code.
func Status(err error) (int, string, string) {
	status, e := ErrorOf(err)
	return status, e.Code, e.Message
}

// ErrorOf maps an error from node/view to an HTTP status and the body that
// says it, ERR_PRUNED's archive nodes included.
func ErrorOf(err error) (int, Error) {
	if e, ok := view.AsError(err); ok {
		switch e.Code {
		case view.ErrNotFound:
			return http.StatusNotFound, Error{Code: e.Code, Message: e.Message}
		case view.ErrPruned:
			archive := append([]string{}, e.Archive...)
			return http.StatusGone, Error{Code: e.Code, Message: e.Message, FirstHeight: e.First, Archive: &archive}
		default:
			return http.StatusBadRequest, Error{Code: e.Code, Message: e.Message}
		}
	}
	return http.StatusInternalServerError, Error{Code: "ERR_STORE", Message: err.Error()}
}

// WriteViewError writes err (from node/view) with its status.
func WriteViewError(w http.ResponseWriter, err error) {
	status, e := ErrorOf(err)
	WriteJSON(w, status, e)
}

// writeJSON and writeError keep the short names used in this package.
func writeJSON(w http.ResponseWriter, status int, v any) { WriteJSON(w, status, v) }

func writeError(w http.ResponseWriter, status int, code, msg string) {
	WriteError(w, status, code, msg)
}

func asMempool(err error, target **mempool.Error) bool { return errors.As(err, target) }
