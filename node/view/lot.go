package view

import (
	"errors"
	"sort"
	"strings"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
)

// Lot is a traced object (a lot, an item, a container, an asset, or a
// product class or service relation events mention) with everything the
// chain knows about it: its own history as a hash chain, the lots it was
// made from, where it went, who held it, whether it is recalled, and a
// consumer's timeline that joins its inputs' and containers' events.
// Events declared erroneous stay in the history and on the timeline,
// marked (Event.Declared); custody, lineage, origins, readings and
// certificates follow the corrected history and leave them out.
type Lot struct {
	Object  ObjectRef      `json:"object"`
	Product *trace.Product `json:"product"` // nil when the GTIN is not registered
	Owner   *OrgRef        `json:"owner"`   // who commissioned it
	// Custodian holds it now (while packed: its outermost container's
	// custodian); Receiver is where it is being shipped, if anywhere.
	Custodian *OrgRef `json:"custodian"`
	Receiver  *OrgRef `json:"receiver,omitempty"`
	// Away is the party outside the chain's members it was shipped to (an
	// export customer, a market stall): no member holds it any more.
	Away *Place `json:"away,omitempty"`
	// Void: the event that commissioned it was declared erroneous; it is
	// as if never commissioned, and its history stays.
	Void      bool        `json:"void,omitempty"`
	Container *ObjectRef  `json:"container,omitempty"` // the container it is packed in now
	Created   uint64      `json:"created_height"`
	Head      ledger.Hash `json:"head"` // its latest event
	// History is its own events, oldest first; each names the previous
	// one (Prev), and Chain says whether they link up to Head.
	History []*Event   `json:"history"`
	Chain   ChainCheck `json:"chain"`
	// Inputs are the lots it was made from, through transformations,
	// recursively.
	Inputs []*Lineage `json:"inputs"`
	// Derived are the objects made from it or packed with it (what a
	// recall of it would reach next).
	Derived []ObjectRef `json:"derived"`
	Custody []Custody   `json:"custody"`
	Recall  Recall      `json:"recall"`
	Origins []*Origin   `json:"origins"`
	// Timeline is the consumer's story, by event time: the inputs' events
	// up to their transformation into this line, its own events, and its
	// containers' events while it was packed in them.
	Timeline     []*Event      `json:"timeline"`
	Temperatures []Reading     `json:"temperatures"`
	Certificates []Certificate `json:"certificates"`
	// Verification is filled by Verify for the timeline's transactions.
	Verification *Verification `json:"verification,omitempty"`
}

// ChainCheck is the result of trace.VerifyChain on a history.
type ChainCheck struct {
	Valid  bool   `json:"valid"`
	Length int    `json:"length"`
	Error  string `json:"error,omitempty"`
}

// Lineage is one input of a transformation, and its own inputs.
type Lineage struct {
	Object   ObjectRef   `json:"object"`
	Quantity string      `json:"quantity,omitempty"`
	UOM      string      `json:"uom,omitempty"`
	Owner    *OrgRef     `json:"owner,omitempty"`
	Event    ledger.Hash `json:"event"` // the transformation that consumed it
	Inputs   []*Lineage  `json:"inputs"`
}

// Custody is one holder of the object, from an event on.
type Custody struct {
	Org   *OrgRef     `json:"org"`
	Since string      `json:"since"`
	Event ledger.Hash `json:"event"`
	Step  string      `json:"step"`
}

// Recall is the object's recall state and, when recalled, what the recall
// named and everything it reached.
type Recall struct {
	Recalled bool        `json:"recalled"`
	Direct   bool        `json:"direct"` // this object was named, not reached through what was made from it
	Notice   string      `json:"notice,omitempty"`
	Event    *Event      `json:"event,omitempty"`
	Named    []ObjectRef `json:"named"`
	Reached  []ObjectRef `json:"reached"`
}

// Origin is where a line of the product began: the first event of a lot
// with no inputs (a harvest).
type Origin struct {
	Object   ObjectRef   `json:"object"`
	Org      *OrgRef     `json:"org"`
	Place    *Place      `json:"place,omitempty"`
	Time     string      `json:"time"`
	Quantity string      `json:"quantity,omitempty"`
	UOM      string      `json:"uom,omitempty"`
	Details  []Detail    `json:"details,omitempty"`
	Event    ledger.Hash `json:"event"` // its first event (the harvest)
}

