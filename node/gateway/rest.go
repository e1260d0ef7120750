package gateway

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/qianchain/qianchain/contracts/epcis"
)

// Versions the gateway speaks, announced on every answer.
const (
	EPCISVersion = "2.0.0"
	CBVVersion   = "2.0.0"
)

// TopLevel are the top-level resources of GET / (all nine of the REST
// bindings).
var TopLevel = []string{"events", "eventTypes", "epcs", "bizSteps", "bizLocations", "readPoints", "dispositions", "capture", "queries"}

// Handler is the gateway's HTTP API: GS1's EPCIS 2.0 REST bindings, every
// request authenticated.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("OPTIONS /{$}", g.options("OPTIONS, GET"))
	mux.HandleFunc("GET /{$}", g.root)

	mux.HandleFunc("OPTIONS /capture", g.captureOptions)
	mux.HandleFunc("POST /capture", g.postCapture)
	mux.HandleFunc("GET /capture", g.listCaptures)
	mux.HandleFunc("OPTIONS /capture/{captureID}", g.options("OPTIONS, GET"))
	mux.HandleFunc("GET /capture/{captureID}", g.getCapture)

	mux.HandleFunc("OPTIONS /events", g.options("OPTIONS, GET, POST"))
	mux.HandleFunc("GET /events", g.getEvents)
	mux.HandleFunc("POST /events", g.postEvent)
	mux.HandleFunc("OPTIONS /events/{eventID}", g.options("OPTIONS, GET"))
	mux.HandleFunc("GET /events/{eventID}", g.getEvent)

	for _, r := range resources {
		g.routeResource(mux, r)
	}

	mux.HandleFunc("OPTIONS /queries", g.options("OPTIONS, GET, POST"))
	mux.HandleFunc("GET /queries", g.listQueries)
	mux.HandleFunc("POST /queries", g.postQuery)
	mux.HandleFunc("OPTIONS /queries/{queryName}", g.options("OPTIONS, GET, DELETE"))
	mux.HandleFunc("GET /queries/{queryName}", g.getQuery)
	mux.HandleFunc("DELETE /queries/{queryName}", g.deleteQuery)
	mux.HandleFunc("OPTIONS /queries/{queryName}/events", g.options("OPTIONS, GET"))
	mux.HandleFunc("GET /queries/{queryName}/events", g.queryEvents)
	mux.HandleFunc("OPTIONS /queries/{queryName}/subscriptions", g.options("OPTIONS, GET, POST"))
	mux.HandleFunc("GET /queries/{queryName}/subscriptions", g.listSubscriptions)
	mux.HandleFunc("POST /queries/{queryName}/subscriptions", g.postSubscription)
	mux.HandleFunc("OPTIONS /queries/{queryName}/subscriptions/{subscriptionID}", g.options("OPTIONS, GET, DELETE"))
	mux.HandleFunc("GET /queries/{queryName}/subscriptions/{subscriptionID}", g.getSubscription)
	mux.HandleFunc("DELETE /queries/{queryName}/subscriptions/{subscriptionID}", g.deleteSubscription)

	mux.HandleFunc("DELETE /nextPageToken/{token}", func(w http.ResponseWriter, r *http.Request) {
		// Tokens are stateless (render.go): there is nothing to invalidate.
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/", g.fallback)
	return g.opt.Auth.wrap(g.common(mux))
}

// common sets the headers every answer carries and refuses what the
// gateway cannot produce: XML, and URLs over the length it reads.
func (g *Gateway) common(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("GS1-EPCIS-Version", EPCISVersion)
		h.Set("GS1-CBV-Version", CBVVersion)
		h.Set("GS1-Extensions", epcis.QianPrefix+"="+epcis.QianIRI)
		if len(r.URL.RawQuery)+len(r.URL.Path) > 16<<10 {
			writeProblem(w, http.StatusRequestURITooLong, exURITooLong, "URI too long", "the gateway reads URLs of at most 16 KiB", "ERR_URI_TOO_LONG")
			return
		}
		if !acceptsJSON(r.Header.Get("Accept")) {
			writeProblem(w, http.StatusNotAcceptable, exNotAcceptable, "Not acceptable",
				"the gateway answers JSON and JSON-LD only (application/json, application/ld+json); XML is not supported", "ERR_NOT_ACCEPTABLE")
			return
		}
		if v := r.Header.Get("GS1-EPCIS-Version"); v != "" && !strings.HasPrefix(v, "2.") {
			writeProblem(w, http.StatusNotAcceptable, exNotAcceptable, "Not acceptable", "the gateway speaks EPCIS 2.0 only", "ERR_NOT_ACCEPTABLE")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func acceptsJSON(accept string) bool {
	if accept == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "*/*", "application/*", "application/json", "application/ld+json", "application/problem+json":
			return true
		}
	}
	return false
}

// options answers a resource's OPTIONS: the methods and the GS1 headers.
func (g *Gateway) options(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		g.discoveryHeaders(w, allow)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (g *Gateway) discoveryHeaders(w http.ResponseWriter, allow string) {
	h := w.Header()
	h.Set("Allow", allow)
	h.Set("GS1-EPCIS-Min", EPCISVersion)
	h.Set("GS1-EPCIS-Max", EPCISVersion)
	h.Set("GS1-CBV-Min", CBVVersion)
	h.Set("GS1-CBV-Max", CBVVersion)
	h.Set("GS1-EPC-Format", "Always_GS1_Digital_Link")
	h.Set("GS1-Vendor-Version", "qianchain")
}

func (g *Gateway) root(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, collection(TopLevel))
}

func collection(members []string) map[string]any {
	if members == nil {
		members = []string{}
	}
	return map[string]any{"@context": epcis.StandardContext, "type": "Collection", "member": members}
}

// fallback answers every path and method no route took: a known resource
// with a method it does not allow, or a path that names nothing.
func (g *Gateway) fallback(w http.ResponseWriter, r *http.Request) {
	first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	for _, t := range append(TopLevel, "nextPageToken") {
		if first == t {
			writeProblem(w, http.StatusNotImplemented, exImplementation, "Functionality not supported by server",
				r.Method+" "+r.URL.Path+" is not supported by this gateway (docs/gateway.md lists what is)", "ERR_NOT_IMPLEMENTED")
			return
		}
	}
	notFound(w, r.URL.Path+" is not a resource of the EPCIS 2.0 REST bindings")
}

// perPage reads perPage (default 30, at most MaxPerPage).
func perPage(w http.ResponseWriter, r *http.Request) (int, bool) {
	v := r.URL.Query().Get("perPage")
	if v == "" {
		return DefaultPerPage, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		badParam(w, "perPage must be a positive integer")
		return 0, false
	}
	return min(n, MaxPerPage), true
}
