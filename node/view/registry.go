package view

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
)

// LotSummary is a line of the lot list.
type LotSummary struct {
	Object    ObjectRef   `json:"object"`
	Owner     *OrgRef     `json:"owner"`
	Custodian *OrgRef     `json:"custodian"` // its own custodian field (a packed object moves with its container)
	Recalled  bool        `json:"recalled"`
	Void      bool        `json:"void,omitempty"` // its commissioning was declared erroneous
	Away      string      `json:"away,omitempty"` // the party outside the chain it was shipped to
	Events    uint32      `json:"events"`
	Created   uint64      `json:"created_height"`
	Head      ledger.Hash `json:"head"`
}

// LotPage is a page of the lot list.
type LotPage struct {
	Lots []LotSummary `json:"lots"`
	// Next is the cursor of the following page, "" after the last.
	Next string `json:"next"`
}

// LotQuery selects lots.
type LotQuery struct {
	Kind     gs1.Kind // 0: lots only; otherwise this kind
	AllKinds bool
	GTIN     string // only this GTIN-14
	Recalled *bool  // only recalled (true) or not recalled (false)
	Cursor   string // from a previous page's Next
	Limit    int    // 1-500; 0 means 50
}

// MaxLotPage is the largest page of the lot list.
const MaxLotPage = 500

const objectPrefix = "t/o/"

// Lots lists traced objects in key order (kind, GTIN, lot).
func (r *Reader) Lots(q LotQuery) (*LotPage, error) {
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 0 || q.Limit > MaxLotPage {
		return nil, badRequest("limit must be 1 to %d", MaxLotPage)
	}
	if q.Kind == 0 && !q.AllKinds {
		q.Kind = gs1.Lot
	}
	prefix := []byte(objectPrefix)
	if !q.AllKinds {
		prefix = append(prefix, byte(q.Kind))
		if q.GTIN != "" {
			g, err := gs1.NormalizeGTIN(q.GTIN)
			if err != nil {
				return nil, invalidID(err)
			}
			prefix = append(prefix, g...)
		}
	}
	lower := prefix
	if q.Cursor != "" {
		after, err := hex.DecodeString(q.Cursor)
		if err != nil || len(after) == 0 {
			return nil, badRequest("cursor %q is not one this API returned", q.Cursor)
		}
		lower = append(append([]byte(objectPrefix), after...), 0)
	}
	page := &LotPage{Lots: []LotSummary{}}
	var ids []gs1.ObjectID
	more := false
	err := r.st.Iterate(lower, state.PrefixEnd(prefix), func(k, _ []byte) bool {
		id, ok := objectFromKey(k[len(objectPrefix):])
		if !ok {
			return true
		}
		if len(ids) == q.Limit {
			more = true
			return false
		}
		ids = append(ids, id)
		return true
	})
	if err != nil {
		return nil, err
	}
	c := newCaches()
	for _, id := range ids {
		o, err := trace.GetObject(r.st, id)
		if err != nil {
			return nil, err
		}
		if o == nil {
			continue
		}
		if q.Recalled != nil && o.Recalled != *q.Recalled {
			continue
		}
		page.Lots = append(page.Lots, LotSummary{Object: r.ref(id, c.names), Owner: r.orgRef(o.Owner, c.orgs),
			Custodian: r.orgRef(o.Custodian, c.orgs), Recalled: o.Recalled, Void: o.Void, Away: o.Away,
			Events: o.Count, Created: o.Created, Head: o.Head})
	}
	if more && len(ids) > 0 {
		page.Next = hex.EncodeToString(trace.ObjectKey(ids[len(ids)-1]))
	}
	return page, nil
}

// objectFromKey parses an object key (docs/state.md): what
// trace.ObjectKey wrote, every kind.
func objectFromKey(b []byte) (gs1.ObjectID, bool) { return trace.ParseObjectKey(b) }

// ProductView is a registered product, its lots and its serialised items.
type ProductView struct {
	GTIN    string         `json:"gtin"`
	Product *trace.Product `json:"product"` // nil when not registered
	Owner   *OrgRef        `json:"owner,omitempty"`
	Lots    []LotSummary   `json:"lots"`
	Next    string         `json:"next"`
	Items   []LotSummary   `json:"items"` // the first 100 serialised items
	// Class: events name the product class itself (a quantity of the
	// product, lot unknown); its history is at /v1/objects?id=/01/{gtin}.
	Class bool `json:"class"`
}

