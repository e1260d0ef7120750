package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/node/gateway/index"
)

// eventValue renders an indexed event as EPCIS 2.0 JSON-LD, as captured,
// followed by Qianchain's provenance extensions (qian:eventHash,
// qian:recordedBy, qian:block, qian:tx, and qian:sender and qian:receiver
// when its document had a header) and qian:proof, the URL of its
// transaction's proof bundle on the node, which anyone can verify offline
// against genesis. The node's own exports carry the same provenance at the
// document level (qian:provenance, keyed by eventID: epcis.QueryDocument);
// a GS1 query answer puts it in each event, where a client that reads the
// events one by one (or pages through them) finds it.
func (g *Gateway) eventValue(e *index.Entry) (epcis.Value, error) {
	rec, err := e.Recorded()
	if err != nil {
		return epcis.Value{}, err
	}
	v := epcis.EventJSON(rec)
	for _, f := range epcis.Provenance(rec, 0).Fields {
		if f.Name != "qian:index" { // the place in a document's eventList: not the event's
			v.Fields = append(v.Fields, f)
		}
	}
	v.Fields = append(v.Fields, epcis.Field{Name: "qian:proof", Value: epcis.StringValue(g.opt.NodeURL + "/v1/txs/" + e.TxHash.String() + "/proof")})
	return v, nil
}

// queryDocument renders entries as an EPCISQueryDocument.
func (g *Gateway) queryDocument(entries []*index.Entry, queryName, subscriptionID string) ([]byte, error) {
	ctx := epcis.Value{Kind: epcis.KindObject, Fields: []epcis.Field{{Name: epcis.QianPrefix, Value: epcis.StringValue(epcis.QianIRI)}}}
	list := epcis.Value{Kind: epcis.KindArray, Items: []epcis.Value{}}
	for _, e := range entries {
		ev, err := e.Event()
		if err != nil {
			return nil, err
		}
		for _, f := range ev.Context.Fields {
			if ctx.Get(f.Name) == nil {
				ctx.Fields = append(ctx.Fields, f)
			}
		}
		v, err := g.eventValue(e)
		if err != nil {
			return nil, err
		}
		list.Items = append(list.Items, v)
	}
	results := map[string]any{"queryName": queryName, "resultsBody": map[string]any{"eventList": list}}
	if subscriptionID != "" {
		results["subscriptionID"] = subscriptionID
	}
	doc := map[string]any{
		"@context":      []any{epcis.StandardContext, ctx},
		"type":          "EPCISQueryDocument",
		"schemaVersion": "2.0",
		"creationDate":  time.Now().UTC().Format(time.RFC3339Nano),
		"epcisBody":     map[string]any{"queryResults": results},
	}
	return json.Marshal(doc)
}

// pageToken is what nextPageToken carries: where the page ended and a
// fingerprint of the query, so a token is never applied to another query.
// Tokens are stateless: they never expire and need no invalidation.
type pageToken struct {
	Pos index.Position `json:"p"`
	Q   string         `json:"q"`
}

func fingerprint(params map[string][]string) string {
	names := make([]string, 0, len(params))
	for n := range params {
		if n != "perPage" && n != "nextPageToken" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(strings.Join(params[n], "|"))
		b.WriteByte('&')
	}
	return b.String()
}

func encodeToken(pos *index.Position, params map[string][]string) string {
	raw, _ := json.Marshal(pageToken{Pos: *pos, Q: fingerprint(params)})
	return base64.RawURLEncoding.EncodeToString(raw)
}

var errToken = errors.New("nextPageToken does not belong to this query, or is damaged")

func decodeToken(s string, params map[string][]string) (*index.Position, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errToken
	}
	var t pageToken
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if d.Decode(&t) != nil || t.Q != fingerprint(params) {
		return nil, errToken
	}
	return &t.Pos, nil
}
