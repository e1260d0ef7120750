package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/view"
)

// The GS1 Digital Link resolver (GS1-Conformant Resolver standard): every
// GS1 key the chain knows resolves at its Digital Link path on any node —
// a GTIN alone (/01/{gtin}), with a lot (/10/), a serial (/21/) or both,
// an SSCC (/00/), a GRAI with serial (/8003/), a GIAI (/8004/), a GSRN
// (/8018/) and a GLN (/414/ a location, /417/ a party). For each the node
// offers a linkset (linkset.go); the request chooses:
//
//   - ?linkType=all or ?linkType=linkset, or Accept: application/linkset+json:
//     the RFC 9264 linkset;
//   - ?linkType={type}, short (gs1:epcis) or full (https://gs1.org/voc/epcis):
//     307 to the link of that type (the one whose media type the Accept
//     header prefers); a type the linkset does not offer redirects to the
//     default link, as GS1's resolvers do;
//   - otherwise the default: the key's page (HTML, or its JSON for Accept:
//     application/json); a GLN, which has no page of its own, redirects
//     (307) to its organisation's.
//
// A GTIN-8, -12 or -13 is redirected (301) to its 14-digit form, keeping
// the rest of the path and the query. A malformed key is 400
// ERR_INVALID_GTIN; a malformed lot, serial or other qualifier is 400
// ERR_BAD_REQUEST naming the qualifier (the key may be fine); a key or lot
// the chain does not know is 404, saying which.

// resolve serves every Digital Link path.
func (p *pages) resolve(w http.ResponseWriter, r *http.Request) {
	dl, err := gs1.ParseDigitalLink(api.Origin(r) + r.URL.EscapedPath())
	if err != nil {
		p.badLink(w, r, err)
		return
	}
	if canon, ok := canonicalPath(r.URL.EscapedPath(), dl); !ok {
		if r.URL.RawQuery != "" {
			canon += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, canon, http.StatusMovedPermanently)
		return
	}
	s, err := p.subject(r, dl)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	set := p.linkset(r, s)
	w.Header().Set("Link", "<"+api.Origin(r)+r.URL.EscapedPath()+"?linkType=all>; rel=\"linkset\"; type=\"application/linkset+json\"")
	w.Header().Add("Vary", "Accept")
	lt := r.URL.Query().Get("linkType")
	switch {
	case lt == "all" || lt == "linkset" || (lt == "" && strings.Contains(r.Header.Get("Accept"), "application/linkset+json")):
		api.WriteJSONAs(w, http.StatusOK, "application/linkset+json", set.document())
	case lt != "":
		typ, ok := linkTypeName(lt)
		if !ok {
			p.failWith(w, r, http.StatusBadRequest, view.ErrBadRequest, fmt.Sprintf("linkType=%s 不是 GS1 链接类型 is not a GS1 link type: write gs1:{type} or https://gs1.org/voc/{type} (this key offers %s), all, or linkset", lt, strings.Join(set.types(), ", ")))
			return
		}
		l := set.pick(typ, r.Header.Get("Accept"))
		if l == nil {
			l = set.pick("defaultLink", "")
		}
		http.Redirect(w, r, l.Href, http.StatusTemporaryRedirect)
	case s.org != nil:
		target := "/explorer/orgs/" + s.org.ID
		if wantsJSON(r) {
			target = "/v1/orgs/" + s.org.ID
		}
		http.Redirect(w, r, api.Origin(r)+target, http.StatusTemporaryRedirect)
	case wantsJSON(r) && s.lot != nil:
		api.WriteJSON(w, http.StatusOK, s.lot)
	case wantsJSON(r):
		api.WriteJSON(w, http.StatusOK, s.product)
	case s.lot != nil:
		title := s.lot.Object.Name
		if title == "" {
			title = s.lot.Object.Path
		}
		pg := &page{Title: title, Canon: s.lot.Object.Path, PhoneCheck: p.phone && s.lot.Verification != nil, Data: &lotPage{Lot: s.lot, Serial: s.serial, Origin: api.Origin(r)},
			Desc: "区块链溯源 Blockchain traceability: " + title}
		if v := s.lot.Verification; v != nil && v.Archive != nil {
			// Records below this node's first block: the same page on the
			// archive nodes proves them.
			pg.Archive = archivePages(*v.Archive, r)
			p.render(w, r, http.StatusOK, "lot", pg)
			return
		}
		p.renderKept(w, http.StatusOK, "lot", pg, &pageKey{lot: s.lot, serial: s.serial, origin: api.Origin(r)})
	default:
		title := "GTIN " + s.product.GTIN
		if s.product.Product != nil {
			title = s.product.Product.Name
		}
		p.render(w, r, http.StatusOK, "product", &page{Title: title, Canon: "/01/" + s.product.GTIN, Data: s.product})
	}
}

// subject is what a Digital Link names on this chain: a traced object, a
// product (a GTIN alone), or the organisation that registered a GLN.
type subject struct {
	anchor  string // the canonical Digital Link URI of what was asked, on id.gs1.org
	lot     *view.Lot
	serial  string // a serial asked together with a lot that is shown for it
	product *view.ProductView
	org     *view.OrgView
}