// Product returns a product, its first lots and its first items.
func (r *Reader) Product(gtin string) (*ProductView, error) {
	g, err := gs1.NormalizeGTIN(gtin)
	if err != nil {
		return nil, invalidID(err)
	}
	p, err := trace.GetProduct(r.st, g)
	if err != nil {
		return nil, err
	}
	page, err := r.Lots(LotQuery{GTIN: g, Limit: 100})
	if err != nil {
		return nil, err
	}
	items, err := r.Lots(LotQuery{Kind: gs1.Item, GTIN: g, Limit: 100})
	if err != nil {
		return nil, err
	}
	class, err := trace.GetObject(r.st, gs1.ObjectID{Kind: gs1.Class, Key: g})
	if err != nil {
		return nil, err
	}
	if p == nil && len(page.Lots) == 0 && len(items.Lots) == 0 && class == nil {
		return nil, notFound("GTIN %s is neither registered nor traced on this chain", g)
	}
	out := &ProductView{GTIN: g, Product: p, Lots: page.Lots, Next: page.Next, Items: items.Lots, Class: class != nil}
	if p != nil {
		out.Owner = r.orgRef(p.Owner, nil)
	}
	return out, nil
}

// OrgView is an organisation with its accounts.
type OrgView struct {
	*membership.Org
	Accounts []*membership.Account `json:"accounts"`
}

// Org returns an organisation.
func (r *Reader) Org(id string) (*OrgView, error) {
	o, err := membership.GetOrg(r.st, id)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, notFound("no organisation %q", id)
	}
	accts, err := membership.OrgAccounts(r.st, id)
	if err != nil {
		return nil, err
	}
	if accts == nil {
		accts = []*membership.Account{}
	}
	return &OrgView{Org: o, Accounts: accts}, nil
}

// Orgs lists every organisation.
func (r *Reader) Orgs() ([]*membership.Org, error) {
	os, err := membership.ListOrgs(r.st)
	if os == nil {
		os = []*membership.Org{}
	}
	return os, err
}

// NotaryItem is an anchored hash with its metadata and its verification.
type NotaryItem struct {
	Hash    ledger.Hash      `json:"hash"`
	Kind    string           `json:"kind"` // data_product, evidence, trade, batch
	Org     *OrgRef          `json:"org"`
	Sender  ledger.PublicKey `json:"sender"`
	Height  uint64           `json:"height"`
	Time    string           `json:"time"`
	TxHash  ledger.Hash      `json:"tx_hash"`
	TxIndex uint32           `json:"tx_index"`
	// Metadata is the anchoring payload decoded: name, media type, size
	// and attributes; for a trade the deal; for a batch its root and size.
	Metadata     json.RawMessage `json:"metadata"`
	Verification *Verification   `json:"verification,omitempty"`
}

// Notary looks up an anchored hash.
func (r *Reader) Notary(h ledger.Hash) (*NotaryItem, error) {
	rec, err := notary.Lookup(r.st, h)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, notFound("hash %s has not been anchored on this chain (a batch item is proven by its certificate, against the batch root)", h)
	}
	it := &NotaryItem{Hash: rec.Hash, Kind: rec.Kind.String(), Org: r.orgRef(rec.Org, nil), Sender: rec.Sender, Height: rec.Height,
		Time: blockTime(rec.Time), TxHash: rec.TxHash, TxIndex: rec.TxIndex}
	var meta any
	switch rec.Kind {
	case notary.Trade:
		meta, err = notary.DecodeTrade(rec.Payload)
	case notary.BatchRoot:
		meta, err = notary.DecodeBatch(rec.Payload)
	default:
		meta, err = notary.DecodeAnchor(rec.Payload)
	}
	if err == nil {
		it.Metadata, err = json.Marshal(meta)
	}
	if err != nil {
		it.Metadata, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	if it.Verification, err = r.Verify(rec.TxHash); err != nil {
		e, ok := AsError(err)
		if !ok {
			return nil, err
		}
		if e.Code == ErrPruned {
			it.Verification = prunedVerification(rec.TxHash, rec.Height, it.Time, e)
		}
	}
	return it, nil
}

// SearchResult is one thing a query names.
type SearchResult struct {
	Kind  string `json:"kind"` // tx, block, lot, notary, event, org, product
	Title string `json:"title"`
	Path  string `json:"path"` // this node's page
	API   string `json:"api"`  // this node's JSON
}

