package web

import (
	"net/http"
	"strings"

	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/view"
)

// digitalLink resolves GS1 Digital Link paths under /01/: the consumer
// page of a lot (/01/{gtin}/10/{lot}), of a serialised item
// (/01/{gtin}/21/{serial}, or with both), or a product (/01/{gtin}).
// Browsers get HTML, Accept: application/json the lot as JSON, and
// ?linkType=all the RFC 9264 linkset.
func (p *pages) digitalLink(w http.ResponseWriter, r *http.Request) {
	dl, err := gs1.ParseDigitalLink(api.Origin(r) + r.URL.EscapedPath())
	if err != nil {
		code := view.ErrBadRequest
		var ke *gs1.KeyError
		if asKeyError(err, &ke) {
			code = view.ErrInvalidGTIN
		}
		p.failWith(w, r, http.StatusBadRequest, code, "不是有效的 GS1 数字链接 Not a valid GS1 Digital Link: "+err.Error())
		return
	}
	var lot, serial string
	for _, q := range dl.Qualifiers {
		switch q.AI {
		case "10":
			lot = q.Value
		case "21":
			serial = q.Value
		}
	}
	if lot == "" && serial == "" {
		p.product(w, r, dl.Key)
		return
	}
	id := gs1.ObjectID{Kind: gs1.Lot, Key: dl.Key, Ext: lot}
	if serial != "" {
		item := gs1.ObjectID{Kind: gs1.Item, Key: dl.Key, Ext: serial}
		o, err := trace.GetObject(p.v.Store(), item)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		if o != nil || lot == "" {
			id = item
		}
	}
	l, err := p.s.LotView(id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	linkset := "<" + api.Origin(r) + r.URL.EscapedPath() + "?linkType=all>; rel=\"linkset\"; type=\"application/linkset+json\""
	w.Header().Set("Link", linkset)
	w.Header().Add("Vary", "Accept")
	switch {
	case wantsLinkset(r):
		w.Header().Set("Content-Type", "application/linkset+json")
		api.WriteJSONAs(w, http.StatusOK, "application/linkset+json", p.linkset(r, l, serial))
	case wantsJSON(r):
		api.WriteJSON(w, http.StatusOK, l)
	default:
		title := l.Object.Name
		if title == "" {
			title = l.Object.Path
		}
		p.render(w, r, http.StatusOK, "lot", &page{Title: title, Canon: l.Object.Path, Data: &lotPage{Lot: l, Serial: serial, Origin: api.Origin(r)},
			Desc: "区块链溯源 Blockchain traceability: " + title})
	}
}

type lotPage struct {
	*view.Lot
	Serial string
	Origin string // scheme and host, for the QR code and absolute links
}

func asKeyError(err error, target **gs1.KeyError) bool {
	for err != nil {
		if ke, ok := err.(*gs1.KeyError); ok {
			*target = ke
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// Link is one target in a linkset.
type Link struct {
	Href     string   `json:"href"`
	Type     string   `json:"type,omitempty"`
	Title    string   `json:"title,omitempty"`
	HrefLang []string `json:"hreflang,omitempty"`
}

// GS1 Web Vocabulary link types.
const gs1voc = "https://gs1.org/voc/"

// linkset is the RFC 9264 linkset of a lot: everything this node serves
// about it, with GS1 link types.
func (p *pages) linkset(r *http.Request, l *view.Lot, serial string) map[string]any {
	o := api.Origin(r)
	page := o + l.Object.Path
	anchor := l.Object.ID
	if serial != "" && l.Object.Kind == "lot" {
		anchor += "/21/" + serial
	}
	name := l.Object.Name
	if name == "" {
		name = l.Object.Path
	}
	set := map[string]any{
		"anchor":                anchor,
		gs1voc + "defaultLink":  []Link{{Href: page, Type: "text/html", Title: name, HrefLang: []string{"zh", "en"}}},
		gs1voc + "pip":          []Link{{Href: page, Type: "text/html", Title: "产品信息 Product information: " + name, HrefLang: []string{"zh", "en"}}},
		gs1voc + "traceability": []Link{{Href: page, Type: "text/html", Title: "溯源 Traceability", HrefLang: []string{"zh", "en"}}, {Href: o + "/v1/objects?id=" + l.Object.Path, Type: "application/json", Title: "traceability data"}},
		gs1voc + "recallStatus": []Link{{Href: page + "#recall", Type: "text/html", Title: recallTitle(l)}},
	}
	if l.Verification != nil {
		set[gs1voc+"verificationService"] = []Link{{Href: o + l.Verification.ProofURL, Type: "application/json", Title: "proof bundle of the latest record (qian verify)"}}
	}
	if l.Object.Kind == "lot" {
		set[gs1voc+"epcis"] = []Link{{Href: o + "/v1/lots/" + l.Object.GTIN + "/" + escapeSegment(l.Object.Lot) + "/epcis", Type: "application/ld+json", Title: "EPCIS 2.0 events"}}
	}
	var certs []Link
	for _, c := range l.Certificates {
		if c.SHA256 != nil {
			certs = append(certs, Link{Href: o + "/explorer/notary/" + c.SHA256.String(), Type: "text/html", Title: "检测证书 Certificate " + c.SHA256.Short()})
		}
	}
	if len(certs) > 0 {
		set[gs1voc+"certificationInfo"] = certs
	}
	return map[string]any{"linkset": []any{set}}
}

func recallTitle(l *view.Lot) string {
	if l.Recall.Recalled {
		return "已召回 Recalled"
	}
	return "未召回 Not recalled"
}

func escapeSegment(s string) string {
	id := gs1.ObjectID{Kind: gs1.Lot, Key: "00000000000000", Ext: s}
	path := id.Path()
	return path[strings.LastIndex(path, "/")+1:]
}

func (p *pages) product(w http.ResponseWriter, r *http.Request, gtin string) {
	pv, err := p.v.Product(gtin)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if wantsJSON(r) {
		api.WriteJSON(w, http.StatusOK, pv)
		return
	}
	title := "GTIN " + pv.GTIN
	if pv.Product != nil {
		title = pv.Product.Name
	}
	p.render(w, r, http.StatusOK, "product", &page{Title: title, Data: pv})
}

// container shows a logistic unit (/00/{sscc}) as a lot is shown.
func (p *pages) container(w http.ResponseWriter, r *http.Request) {
	id, err := view.ParseObject("/00/" + r.PathValue("sscc"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	l, err := p.s.LotView(id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if wantsJSON(r) {
		api.WriteJSON(w, http.StatusOK, l)
		return
	}
	p.render(w, r, http.StatusOK, "lot", &page{Title: l.Object.Name, Canon: l.Object.Path, Data: &lotPage{Lot: l, Origin: api.Origin(r)}})
}