// Certificate is a certificationInfo reference on an event, resolved
// against the notary when it names a SHA-256.
type Certificate struct {
	URI     string       `json:"uri"`
	SHA256  *ledger.Hash `json:"sha256,omitempty"`
	Event   ledger.Hash  `json:"event"`
	Issuer  *OrgRef      `json:"issuer"`
	Time    string       `json:"time"`
	About   []ObjectRef  `json:"about"`
	Test    string       `json:"test,omitempty"`
	Result  string       `json:"result,omitempty"`
	Anchor  *NotaryRef   `json:"anchor,omitempty"` // the document's anchoring, if anchored
	TxHash  ledger.Hash  `json:"tx_hash"`
	Conform bool         `json:"conformant"`
}

// NotaryRef summarises an anchoring.
type NotaryRef struct {
	Hash   ledger.Hash `json:"hash"`
	Kind   string      `json:"kind"`
	Name   string      `json:"name,omitempty"`
	Org    *OrgRef     `json:"org"`
	Height uint64      `json:"height"`
	Time   string      `json:"time"`
	TxHash ledger.Hash `json:"tx_hash"`
}

// maxLineageDepth bounds how far back inputs are followed.
const maxLineageDepth = 8

// ParseObject parses a lot, item or container identifier (a Digital Link
// URI or path, or an EPC URN) as a view error.
func ParseObject(s string) (gs1.ObjectID, error) {
	if strings.HasPrefix(s, "/") {
		s = gs1.DigitalLinkHost + s
	}
	o, err := gs1.ParseObjectID(s)
	if err != nil {
		return o, invalidID(err)
	}
	return o, nil
}

// invalidID turns a GS1 parse error into a view error: a bad key (length,
// character, check digit) is ERR_INVALID_GTIN; anything else — a bad lot
// or serial number among them, whose key may be fine — ERR_BAD_REQUEST.
func invalidID(err error) error {
	var ke *gs1.KeyError
	if errors.As(err, &ke) && !ke.Qualifier {
		return &Error{Code: ErrInvalidGTIN, Message: err.Error()}
	}
	return badRequest("%v", err)
}

// Lot returns the object's view, or an ERR_NOT_FOUND error.
func (r *Reader) Lot(id gs1.ObjectID) (*Lot, error) {
	if err := id.Validate(); err != nil {
		return nil, invalidID(err)
	}
	obj, err := trace.GetObject(r.st, id)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, notFound("%s has not been recorded on this chain", id.Path())
	}
	c := newCaches()
	l := &Lot{Object: r.ref(id, c.names), Owner: r.orgRef(obj.Owner, c.orgs), Receiver: r.orgRef(obj.Receiver, c.orgs),
		Created: obj.Created, Head: obj.Head, Inputs: []*Lineage{}, Derived: []ObjectRef{}, Custody: []Custody{},
		Timeline: []*Event{}, Temperatures: []Reading{}, Certificates: []Certificate{}, Origins: []*Origin{}}
	if namesProduct(id.Kind) {
		if l.Product, err = trace.GetProduct(r.st, id.Key); err != nil {
			return nil, err
		}
	}
	l.Void = obj.Void
	if obj.Away != "" {
		l.Away = r.place(obj.Away)
	}
	top, err := trace.Effective(r.st, obj)
	if err != nil {
		return nil, err
	}
	l.Custodian = r.orgRef(top.Custodian, c.orgs)
	if obj.Parent != nil {
		p := r.ref(*obj.Parent, c.names)
		l.Container = &p
	}

	// Own history and its hash chain.
	recs, err := trace.History(r.st, id)
	if err != nil {
		return nil, err
	}
	l.Chain = ChainCheck{Valid: true, Length: len(recs)}
	if err := trace.VerifyChain(id, recs, obj.Head); err != nil {
		l.Chain.Valid, l.Chain.Error = false, err.Error()
	}
	for _, rec := range recs {
		ev, err := r.event(rec, c)
		if err != nil {
			return nil, err
		}
		prev, _ := rec.Prev(id)
		ev.Prev = &prev
		l.History = append(l.History, ev)
	}
	if l.History == nil {
		l.History = []*Event{}
	}

	// Inputs, derived objects, recall.
	seen := map[string]bool{string(trace.ObjectKey(id)): true}
	if l.Inputs, err = r.lineage(id, recs, c, seen, 0); err != nil {
		return nil, err
	}
	derived, err := trace.Derived(r.st, id)
	if err != nil {
		return nil, err
	}
	for _, d := range derived {
		l.Derived = append(l.Derived, r.ref(d, c.names))
	}
	if err := r.recall(l, obj, c); err != nil {
		return nil, err
	}

	// The consumer's timeline.
	if err := r.timeline(l, id, recs, c); err != nil {
		return nil, err
	}
	return l, nil
}