// Search finds what q names: a transaction, block, event or anchored hash
// (64 hex digits), a block height, a Digital Link URI or path, an EPC URN,
// a GTIN, an organisation id, or a lot number.
func (r *Reader) Search(q string) ([]SearchResult, error) {
	q = strings.TrimSpace(q)
	out := []SearchResult{}
	if q == "" {
		return out, nil
	}
	if len(q) > 512 {
		return nil, badRequest("the query is longer than 512 characters")
	}
	if h, err := ledger.ParseHash(strings.TrimPrefix(strings.ToLower(q), "0x")); err == nil {
		return r.searchHash(h)
	}
	if n, err := strconv.ParseUint(q, 10, 64); err == nil && len(q) < 12 {
		if n >= 1 && n <= r.st.Height() {
			out = append(out, SearchResult{Kind: "block", Title: "区块 Block " + q, Path: "/explorer/blocks/" + q, API: "/v1/blocks/" + q})
		}
		return out, nil
	}
	if strings.HasPrefix(q, "/") || strings.HasPrefix(q, "http") || strings.HasPrefix(q, "urn:") {
		id, err := ParseObject(q)
		if err != nil {
			return nil, err
		}
		if o, err := trace.GetObject(r.st, id); err != nil {
			return nil, err
		} else if o != nil {
			out = append(out, lotResult(id))
		}
		return out, nil
	}
	if g, err := gs1.NormalizeGTIN(q); err == nil {
		if p, err := r.Product(g); err == nil {
			title := "GTIN " + g
			if p.Product != nil {
				title = p.Product.Name
			}
			out = append(out, SearchResult{Kind: "product", Title: title, Path: "/01/" + g, API: "/v1/products/" + g})
		}
		return out, nil
	}
	if membership.ValidOrgID(q) {
		if o, err := membership.GetOrg(r.st, q); err != nil {
			return nil, err
		} else if o != nil {
			out = append(out, SearchResult{Kind: "org", Title: o.Name, Path: "/explorer/orgs/" + q, API: "/v1/orgs/" + q})
		}
	}
	// A lot or serial number alone: scan the objects (bounded).
	scanned := 0
	var found []gs1.ObjectID
	err := r.st.Iterate([]byte(objectPrefix), state.PrefixEnd([]byte(objectPrefix)), func(k, _ []byte) bool {
		scanned++
		if id, ok := objectFromKey(k[len(objectPrefix):]); ok && strings.EqualFold(id.Ext, q) {
			found = append(found, id)
		}
		return scanned < 200_000 && len(found) < 20
	})
	if err != nil {
		return nil, err
	}
	for _, id := range found {
		out = append(out, lotResult(id))
	}
	return out, nil
}

func lotResult(id gs1.ObjectID) SearchResult {
	api := "/v1/lots/" + id.Key + "/" + id.Ext
	if id.Kind != gs1.Lot {
		api = "/v1/objects?id=" + id.Path()
	}
	return SearchResult{Kind: KindName(id.Kind), Title: id.Kind.String() + " " + id.Path(), Path: id.Path(), API: api}
}

func (r *Reader) searchHash(h ledger.Hash) ([]SearchResult, error) {
	out := []SearchResult{}
	s := h.String()
	if _, _, err := r.st.TxLocation(h); err == nil {
		out = append(out, SearchResult{Kind: "tx", Title: "交易 Transaction " + h.Short(), Path: "/explorer/txs/" + s, API: "/v1/txs/" + s})
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if b, err := r.st.BlockByHash(h); err == nil {
		hs := strconv.FormatUint(b.Header.Height, 10)
		out = append(out, SearchResult{Kind: "block", Title: "区块 Block " + hs, Path: "/explorer/blocks/" + hs, API: "/v1/blocks/" + hs})
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if rec, err := notary.Lookup(r.st, h); err != nil {
		return nil, err
	} else if rec != nil {
		out = append(out, SearchResult{Kind: "notary", Title: "存证 Anchored " + rec.Kind.String() + " " + h.Short(), Path: "/explorer/notary/" + s, API: "/v1/notary/" + s})
	}
	if rec, err := trace.GetRecord(r.st, h); err != nil {
		return nil, err
	} else if rec != nil {
		t := rec.TxHash.String()
		out = append(out, SearchResult{Kind: "event", Title: "事件 EPCIS event " + h.Short(), Path: "/explorer/txs/" + t, API: "/v1/txs/" + t})
	}
	return out, nil
}
