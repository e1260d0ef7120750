// Package web serves the pages every node shows: the GS1 Digital Link
// resolver with the consumer page of every traced object at its Digital
// Link path (/01/{gtin}/10/{lot}, /00/{sscc}, /8003/{grai}, ...), and the explorer
// (latest blocks, a block, a transaction, search, a notarized item, an
// organisation, the lots). Pages are rendered on the server with
// html/template from the same node/view values the JSON API returns, so
// they work without JavaScript (the consumer page's one script, the
// in-browser check of its record, only adds to it: Options); they load
// nothing from outside the node (no fonts, no CDNs): the network may be
// closed.
//
// Mount adds the pages to an api.Server; Handler builds both.
package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/view"
	"github.com/qianchain/qianchain/node/web/verifier"
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
	// phone: the consumer page runs the in-browser verifier (Options).
	phone bool
	// rendered keeps consumer pages per view and height (pagecache.go).
	rendered *pageCache
}

// Handler returns what a node serves on its HTTP address: the API, the
// metrics and the pages.
func Handler(n *node.Node, o api.Options) http.Handler {
	s := api.NewWith(n, o)
	Mount(s)
	return s
}

// HandlerWith is Handler with the pages' options.
func HandlerWith(n *node.Node, o api.Options, po Options) http.Handler {
	s := api.NewWith(n, o)
	MountWith(s, po)
	return s
}

// Options tune the pages. The zero value serves them without the
// in-browser verifier.
type Options struct {
	// VerifierWasm is a build of cmd/qian-verify-wasm. With it the node
	// serves node/web/verifier's files under /verifier/ and the consumer
	// page verifies its latest record in the reader's browser too, beside
	// the server's statement (docs/verification.md §9); with scripts off
	// the page is unchanged.
	VerifierWasm []byte
}

// Mount adds the pages' routes to s, with the in-browser verifier when
// this qian carries one (verifier.Embedded).
func Mount(s *api.Server) { MountWith(s, Options{VerifierWasm: verifier.Embedded()}) }

// MountWith adds the pages' routes to s.
func MountWith(s *api.Server, o Options) {
	p := &pages{s: s, v: s.View(), tmpl: parseTemplates(), rendered: newPageCache()}
	if len(o.VerifierWasm) > 0 {
		doc, _ := s.Node().Genesis()
		s.Handle("GET /verifier/", verifier.Handler(doc.Encode(), o.VerifierWasm))
		p.phone = true
	}
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
	// Archive links the same page on the archive nodes an ERR_PRUNED page
	// names (api.Error.Archive).
	Archive []string
	// PhoneCheck: the page loads /verifier/phone.js, the in-browser
	// check of its verification panel.
	PhoneCheck bool
}

func (p *pages) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *page) {
	p.renderKept(w, status, name, pg, nil)
}

// renderKept is render, serving the page from p.rendered when key (its
// height filled in here) finds it there, and keeping it there when not.
// A nil key renders without the cache.
func (p *pages) renderKept(w http.ResponseWriter, status int, name string, pg *page, key *pageKey) {
	pg.Chain = p.v.ChainID()
	pg.Height = p.v.Store().Height()
	if pg.Status == 0 {
		pg.Status = status
	}
	var body []byte
	if key != nil {
		key.name, key.height = name, pg.Height
		body = p.rendered.get(*key)
	}
	if body == nil {
		t, ok := p.tmpl[name]
		if !ok {
			http.Error(w, "no template "+name, http.StatusInternalServerError)
			return
		}
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, "layout.html", pg); err != nil {
			slog.Default().Error("render page", "page", name, "err", err)
			http.Error(w, "the page could not be rendered: "+err.Error(), http.StatusInternalServerError)
			return
		}
		body = b.Bytes()
		if key != nil {
			p.rendered.put(*key, body)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	csp := "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; frame-ancestors 'none'"
	if pg.PhoneCheck {
		// The node's own script and the verifier it compiles; requests to
		// this node only.
		csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; frame-ancestors 'none'"
	}
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// fail renders an error page (or JSON, for clients that asked for it). An
// ERR_PRUNED page links the same path on each archive node it names.
func (p *pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, e := api.ErrorOf(err)
	if e.Archive == nil {
		p.failWith(w, r, status, e.Code, e.Message)
		return
	}
	if wantsJSON(r) {
		api.WriteJSON(w, status, e)
		return
	}
	pg := &page{Title: "早期区块不在本节点 Not held by this node", Code: e.Code, Message: e.Message, Archive: archivePages(*e.Archive, r)}
	p.render(w, r, status, "error", pg)
}

// archivePages are the page r asked for on each archive node (base URLs,
// storage.archive_urls), which holds the blocks this node does not.
func archivePages(archive []string, r *http.Request) []string {
	var pages []string
	for _, a := range archive {
		pages = append(pages, strings.TrimSuffix(a, "/")+r.URL.RequestURI())
	}
	return pages
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
