package web

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/view"
)

// Link is one target in a linkset.
type Link struct {
	Href     string   `json:"href"`
	Type     string   `json:"type,omitempty"`
	Title    string   `json:"title,omitempty"`
	HrefLang []string `json:"hreflang,omitempty"`
}

// GS1 Web Vocabulary link types are IRIs under gs1voc; a linkType request
// may name them short (gs1:pip) or in full, under any of the vocabulary's
// spellings.
const gs1voc = "https://gs1.org/voc/"

var gs1vocSpellings = []string{"gs1:", gs1voc, "http://gs1.org/voc/", "https://www.gs1.org/voc/", "https://ref.gs1.org/voc/"}

// linkTypeName returns the link type a linkType parameter names, without
// its namespace ("pip"), or false when it is not a GS1 link type.
func linkTypeName(lt string) (string, bool) {
	for _, p := range gs1vocSpellings {
		if t, ok := strings.CutPrefix(lt, p); ok && t != "" && !strings.ContainsAny(t, "/?#: ") {
			return t, true
		}
	}
	return "", false
}

// linkset is a subject's links by GS1 link type (without namespace), and
// its anchor.
type linkset struct {
	anchor string
	links  map[string][]Link
}

func (l *linkset) add(typ string, links ...Link) { l.links[typ] = append(l.links[typ], links...) }

// types lists the link types offered, short form, sorted.
func (l *linkset) types() []string {
	var out []string
	for t := range l.links {
		out = append(out, "gs1:"+t)
	}
	sort.Strings(out)
	return out
}

// pick returns the link of type typ whose media type accept prefers (the
// first otherwise), or nil when the linkset offers none.
func (l *linkset) pick(typ, accept string) *Link {
	ls := l.links[typ]
	if len(ls) == 0 {
		return nil
	}
	best, at := 0, -1
	for i, k := range ls {
		if j := strings.Index(accept, k.Type); k.Type != "" && j >= 0 && (at < 0 || j < at) {
			best, at = i, j
		}
	}
	return &ls[best]
}

// document is the RFC 9264 JSON form: one context object, link relation
// types as full GS1 vocabulary IRIs.
func (l *linkset) document() map[string]any {
	set := map[string]any{"anchor": l.anchor}
	for t, ls := range l.links {
		set[gs1voc+t] = ls
	}
	return map[string]any{"linkset": []any{set}}
}

var bilingual = []string{"zh", "en"}

// linkset lists everything this node serves about a subject, with GS1
// link types: its page (defaultLink, and pip for what a GTIN names), its
// traceability data, its EPCIS 2.0 events, its recall status, the proof
// bundle of its latest record and its certificates; for a GLN, the
// organisation that registered it.
func (p *pages) linkset(r *http.Request, s *subject) *linkset {
	o := api.Origin(r)
	set := &linkset{anchor: s.anchor, links: map[string][]Link{}}
	switch {
	case s.org != nil:
		name := s.org.Name
		set.add("defaultLink", Link{Href: o + "/explorer/orgs/" + s.org.ID, Type: "text/html", Title: name, HrefLang: bilingual})
		set.add("masterData", Link{Href: o + "/v1/orgs/" + s.org.ID, Type: "application/json", Title: "成员信息 Member data: " + name})
	case s.lot != nil:
		l := s.lot
		page := o + l.Object.Path
		q := url.QueryEscape(l.Object.Path)
		name := l.Object.Name
		if name == "" {
			name = l.Object.Path
		}
		set.add("defaultLink", Link{Href: page, Type: "text/html", Title: name, HrefLang: bilingual})
		if l.Object.GTIN != "" {
			set.add("pip", Link{Href: page, Type: "text/html", Title: "产品信息 Product information: " + name, HrefLang: bilingual})
		}
		set.add("traceability", Link{Href: page, Type: "text/html", Title: "溯源 Traceability", HrefLang: bilingual},
			Link{Href: o + "/v1/objects?id=" + q, Type: "application/json", Title: "traceability data"})
		set.add("epcis", Link{Href: o + "/v1/objects/epcis?id=" + q, Type: "application/ld+json", Title: "EPCIS 2.0 events"})
		if l.Owner != nil { // held objects; a product class or service relation is only mentioned
			set.add("recallStatus", Link{Href: page + "#recall", Type: "text/html", Title: recallTitle(l.Recall.Recalled)})
		}
		if v := l.Verification; v != nil && v.Code == view.ErrPruned {
			// This node does not hold the record's block: the archive
			// nodes serve its proof bundle (none named: no link).
			for _, a := range *v.Archive {
				set.add("verificationService", Link{Href: strings.TrimSuffix(a, "/") + v.ProofURL, Type: "application/json", Title: "proof bundle of the latest record, on the archive node (qian verify)"})
			}
		} else if v != nil {
			set.add("verificationService", Link{Href: o + v.ProofURL, Type: "application/json", Title: "proof bundle of the latest record (qian verify)"})
		}
		for _, c := range l.Certificates {
			if c.SHA256 != nil {
				set.add("certificationInfo", Link{Href: o + "/explorer/notary/" + c.SHA256.String(), Type: "text/html", Title: "检测证书 Certificate " + c.SHA256.Short()})
			}
		}
	default:
		pv := s.product
		page := o + "/01/" + pv.GTIN
		name := "GTIN " + pv.GTIN
		if pv.Product != nil {
			name = pv.Product.Name
		}
		set.add("defaultLink", Link{Href: page, Type: "text/html", Title: name, HrefLang: bilingual})
		set.add("pip", Link{Href: page, Type: "text/html", Title: "产品信息 Product information: " + name, HrefLang: bilingual})
		set.add("traceability", Link{Href: page, Type: "text/html", Title: "批次 Lots", HrefLang: bilingual},
			Link{Href: o + "/v1/products/" + pv.GTIN, Type: "application/json", Title: "product and lots"})
		if pv.Class {
			set.add("epcis", Link{Href: o + "/v1/objects/epcis?id=" + url.QueryEscape("/01/"+pv.GTIN), Type: "application/ld+json", Title: "EPCIS 2.0 events naming the product class"})
		}
	}
	return set
}

func recallTitle(recalled bool) string {
	if recalled {
		return "已召回 Recalled"
	}
	return "未召回 Not recalled"
}
