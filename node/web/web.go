// Package web serves the pages every node shows: the GS1 Digital Link
// resolver with the consumer page of every traced object at its Digital
// Link path (/01/{gtin}/10/{lot}, /00/{sscc}, /8003/{grai}, ...), and the explorer
// (latest blocks, a block, a transaction, search, a notarized item, an
// organisation, the lots). Pages are rendered on the server with
// html/template from the same node/view values the JSON API returns, so
// they work without JavaScript; they load nothing from outside the node
// (no fonts, no CDNs): the network may be closed.
//
// Mount adds the pages to an api.Server; Handler builds both.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/view"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages renders the HTML pages of one node.
type pages struct {
	s    *api.Server
	v    *view.Reader
	tmpl map[string]*template.Template
}

// Handler returns what a node serves on its HTTP address: the API, the
// metrics and the pages.
func Handler(n *node.Node, o api.Options) http.Handler {
	s := api.NewWith(n, o)
	Mount(s)
	return s
}

// Mount adds the pages' routes to s.
func Mount(s *api.Server) {
	p := &pages{s: s, v: s.View(), tmpl: parseTemplates()}
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServer(http.FS(static)))
	s.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
	s.Handle("GET /{$}", http.RedirectHandler("/explorer", http.StatusFound))
	// The Digital Link resolver (resolver.go): the primary keys, and the
	// key qualifiers, so that a path that starts with a lot or serial is
	// told its qualifier comes before the key.
	for _, ai := range []string{"01", "00", "8003", "8004", "8018", "414", "417", "10", "21", "22", "254"} {
		s.Handle("GET /"+ai+"/", http.HandlerFunc(p.resolve))
	}
	s.Handle("GET /explorer", http.HandlerFunc(p.home))
	s.Handle("GET /explorer/lots", http.HandlerFunc(p.lots))
	s.Handle("GET /explorer/blocks/{height}", http.HandlerFunc(p.block))
	s.Handle("GET /explorer/txs/{hash}", http.HandlerFunc(p.tx))
	s.Handle("GET /explorer/search", http.HandlerFunc(p.search))
	s.Handle("GET /explorer/notary/{hash}", http.HandlerFunc(p.notary))
	s.Handle("GET /explorer/orgs/{id}", http.HandlerFunc(p.org))
	s.Handle("GET /explorer/validators", http.HandlerFunc(p.validators))
	s.Handle("GET /favicon.ico", http.RedirectHandler("/static/favicon.svg", http.StatusMovedPermanently))
}

func parseTemplates() map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	out := map[string]*template.Template{}
	entries, _ := fs.Glob(templateFS, "templates/*.html")
	for _, e := range entries {
		name := strings.TrimPrefix(e, "templates/")
		if name == "layout.html" {
			continue
		}
		out[strings.TrimSuffix(name, ".html")] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, e))
	}
	return out
}

// page is what every template receives.
type page struct {
	Title   string
	Chain   string
	Height  uint64
	Query   string
	Desc    string
	Canon   string // canonical URL path
	Data    any
	Status  int
	Message string
	Code    string
}

func (p *pages) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *page) {
	pg.Chain = p.v.ChainID()
	pg.Height = p.v.Store().Height()
	if pg.Status == 0 {
		pg.Status = status
	}
	t, ok := p.tmpl[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout.html", pg); err != nil {
		slog.Default().Error("render page", "page", name, "err", err)
		http.Error(w, "the page could not be rendered: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = fmt.Fprint(w, b.String())
}

// fail renders an error page (or JSON, for clients that asked for it).
func (p *pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, code, msg := api.Status(err)
	p.failWith(w, r, status, code, msg)
}

func (p *pages) failWith(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if wantsJSON(r) {
		api.WriteError(w, status, code, msg)
		return
	}
	title := "出错了 Error"
	switch status {
	case http.StatusNotFound:
		title = "未找到 Not found"
	case http.StatusBadRequest:
		title = "请求有误 Bad request"
	}
	p.render(w, r, status, "error", &page{Title: title, Code: code, Message: msg})
}

// wantsJSON reports whether the client prefers JSON to HTML.
func wantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	if a == "" {
		return false
	}
	j := strings.Index(a, "application/json")
	h := strings.Index(a, "text/html")
	return j >= 0 && (h < 0 || j < h)
}
