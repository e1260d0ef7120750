package api

import (
	"fmt"
	"net/http"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/view"
	"github.com/qianchain/qianchain/node/web/qr"
)

// objectKinds are the kind= values of GET /v1/lots (view.KindName).
var objectKinds = map[string]gs1.Kind{}

func init() {
	for k := gs1.Lot; k <= gs1.ServiceRelation; k++ {
		objectKinds[view.KindName(k)] = k
	}
}

func (s *Server) lots(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, ok := intParam(w, r, "limit", 50, 1, view.MaxLotPage)
	if !ok {
		return
	}
	lq := view.LotQuery{GTIN: q.Get("gtin"), Cursor: q.Get("cursor"), Limit: limit}
	switch k := q.Get("kind"); k {
	case "", "lot":
		lq.Kind = gs1.Lot
	case "all":
		lq.AllKinds = true
	default:
		kind, ok := objectKinds[k]
		if !ok {
			writeError(w, http.StatusBadRequest, "ERR_BAD_REQUEST", fmt.Sprintf("kind=%q is not lot, item, container, class, returnable_asset, individual_asset, service_relation or all", k))
			return
		}
		lq.Kind = kind
	}
	switch v := q.Get("recalled"); v {
	case "":
	case "true", "false":
		b := v == "true"
		lq.Recalled = &b
	default:
		writeError(w, http.StatusBadRequest, "ERR_BAD_REQUEST", fmt.Sprintf("recalled=%q is not true or false", v))
		return
	}
	page, err := s.view.Lots(lq)
	if err != nil {
		WriteViewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// pathLot parses {gtin} and {lot} of a /v1/lots route.
func pathLot(r *http.Request) (gs1.ObjectID, error) {
	g, err := gs1.NormalizeGTIN(r.PathValue("gtin"))
	if err != nil {
		return gs1.ObjectID{}, &view.Error{Code: view.ErrInvalidGTIN, Message: err.Error()}
	}
	id := gs1.ObjectID{Kind: gs1.Lot, Key: g, Ext: r.PathValue("lot")}
	if err := id.Validate(); err != nil {
		return id, &view.Error{Code: view.ErrBadRequest, Message: err.Error()}
	}
	return id, nil
}

// LotView returns the lot with its verification, for the API and pages.
// The view is shared (lotCache): callers must not change it.
func (s *Server) LotView(id gs1.ObjectID) (*view.Lot, error) {
	return s.lotViews.get(id, s.n.Store.Height(), func() (*view.Lot, error) { return s.buildLot(id) })
}

// buildLot reads id's view and verifies it.
func (s *Server) buildLot(id gs1.ObjectID) (*view.Lot, error) {
	l, err := s.view.Lot(id)
	if err != nil {
		return nil, err
	}
	if err := s.view.VerifyLot(l); err != nil {
		return nil, err
	}
	return l, nil
}

func (s *Server) lot(w http.ResponseWriter, r *http.Request) {
	id, err := pathLot(r)
	if err != nil {
		WriteViewError(w, err)
		return
	}
	s.writeLot(w, id)
}

// queryObject parses ?id= of a /v1/objects route (view.ParseObject); when
// it is missing or wrong it writes the error and ok is false.
func queryObject(w http.ResponseWriter, r *http.Request) (id gs1.ObjectID, ok bool) {
	q := r.URL.Query().Get("id")
	if q == "" {
		writeError(w, http.StatusBadRequest, "ERR_BAD_REQUEST", "give ?id= a Digital Link URI or path, or an EPC URN")
		return gs1.ObjectID{}, false
	}
	id, err := view.ParseObject(q)
	if err != nil {
		WriteViewError(w, err)
		return gs1.ObjectID{}, false
	}
	return id, true
}

func (s *Server) object(w http.ResponseWriter, r *http.Request) {
	id, ok := queryObject(w, r)
	if !ok {
		return
	}
	s.writeLot(w, id)
}

// writeLot writes the object's view (LotView) as JSON.
func (s *Server) writeLot(w http.ResponseWriter, id gs1.ObjectID) {
	b, err := s.lotViews.json(id, s.n.Store.Height(), func() (*view.Lot, error) { return s.buildLot(id) })
	if err != nil {
		WriteViewError(w, err)
		return
	}
	writeEncoded(w, http.StatusOK, jsonType, b)
}

// lotEPCIS serves the lot's own history as an EPCIS 2.0 query document.
func (s *Server) lotEPCIS(w http.ResponseWriter, r *http.Request) {
	id, err := pathLot(r)
	if err != nil {
		WriteViewError(w, err)
		return
	}
	s.epcisExport(w, id)
}

func init() {
	routeHooks = append(routeHooks, func(s *Server) { s.mux.HandleFunc("GET /v1/objects/epcis", s.objectEPCIS) })
}

// objectEPCIS serves any traced object's history (?id= as GET /v1/objects
// takes it) as an EPCIS 2.0 query document.
func (s *Server) objectEPCIS(w http.ResponseWriter, r *http.Request) {
	id, ok := queryObject(w, r)
	if !ok {
		return
	}
	s.epcisExport(w, id)
}

// epcisExport writes the object's events, exactly as captured, with the
// chain's provenance at the document level (epcis.QueryDocument).
func (s *Server) epcisExport(w http.ResponseWriter, id gs1.ObjectID) {
	var created int64
	if b, err := s.n.Store.Block(s.n.Store.Height()); err == nil {
		created = b.Header.Time
	}
	doc, err := trace.QueryDocument(s.n.Store, id, epcis.QueryOptions{ID: id.URI(), CreationDate: created})
	if err != nil {
		if e, ok := call.AsError(err); ok && e.Code == call.ErrUnknownObject {
			writeError(w, http.StatusNotFound, view.ErrNotFound, e.Message)
			return
		}
		writeError(w, http.StatusInternalServerError, "ERR_STORE", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/ld+json; charset=utf-8")
	_, _ = w.Write(doc)
}

// Origin is the scheme and host a client reached the node at, for links
// that must work from the client's side (QR codes, linksets).
func Origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) lotQR(w http.ResponseWriter, r *http.Request) {
	id, err := pathLot(r)
	if err != nil {
		WriteViewError(w, err)
		return
	}
	size, ok := intParam(w, r, "size", 512, 64, 4096)
	if !ok {
		return
	}
	base := r.URL.Query().Get("base")
	if base == "" {
		base = Origin(r)
	}
	uri, err := qr.Link(base, id)
	if err != nil {
		writeError(w, http.StatusBadRequest, "ERR_BAD_REQUEST", err.Error())
		return
	}
	png, err := qr.PNG(uri, size)
	if err != nil {
		writeError(w, http.StatusBadRequest, "ERR_BAD_REQUEST", err.Error())
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Link", "<"+uri+">; rel=\"describedby\"")
	_, _ = w.Write(png)
}

func (s *Server) product(w http.ResponseWriter, r *http.Request) {
	p, err := s.view.Product(r.PathValue("gtin"))
	if err != nil {
		WriteViewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) orgs(w http.ResponseWriter, r *http.Request) {
	os, err := s.view.Orgs()
	if err != nil {
		WriteViewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Orgs any `json:"orgs"`
	}{os})
}

func (s *Server) org(w http.ResponseWriter, r *http.Request) {
	o, err := s.view.Org(r.PathValue("id"))
	if err != nil {
		WriteViewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *Server) notary(w http.ResponseWriter, r *http.Request) {
	h, err := ledger.ParseHash(r.PathValue("hash"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "ERR_BAD_HASH", err.Error())
		return
	}
	it, err := s.view.Notary(h)
	if err != nil {
		WriteViewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}

// SearchResponse is GET /v1/search.
type SearchResponse struct {
	Query   string              `json:"query"`
	Results []view.SearchResult `json:"results"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	res, err := s.view.Search(q)
	if err != nil {
		WriteViewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, SearchResponse{Query: q, Results: res})
}
