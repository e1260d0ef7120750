package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/node/gateway/index"
)

func (g *Gateway) getEvents(w http.ResponseWriter, r *http.Request) {
	g.answerQuery(w, r, r.URL.Query(), "SimpleEventQuery", "/events")
}

// answerQuery runs a SimpleEventQuery from params and answers one page as
// an EPCISQueryDocument, with a Link to the next page when there is one.
func (g *Gateway) answerQuery(w http.ResponseWriter, r *http.Request, params url.Values, queryName, path string) {
	if r.Header.Get("Upgrade") != "" {
		notImplemented(w, "query results over WebSocket are not supported; subscribe a webhook instead (POST /queries/{name}/subscriptions)")
		return
	}
	n, ok := perPage(w, r)
	if !ok {
		return
	}
	q, err := index.Parse(params)
	var pe *index.ParamError
	switch {
	case errors.As(err, &pe) && pe.Unsupported:
		notImplemented(w, pe.Error())
		return
	case err != nil:
		badParam(w, err.Error())
		return
	}
	var pos *index.Position
	if t := params.Get("nextPageToken"); t != "" {
		if pos, err = decodeToken(t, params); err != nil {
			badParam(w, err.Error())
			return
		}
	}
	page, err := g.ix.Run(q, n, pos)
	if err != nil {
		internal(w, err)
		return
	}
	doc, err := g.queryDocument(page.Entries, queryName, "")
	if err != nil {
		internal(w, err)
		return
	}
	if page.Next != nil {
		next := url.Values{}
		for k, v := range params {
			if k != "nextPageToken" && k != "perPage" {
				next[k] = v
			}
		}
		next.Set("perPage", fmt.Sprint(n))
		next.Set("nextPageToken", encodeToken(page.Next, params))
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, path, next.Encode()))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Qian-Indexed-Height", fmt.Sprint(g.Height())) // the chain height the answer reflects
	_, _ = w.Write(doc)
}