// subject looks up what dl names, or returns a view error that says what
// the chain does not know.
func (p *pages) subject(r *http.Request, dl *gs1.DigitalLink) (*subject, error) {
	st := p.v.Store()
	switch dl.Primary {
	case "414", "417":
		return p.glnSubject(dl)
	case "01":
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
			pv, err := p.v.Product(dl.Key)
			if err != nil {
				return nil, err
			}
			return &subject{anchor: gs1.ObjectID{Kind: gs1.Class, Key: dl.Key}.URI(), product: pv}, nil
		}
		id := gs1.ObjectID{Kind: gs1.Lot, Key: dl.Key, Ext: lot}
		s := &subject{}
		if serial != "" {
			item := gs1.ObjectID{Kind: gs1.Item, Key: dl.Key, Ext: serial}
			o, err := trace.GetObject(st, item)
			if err != nil {
				return nil, err
			}
			if o != nil || lot == "" {
				id = item
			} else {
				s.serial = serial // the item is not traced on its own: its lot is shown
			}
		}
		s.anchor = id.URI()
		if s.serial != "" {
			s.anchor += "/21/" + escapeSegment(s.serial)
		}
		l, err := p.s.LotView(id)
		if err != nil {
			return nil, p.unknownQualifier(err, id)
		}
		s.lot = l
		return s, nil
	}
	id, err := gs1.ParseObjectID(gs1.DigitalLinkHost + "/" + dl.Primary + "/" + escapeSegment(dl.Key))
	if err != nil {
		if errors.Is(err, gs1.ErrNotGS1) && dl.Primary == "8003" {
			return nil, &view.Error{Code: view.ErrNotFound, Message: fmt.Sprintf("GRAI %s names a type of returnable asset, not one asset; this chain traces assets by GRAI and serial (/8003/%s{serial})", dl.Key, dl.Key)}
		}
		return nil, &view.Error{Code: view.ErrBadRequest, Message: err.Error()}
	}
	l, err := p.s.LotView(id)
	if err != nil {
		return nil, err
	}
	return &subject{anchor: id.URI(), lot: l}, nil
}

// unknownQualifier turns "not recorded" for a lot or serialised item
// into a sentence that says the lot or serial is what the chain does not
// know, when it knows the GTIN.
func (p *pages) unknownQualifier(err error, id gs1.ObjectID) error {
	if e, ok := view.AsError(err); !ok || e.Code != view.ErrNotFound {
		return err
	}
	pv, perr := p.v.Product(id.Key)
	if perr != nil {
		return &view.Error{Code: view.ErrNotFound, Message: fmt.Sprintf("GTIN %s is neither registered nor traced on this chain", id.Key)}
	}
	name := ""
	if pv.Product != nil {
		name = " (" + pv.Product.Name + ")"
	}
	what := "lot"
	if id.Kind == gs1.Item {
		what = "serial number"
	}
	return &view.Error{Code: view.ErrNotFound, Message: fmt.Sprintf("%s %q of GTIN %s%s is not recorded on this chain; the GTIN is (/01/%s)", what, id.Ext, id.Key, name, id.Key)}
}

// glnSubject finds the member that registered a GLN.
func (p *pages) glnSubject(dl *gs1.DigitalLink) (*subject, error) {
	st := p.v.Store()
	org, err := membership.OrgByGLN(st, dl.Key)
	if err != nil {
		return nil, err
	}
	if org == "" {
		holder, err := membership.OwnerOfKey(st, dl.Key)
		if err != nil {
			return nil, err
		}
		if holder != "" {
			return nil, &view.Error{Code: view.ErrNotFound, Message: fmt.Sprintf("GLN %s is under %s's company prefix, but %s has not registered it on this chain", dl.Key, holder, holder)}
		}
		return nil, &view.Error{Code: view.ErrNotFound, Message: fmt.Sprintf("GLN %s is not registered by any member of this chain", dl.Key)}
	}
	ov, err := p.v.Org(org)
	if err != nil {
		return nil, err
	}
	anchor := gs1.PartyURI(dl.Key)
	if dl.Primary == "414" {
		anchor = gs1.ParseLocationURI(dl)
	}
	return &subject{anchor: anchor, org: ov}, nil
}

// badLink answers a Digital Link that does not parse: a bad key is
// ERR_INVALID_GTIN, a bad lot, serial or other qualifier ERR_BAD_REQUEST
// naming it, anything else ERR_BAD_REQUEST.
func (p *pages) badLink(w http.ResponseWriter, r *http.Request, err error) {
	var ke *gs1.KeyError
	switch {
	case errors.As(err, &ke) && ke.Qualifier:
		p.failWith(w, r, http.StatusBadRequest, view.ErrBadRequest, "数字链接中的批号或序列号有误 A qualifier of this Digital Link is wrong (not its key): "+err.Error())
	case errors.As(err, &ke):
		p.failWith(w, r, http.StatusBadRequest, view.ErrInvalidGTIN, "不是有效的 GS1 数字链接 Not a valid GS1 Digital Link: "+err.Error())
	default:
		p.failWith(w, r, http.StatusBadRequest, view.ErrBadRequest, "不是有效的 GS1 数字链接 Not a valid GS1 Digital Link: "+err.Error())
	}
}

// canonicalPath returns the path with the key in its canonical form (a
// GTIN-8/12/13 as 14 digits), and whether path already is.
func canonicalPath(path string, dl *gs1.DigitalLink) (string, bool) {
	segs := strings.Split(path, "/")
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] == dl.Primary {
			if segs[i+1] == dl.Key || dl.Primary != "01" {
				return path, true
			}
			segs[i+1] = dl.Key
			return strings.Join(segs, "/"), false
		}
	}
	return path, true
}

// escapeSegment percent-encodes a lot, serial or key for a path segment as
// the canonical Digital Link does.
func escapeSegment(s string) string {
	id := gs1.ObjectID{Kind: gs1.Lot, Key: "00000000000000", Ext: s}
	path := id.Path()
	return path[strings.LastIndex(path, "/")+1:]
}

type lotPage struct {
	*view.Lot
	Serial string
	Origin string // scheme and host, for the QR code and absolute links
}