// lineage returns the inputs of the transformations that produced id.
func (r *Reader) lineage(id gs1.ObjectID, recs []*trace.Record, c *caches, seen map[string]bool, depth int) ([]*Lineage, error) {
	out := []*Lineage{}
	if depth >= maxLineageDepth {
		return out, nil
	}
	for _, rec := range recs {
		ev, err := rec.Event()
		if err != nil {
			return nil, err
		}
		if ev.Type != epcis.TransformationEvent || ev.ErrorDeclaration != nil || !produces(ev, id) {
			continue
		}
		if declared, err := r.declared(rec.Hash()); err != nil {
			return nil, err
		} else if declared {
			continue // the corrected history: it was not made from these
		}
		type in struct {
			o   gs1.ObjectID
			qty string
			uom string
		}
		var ins []in
		for _, o := range ev.InputEPCList {
			ins = append(ins, in{o: o})
		}
		for _, q := range ev.InputQuantityList {
			x := in{o: q.Class, uom: q.UOM}
			if q.HasQuantity {
				x.qty = q.Quantity.String()
			}
			ins = append(ins, x)
		}
		for _, x := range ins {
			k := string(trace.ObjectKey(x.o))
			if seen[k] {
				continue
			}
			seen[k] = true
			lin := &Lineage{Object: r.ref(x.o, c.names), Quantity: x.qty, UOM: x.uom, Event: rec.Hash(), Inputs: []*Lineage{}}
			if o, err := trace.GetObject(r.st, x.o); err != nil {
				return nil, err
			} else if o != nil {
				lin.Owner = r.orgRef(o.Owner, c.orgs)
			}
			sub, err := trace.History(r.st, x.o)
			if err != nil {
				return nil, err
			}
			if lin.Inputs, err = r.lineage(x.o, sub, c, seen, depth+1); err != nil {
				return nil, err
			}
			out = append(out, lin)
		}
	}
	return out, nil
}

func produces(ev *epcis.Event, id gs1.ObjectID) bool {
	for _, o := range ev.OutputEPCList {
		if o == id {
			return true
		}
	}
	for _, q := range ev.OutputQuantityList {
		if q.Class == id {
			return true
		}
	}
	return false
}

func (r *Reader) recall(l *Lot, obj *trace.Object, c *caches) error {
	l.Recall = Recall{Recalled: obj.Recalled, Named: []ObjectRef{}, Reached: []ObjectRef{}}
	if !obj.Recalled {
		return nil
	}
	rec, err := trace.GetRecord(r.st, obj.RecallBy)
	if err != nil || rec == nil {
		return err
	}
	ev, err := r.event(rec, c)
	if err != nil {
		return err
	}
	l.Recall.Event = ev
	for _, a := range ev.Objects {
		l.Recall.Named = append(l.Recall.Named, a.Object)
		if a.Object.ID == l.Object.ID {
			l.Recall.Direct = true
		}
	}
	for _, link := range rec.Links {
		l.Recall.Reached = append(l.Recall.Reached, r.ref(link.Object, c.names))
	}
	for _, d := range ev.Details {
		if d.Name == "qian:recallNotice" {
			l.Recall.Notice = d.Value
		}
	}
	return nil
}

