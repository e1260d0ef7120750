package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/view"
)

type homePage struct {
	Status *api.StatusResponse
	// Protocol is the chain's protocol version, this node's software and
	// the upgrade governance scheduled.
	Protocol *node.Protocol
	Blocks   []view.BlockRow
	Lots     *view.LotPage
	Recalls  *view.LotPage
}

func (p *pages) home(w http.ResponseWriter, r *http.Request) {
	bs, err := p.v.BlockRows(12)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	lots, err := p.v.Lots(view.LotQuery{Limit: 20})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	yes := true
	recalls, err := p.v.Lots(view.LotQuery{AllKinds: true, Recalled: &yes, Limit: 500})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	proto, err := p.s.Node().Protocol()
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "explorer", &page{Title: "区块浏览器 Explorer", Data: &homePage{Blocks: bs, Lots: lots, Recalls: recalls, Protocol: proto}})
}

func (p *pages) lots(w http.ResponseWriter, r *http.Request) {
	q := view.LotQuery{Cursor: r.URL.Query().Get("cursor"), AllKinds: r.URL.Query().Get("kind") == "all", Limit: 100}
	page1, err := p.v.Lots(q)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "lots", &page{Title: "批次 Lots", Data: page1})
}

func (p *pages) block(w http.ResponseWriter, r *http.Request) {
	h, err := strconv.ParseUint(r.PathValue("height"), 10, 64)
	if err != nil || h == 0 {
		p.failWith(w, r, http.StatusBadRequest, "ERR_BAD_HEIGHT", "区块高度须为正整数 The height must be a positive integer: "+r.PathValue("height"))
		return
	}
	b, err := p.v.Block(h)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "block", &page{Title: "区块 Block " + strconv.FormatUint(h, 10), Data: b})
}

type txPage struct {
	*view.Tx
	PayloadPretty string
	Verification  *view.Verification
}

func (p *pages) tx(w http.ResponseWriter, r *http.Request) {
	h, err := ledger.ParseHash(r.PathValue("hash"))
	if err != nil {
		p.failWith(w, r, http.StatusBadRequest, "ERR_BAD_HASH", err.Error())
		return
	}
	t, err := p.v.Tx(h, p.s.Node().Pool.Has)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	tp := &txPage{Tx: t, PayloadPretty: pretty(t.Payload)}
	if t.Status == "committed" {
		if tp.Verification, err = p.v.Verify(h); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	p.render(w, r, http.StatusOK, "tx", &page{Title: "交易 Transaction " + h.Short(), Data: tp})
}

func pretty(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

type searchPage struct {
	Query   string
	Results []view.SearchResult
}

func (p *pages) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	res, err := p.v.Search(q)
	if err != nil {
		if e, ok := view.AsError(err); ok {
			p.render(w, r, http.StatusBadRequest, "search", &page{Title: "搜索 Search", Query: q, Message: e.Message, Data: &searchPage{Query: q}})
			return
		}
		p.fail(w, r, err)
		return
	}
	if len(res) == 1 {
		http.Redirect(w, r, res[0].Path, http.StatusSeeOther)
		return
	}
	status := http.StatusOK
	if q != "" && len(res) == 0 {
		status = http.StatusNotFound
	}
	p.render(w, r, status, "search", &page{Title: "搜索 Search", Query: q, Data: &searchPage{Query: q, Results: res}})
}

func (p *pages) notary(w http.ResponseWriter, r *http.Request) {
	h, err := ledger.ParseHash(r.PathValue("hash"))
	if err != nil {
		p.failWith(w, r, http.StatusBadRequest, "ERR_BAD_HASH", err.Error())
		return
	}
	it, err := p.v.Notary(h)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	var meta map[string]any
	_ = json.Unmarshal(it.Metadata, &meta)
	pg := &page{Title: "存证 Notarized " + h.Short(), Data: &notaryPage{NotaryItem: it, Meta: meta, MetaPretty: pretty(it.Metadata)}}
	if v := it.Verification; v != nil && v.Archive != nil {
		pg.Archive = archivePages(*v.Archive, r) // an anchor in a block this node does not hold
	}
	p.render(w, r, http.StatusOK, "notary", pg)
}

type notaryPage struct {
	*view.NotaryItem
	Meta       map[string]any
	MetaPretty string
}

func (p *pages) org(w http.ResponseWriter, r *http.Request) {
	o, err := p.v.Org(r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "org", &page{Title: o.Name, Data: o})
}

var _ = url.QueryEscape

func (p *pages) validators(w http.ResponseWriter, r *http.Request) {
	var h uint64
	if v := r.URL.Query().Get("height"); v != "" {
		var err error
		if h, err = strconv.ParseUint(v, 10, 64); err != nil || h == 0 {
			p.failWith(w, r, http.StatusBadRequest, "ERR_BAD_HEIGHT", "区块高度须为正整数 The height must be a positive integer: "+v)
			return
		}
	}
	vs, err := p.v.Validators(h)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "validators", &page{Title: "验证者 Validators " + strconv.FormatUint(vs.Height, 10), Data: vs})
}
