package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/node/gateway/index"
)

// namedQuery is a stored query (POST /queries).
type namedQuery struct {
	Name      string         `json:"name"`
	Query     map[string]any `json:"query"`
	CreatedAt time.Time      `json:"createdAt"`
}

// params turns the query definition into query parameters: a value may be
// a string, a number or a list of them.
func queryParams(def map[string]any) (url.Values, error) {
	out := url.Values{}
	for k, v := range def {
		switch x := v.(type) {
		case string:
			out[k] = []string{x}
		case float64, bool:
			out[k] = []string{fmt.Sprint(x)}
		case []any:
			for _, it := range x {
				switch y := it.(type) {
				case string:
					out[k] = append(out[k], y)
				case float64, bool:
					out[k] = append(out[k], fmt.Sprint(y))
				default:
					return nil, fmt.Errorf("%s: list items must be strings or numbers", k)
				}
			}
		default:
			return nil, fmt.Errorf("%s: the value must be a string, a number or a list", k)
		}
	}
	return out, nil
}

var queryName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)

func (g *Gateway) postQuery(w http.ResponseWriter, r *http.Request) {
	body, ok := g.readBody(w, r)
	if !ok {
		return
	}
	var nq namedQuery
	if err := json.Unmarshal(body, &nq); err != nil || nq.Query == nil {
		writeProblem(w, http.StatusBadRequest, exQueryParameter, "Invalid query", "the body must be {\"name\": ..., \"query\": {...}}", "ERR_QUERY_PARAMETER")
		return
	}
	if !queryName.MatchString(nq.Name) {
		badParam(w, "a query name is 1 to 128 letters, digits, '_', '.' or '-'")
		return
	}
	params, err := queryParams(nq.Query)
	if err != nil {
		badParam(w, err.Error())
		return
	}
	if _, err := index.Parse(params); err != nil {
		var pe *index.ParamError
		if errors.As(err, &pe) && pe.Unsupported {
			notImplemented(w, err.Error())
		} else {
			badParam(w, err.Error())
		}
		return
	}
	var old namedQuery
	g.cap.mu.Lock() // serialises query creation (the store has no compare-and-set)
	defer g.cap.mu.Unlock()
	if found, err := getJSON(g.db, key(tQuery, nq.Name), &old); err != nil {
		internal(w, err)
		return
	} else if found {
		writeProblem(w, http.StatusConflict, exExists, "Query exists", "a query named "+nq.Name+" exists; delete it first", "ERR_QUERY_EXISTS")
		return
	}
	nq.CreatedAt = time.Now().UTC()
	b := g.db.NewBatch()
	defer b.Close()
	if err := setJSON(b, key(tQuery, nq.Name), &nq); err != nil {
		internal(w, err)
		return
	}
	if err := b.Commit(pebble.Sync); err != nil {
		internal(w, err)
		return
	}
	w.Header().Set("Location", "/queries/"+nq.Name)
	w.WriteHeader(http.StatusCreated)
}

func (g *Gateway) listQueries(w http.ResponseWriter, r *http.Request) {
	out := []map[string]any{}
	err := scanJSON(g.db, []byte{tQuery}, func(_ []byte, nq *namedQuery) bool {
		out = append(out, map[string]any{"name": nq.Name, "query": nq.Query})
		return true
	})
	if err != nil {
		internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// loadQuery reads the path's named query, answering 404 when there is none.
func (g *Gateway) loadQuery(w http.ResponseWriter, r *http.Request) (*namedQuery, bool) {
	name := r.PathValue("queryName")
	var nq namedQuery
	found, err := getJSON(g.db, key(tQuery, name), &nq)
	if err != nil {
		internal(w, err)
		return nil, false
	}
	if !found {
		writeProblem(w, http.StatusNotFound, exNoSuchName, "No such query", "no query named "+name, "ERR_NOT_FOUND")
		return nil, false
	}
	return &nq, true
}

func (g *Gateway) getQuery(w http.ResponseWriter, r *http.Request) {
	if nq, ok := g.loadQuery(w, r); ok {
		// GS1's description answers the definition as a one-item list.
		writeJSON(w, http.StatusOK, []map[string]any{{"name": nq.Name, "query": nq.Query}})
	}
}

// deleteQuery removes a query and its subscriptions.
func (g *Gateway) deleteQuery(w http.ResponseWriter, r *http.Request) {
	nq, ok := g.loadQuery(w, r)
	if !ok {
		return
	}
	b := g.db.NewBatch()
	defer b.Close()
	_ = b.Delete(key(tQuery, nq.Name), nil)
	p := append(key(tSub, nq.Name), 0)
	_ = b.DeleteRange(p, upperBound(p), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		internal(w, err)
		return
	}
	g.subs.reload()
	w.WriteHeader(http.StatusNoContent)
}

// queryEvents runs a named query; paging parameters come from the URL.
func (g *Gateway) queryEvents(w http.ResponseWriter, r *http.Request) {
	nq, ok := g.loadQuery(w, r)
	if !ok {
		return
	}
	params, err := queryParams(nq.Query)
	if err != nil {
		internal(w, err)
		return
	}
	for _, k := range []string{"perPage", "nextPageToken"} {
		if v := r.URL.Query().Get(k); v != "" {
			params.Set(k, v)
		}
	}
	g.answerQuery(w, r, params, nq.Name, "/queries/"+nq.Name+"/events")
}