// timeline joins the events of the object, of its inputs (up to the
// transformation that consumed each), and of its containers (from the
// packing to the unpacking), sorted by event time.
func (r *Reader) timeline(l *Lot, id gs1.ObjectID, own []*trace.Record, c *caches) error {
	type item struct {
		rec   *trace.Record
		about *gs1.ObjectID
	}
	var items []item
	byHash := map[ledger.Hash]bool{}
	add := func(rec *trace.Record, about *gs1.ObjectID) {
		h := rec.Hash()
		if byHash[h] {
			return
		}
		byHash[h] = true
		if ev, err := rec.Event(); err == nil && ev.ErrorDeclaration != nil {
			return // shown as the mark on the event it declares erroneous
		}
		items = append(items, item{rec, about})
	}
	for _, rec := range own {
		add(rec, nil)
	}
	// Inputs: each input's history up to the transformation.
	var walk func(ls []*Lineage) error
	walk = func(ls []*Lineage) error {
		for _, lin := range ls {
			o, err := ParseObject(lin.Object.ID)
			if err != nil {
				return err
			}
			recs, err := trace.History(r.st, o)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				add(rec, &o)
				if rec.Hash() == lin.Event {
					break
				}
			}
			if err := walk(lin.Inputs); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(l.Inputs); err != nil {
		return err
	}
	// Containers: from the packing event to the unpacking.
	custodyRecs := append([]*trace.Record(nil), own...)
	for _, rec := range own {
		ev, err := rec.Event()
		if err != nil {
			return err
		}
		if ev.Type != epcis.AggregationEvent || ev.Action != epcis.Add || ev.ParentID == nil || ev.ErrorDeclaration != nil {
			continue
		}
		if declared, err := r.declared(rec.Hash()); err != nil {
			return err
		} else if declared {
			continue // it was never packed there
		}
		parent := *ev.ParentID
		recs, err := trace.History(r.st, parent)
		if err != nil {
			return err
		}
		in := false
		for _, pr := range recs {
			if pr.Hash() == rec.Hash() {
				in = true
				continue
			}
			if !in {
				continue
			}
			pev, err := pr.Event()
			if err != nil {
				return err
			}
			add(pr, &parent)
			custodyRecs = append(custodyRecs, pr)
			if pev.Type == epcis.AggregationEvent && pev.Action == epcis.Delete && (len(pev.ChildEPCs)+len(pev.ChildQuantityList) == 0 || mentions(pev, id)) {
				if declared, err := r.declared(pr.Hash()); err != nil {
					return err
				} else if !declared && pev.ErrorDeclaration == nil {
					break
				}
			}
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		ei, _ := items[i].rec.Event()
		ej, _ := items[j].rec.Event()
		if ei.EventTime != ej.EventTime {
			return ei.EventTime < ej.EventTime
		}
		return items[i].rec.Height < items[j].rec.Height
	})
	certSeen := map[string]bool{}
	for _, it := range items {
		ev, err := r.event(it.rec, c)
		if err != nil {
			return err
		}
		if it.about != nil && *it.about != id {
			ref := r.ref(*it.about, c.names)
			ev.About = &ref
		}
		l.Timeline = append(l.Timeline, ev)
		if ev.Declared != nil {
			continue // on the timeline, marked; its readings and certificates do not count
		}
		for _, rd := range ev.Readings {
			if rd.Type == "Temperature" {
				l.Temperatures = append(l.Temperatures, rd)
			}
		}
		for _, uri := range ev.Certificates {
			if certSeen[uri+ev.Hash.String()] {
				continue
			}
			certSeen[uri+ev.Hash.String()] = true
			cert, err := r.certificate(uri, ev)
			if err != nil {
				return err
			}
			l.Certificates = append(l.Certificates, *cert)
		}
	}
	// Origins: the first event of each line's first lot.
	var roots []*Lineage
	var leaves func(ls []*Lineage)
	leaves = func(ls []*Lineage) {
		for _, lin := range ls {
			if len(lin.Inputs) == 0 {
				roots = append(roots, lin)
			}
			leaves(lin.Inputs)
		}
	}
	leaves(l.Inputs)
	rootIDs := []ObjectRef{}
	for _, lin := range roots {
		rootIDs = append(rootIDs, lin.Object)
	}
	if len(rootIDs) == 0 {
		rootIDs = append(rootIDs, l.Object)
	}
	for _, ref := range rootIDs {
		for _, ev := range l.Timeline {
			if ev.Declared != nil {
				continue
			}
			if (ev.About == nil && ref.ID == l.Object.ID) || (ev.About != nil && ev.About.ID == ref.ID) {
				if ev.Step != "harvest" {
					break
				}
				o := &Origin{Object: ref, Org: ev.Org, Place: ev.Place, Time: ev.Time, Details: ev.Details, Event: ev.Hash}
				for _, a := range ev.Objects {
					if a.Object.ID == ref.ID {
						o.Quantity, o.UOM = a.Quantity, a.UOM
					}
				}
				l.Origins = append(l.Origins, o)
				break
			}
		}
	}
	// Custody: the owner from creation, then each receiving.
	sort.SliceStable(custodyRecs, func(i, j int) bool {
		ei, _ := custodyRecs[i].Event()
		ej, _ := custodyRecs[j].Event()
		return ei.EventTime < ej.EventTime
	})
	var last string
	for _, rec := range custodyRecs {
		ev, err := rec.Event()
		if err != nil {
			return err
		}
		if ev.ErrorDeclaration != nil {
			continue
		}
		if declared, err := r.declared(rec.Hash()); err != nil {
			return err
		} else if declared {
			continue // custody follows the corrected history
		}
		first := last == ""
		if !first && ev.BizStep != "receiving" {
			continue
		}
		if rec.Org == last {
			continue
		}
		last = rec.Org
		step, _, _ := classify(ev, r.orgRef(rec.Org, c.orgs))
		l.Custody = append(l.Custody, Custody{Org: r.orgRef(rec.Org, c.orgs), Since: FormatTime(ev.EventTime, int(ev.TimeZoneOffset)), Event: rec.Hash(), Step: step})
	}
	return nil
}

// declared reports whether the event recorded as h was declared erroneous.
func (r *Reader) declared(h ledger.Hash) (bool, error) {
	_, ok, err := trace.DeclaredBy(r.st, h)
	return ok, err
}

func mentions(ev *epcis.Event, id gs1.ObjectID) bool {
	for _, o := range ev.ChildEPCs {
		if o == id {
			return true
		}
	}
	for _, q := range ev.ChildQuantityList {
		if q.Class == id {
			return true
		}
	}
	return false
}

// certificate resolves a certificationInfo URI of an event.
func (r *Reader) certificate(uri string, ev *Event) (*Certificate, error) {
	cert := &Certificate{URI: uri, Event: ev.Hash, Issuer: ev.Org, Time: ev.Time, TxHash: ev.TxHash,
		Conform: ev.Disposition == "conformant", About: []ObjectRef{}}
	for _, a := range ev.Objects {
		cert.About = append(cert.About, a.Object)
	}
	for _, d := range ev.Details {
		switch d.Name {
		case "qian:test":
			cert.Test = d.Value
		case "qian:result":
			cert.Result = d.Value
		}
	}
	if hexHash, ok := strings.CutPrefix(strings.ToLower(uri), "ni:///sha-256;"); ok {
		if h, err := ledger.ParseHash(hexHash); err == nil {
			cert.SHA256 = &h
			a, err := r.notaryRef(h)
			if err != nil {
				return nil, err
			}
			cert.Anchor = a
		}
	}
	return cert, nil
}

func (r *Reader) notaryRef(h ledger.Hash) (*NotaryRef, error) {
	rec, err := notary.Lookup(r.st, h)
	if err != nil || rec == nil {
		return nil, err
	}
	ref := &NotaryRef{Hash: rec.Hash, Kind: rec.Kind.String(), Org: r.orgRef(rec.Org, nil), Height: rec.Height,
		Time: blockTime(rec.Time), TxHash: rec.TxHash}
	switch rec.Kind {
	case notary.DataProduct, notary.Evidence:
		if a, err := notary.DecodeAnchor(rec.Payload); err == nil {
			ref.Name = a.Name
		}
	case notary.BatchRoot:
		if b, err := notary.DecodeBatch(rec.Payload); err == nil {
			ref.Name = b.Name
		}
	case notary.Trade:
		if t, err := notary.DecodeTrade(rec.Payload); err == nil {
			ref.Name = t.Reference
		}
	}
	return ref, nil
}