func (g *Gateway) getEvent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("eventID")
	e, err := g.ix.Get(id)
	if err != nil {
		internal(w, err)
		return
	}
	if e == nil {
		notFound(w, fmt.Sprintf("no event %s on the chain (as of height %d)", id, g.Height()))
		return
	}
	doc, err := g.queryDocument([]*index.Entry{e}, "SimpleEventQuery", "")
	if err != nil {
		internal(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(doc)
}

// resource is a top-level resource whose members are the values of an
// indexed field: /bizSteps, /bizLocations, ...
type resource struct {
	name   string        // path segment
	param  string        // path parameter
	fields []index.Field // where its members are indexed
	// query turns a member into the query parameter that selects its
	// events.
	query func(member string) (string, string)
}

var resources = []resource{
	{"eventTypes", "eventType", []index.Field{index.FieldType}, func(m string) (string, string) { return "eventType", m }},
	{"epcs", "epc", []index.Field{index.FieldEPC, index.FieldEPCClass}, func(m string) (string, string) {
		if o, err := gs1.ParseObjectID(m); err == nil && o.Kind == gs1.Lot {
			return "MATCH_anyEPCClass", m
		}
		return "MATCH_anyEPC", m
	}},
	{"bizSteps", "bizStep", []index.Field{index.FieldBizStep}, func(m string) (string, string) { return "EQ_bizStep", m }},
	{"bizLocations", "bizLocation", []index.Field{index.FieldBizLocation}, func(m string) (string, string) { return "EQ_bizLocation", m }},
	{"readPoints", "readPoint", []index.Field{index.FieldReadPoint}, func(m string) (string, string) { return "EQ_readPoint", m }},
	{"dispositions", "disposition", []index.Field{index.FieldDisposition}, func(m string) (string, string) { return "EQ_disposition", m }},
}

// RecordedTypes are the event types the chain records today; /eventTypes
// lists them whether or not an event of the type exists yet.
var RecordedTypes = []string{"ObjectEvent", "AggregationEvent", "AssociationEvent", "TransactionEvent", "TransformationEvent"}

func (g *Gateway) routeResource(mux *http.ServeMux, rs resource) {
	base := "/" + rs.name
	item := base + "/{" + rs.param + "}"
	mux.HandleFunc("OPTIONS "+base, g.options("OPTIONS, GET"))
	mux.HandleFunc("GET "+base, func(w http.ResponseWriter, r *http.Request) { g.listMembers(w, r, rs) })
	mux.HandleFunc("OPTIONS "+item, g.options("OPTIONS, GET"))
	mux.HandleFunc("GET "+item, func(w http.ResponseWriter, r *http.Request) {
		if _, ok := g.member(w, r, rs); ok {
			writeJSON(w, http.StatusOK, collection([]string{"events"}))
		}
	})
	mux.HandleFunc("OPTIONS "+item+"/events", g.options("OPTIONS, GET"))
	mux.HandleFunc("GET "+item+"/events", func(w http.ResponseWriter, r *http.Request) {
		m, ok := g.member(w, r, rs)
		if !ok {
			return
		}
		params := r.URL.Query()
		k, v := rs.query(m)
		params[k] = []string{v}
		g.answerQuery(w, r, params, "SimpleEventQuery", base+"/"+pathEscape(m)+"/events")
	})
}

// member reads the path's member and answers 404 when no event has it.
func (g *Gateway) member(w http.ResponseWriter, r *http.Request, rs resource) (string, bool) {
	m := r.PathValue(rs.param)
	if rs.name == "eventTypes" {
		for _, t := range RecordedTypes {
			if t == m {
				return m, true
			}
		}
		notFound(w, fmt.Sprintf("%q is not an event type the chain records (%s)", m, strings.Join(RecordedTypes, ", ")))
		return "", false
	}
	k, _ := rs.query(m)
	q, err := index.Parse(map[string][]string{k: {m}})
	if err != nil {
		badParam(w, err.Error())
		return "", false
	}
	canon := firstOf(q.MatchAnyEPC, q.MatchAnyClass, q.BizSteps, q.BizLocations, q.ReadPoints, q.Dispositions)
	for _, f := range rs.fields {
		ok, err := g.ix.Has(f, canon)
		if err != nil {
			internal(w, err)
			return "", false
		}
		if ok {
			return m, true
		}
	}
	notFound(w, fmt.Sprintf("no event names %s %s", rs.param, m))
	return "", false
}

func firstOf(ls ...[]string) string {
	for _, l := range ls {
		if len(l) > 0 {
			return l[0]
		}
	}
	return ""
}

// listMembers answers a top-level resource's members, perPage at a time;
// the token is the last member given.
func (g *Gateway) listMembers(w http.ResponseWriter, r *http.Request, rs resource) {
	if rs.name == "eventTypes" {
		writeJSON(w, http.StatusOK, collection(RecordedTypes))
		return
	}
	n, ok := perPage(w, r)
	if !ok {
		return
	}
	fi, after := 0, ""
	if t := r.URL.Query().Get("nextPageToken"); t != "" {
		f, v, ok := strings.Cut(t, ":")
		fi = strings.Index("0123456789", f)
		if !ok || fi < 0 || fi >= len(rs.fields) {
			badParam(w, "nextPageToken is damaged")
			return
		}
		after = v
	}
	var members []string
	next := ""
	for ; fi < len(rs.fields) && len(members) < n; fi, after = fi+1, "" {
		vals, more, err := g.ix.Values(rs.fields[fi], after, n-len(members))
		if err != nil {
			internal(w, err)
			return
		}
		members = append(members, vals...)
		if more || (len(members) == n && fi+1 < len(rs.fields)) {
			if len(vals) > 0 {
				next = fmt.Sprintf("%d:%s", fi, vals[len(vals)-1])
			} else {
				next = fmt.Sprintf("%d:%s", fi, after)
			}
			break
		}
	}
	if next != "" {
		w.Header().Set("Link", fmt.Sprintf(`</%s?perPage=%d&nextPageToken=%s>; rel="next"`, rs.name, n, url.QueryEscape(next)))
	}
	writeJSON(w, http.StatusOK, collection(members))
}

func pathEscape(s string) string { return url.PathEscape(s) }
