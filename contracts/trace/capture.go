package trace

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// Contract and method names.
const (
	Contract              = "trace"
	MethodCapture         = "capture"
	MethodCaptureBatch    = "capture_batch"
	MethodRegisterProduct = "register_product"
)

// DecodeCapture decodes a trace.capture payload: one canonical epcis.Event.
func DecodeCapture(payload []byte) (*epcis.Event, error) {
	ev, err := epcis.DecodeEvent(payload)
	if err != nil {
		return nil, payloadError(err)
	}
	return ev, nil
}

// payloadError maps a decoding or validation failure to its code: a bad GS1
// key is ERR_INVALID_GTIN, any other ERR_PAYLOAD.
func payloadError(err error) error {
	if ve, ok := err.(*epcis.ValidationError); ok {
		if ve.Key {
			return call.Errorf(call.ErrInvalidGTIN, "%v", ve)
		}
		return call.Errorf(call.ErrPayload, "%v", ve)
	}
	return call.PayloadError(err)
}

// Roles that may commission lots, and that may transform.
var (
	commissionRoles = []membership.Role{membership.Farm, membership.Cooperative}
	transformRoles  = []membership.Role{membership.Farm, membership.Cooperative, membership.Processor}
	inspectRoles    = []membership.Role{membership.Inspector, membership.Regulator}
)

// capture holds one capture's working set: the objects it reads and
// writes, keyed by object key, so each is read and written once.
type capture struct {
	c    *call.Context
	who  *membership.Caller
	ev   *epcis.Event
	objs map[string]*Object
	// touched lists the objects the event is about, in first-seen order;
	// the record's links are sorted separately.
	touched []*Object
	seen    map[string]bool
	recall  []*Object // set by reach: every object a recall marks
	// before holds each loaded object's encoding as it was before this
	// event (nil: it did not exist), for the undo record a later error
	// declaration restores.
	before map[string][]byte
}

func (cp *capture) get(id gs1.ObjectID) (*Object, error) {
	k := string(ObjectKey(id))
	if o, ok := cp.objs[k]; ok {
		return o, nil
	}
	o, err := GetObject(cp.c.State, id)
	if err != nil {
		return nil, err
	}
	if o == nil {
		cp.before[k] = nil
		return nil, nil
	}
	cp.before[k] = o.encode()
	cp.objs[k] = o
	return o, nil
}

// mention returns the object an event only mentions (a product class, a
// service relation), creating its record on first mention: it has a
// history but no owner, custodian, packing or recall.
func (cp *capture) mention(id gs1.ObjectID) (*Object, error) {
	o, err := cp.get(id)
	if err != nil || o != nil {
		return o, err
	}
	o = &Object{ID: id, URI: id.URI(), Created: cp.c.Block.Height}
	cp.objs[string(ObjectKey(id))] = o
	return o, nil
}

// existing loads objects that must exist.
func (cp *capture) existing(ids []gs1.ObjectID) ([]*Object, error) {
	out := make([]*Object, 0, len(ids))
	for _, id := range ids {
		if !id.Kind.Custodial() {
			o, err := cp.mention(id)
			if err != nil {
				return nil, err
			}
			out = append(out, o)
			continue
		}
		o, err := cp.get(id)
		if err != nil {
			return nil, err
		}
		if o == nil {
			return nil, call.Errorf(call.ErrUnknownObject, "%s has not been commissioned", id)
		}
		if o.Void {
			return nil, call.Errorf(call.ErrUnknownObject, "%s is not commissioned: the event that commissioned it was declared erroneous", id)
		}
		out = append(out, o)
	}
	return out, nil
}

// create makes new objects owned and held by the sender, who must own
// their company prefix.
func (cp *capture) create(ids []gs1.ObjectID) ([]*Object, error) {
	out := make([]*Object, 0, len(ids))
	for _, id := range ids {
		if !id.Kind.Custodial() {
			o, err := cp.mention(id) // "commissioning 400 kg of product X": a mention
			if err != nil {
				return nil, err
			}
			out = append(out, o)
			continue
		}
		o, err := cp.get(id)
		if err != nil {
			return nil, err
		}
		if o != nil && !o.Void {
			return nil, call.Errorf(call.ErrObjectExists, "%s was already commissioned by %s", id, o.Owner)
		}
		if !cp.who.Org.OwnsObject(id) {
			return nil, call.Errorf(call.ErrPrefixNotOwned, "%s: the company prefix of %s is not one of %s's (%v)", id, id.Key, cp.who.Org.ID, cp.who.Org.Prefixes)
		}
		n := &Object{ID: id, URI: id.URI(), Owner: cp.who.Org.ID, Custodian: cp.who.Org.ID, Created: cp.c.Block.Height}
		if o != nil { // commissioned again after an erroneous commissioning: its history goes on
			n.Head, n.Count = o.Head, o.Count
		}
		cp.objs[string(ObjectKey(id))] = n
		out = append(out, n)
	}
	return out, nil
}

// effective is Effective over the capture's working set, so that packing
// done earlier in this event is seen. A loop (a container packed into its
// own contents) exceeds MaxPackDepth and is refused.
func (cp *capture) effective(o *Object) (*Object, error) {
	top := o
	for depth := 0; top.Parent != nil; depth++ {
		if depth >= MaxPackDepth {
			return nil, call.Errorf(call.ErrInvalid, "containers of %s would nest deeper than %d (or in a loop)", o.ID, MaxPackDepth)
		}
		p, err := cp.get(*top.Parent)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, fmt.Errorf("trace: %s is packed in missing container %s", top.ID, top.Parent)
		}
		top = p
	}
	return top, nil
}

func (cp *capture) touch(os ...*Object) {
	for _, o := range os {
		k := string(ObjectKey(o.ID))
		if !cp.seen[k] {
			cp.seen[k] = true
			cp.touched = append(cp.touched, o)
		}
	}
}

// requireCustody checks that the sender holds every object (through its
// container when packed).
func (cp *capture) requireCustody(os []*Object) error {
	for _, o := range os {
		if !o.ID.Kind.Custodial() {
			continue // a class or service relation is held by no one
		}
		top, err := cp.effective(o)
		if err != nil {
			return err
		}
		if top.Away != "" {
			return call.Errorf(call.ErrNotCustodian, "%s left the chain's members: it was shipped to %s, outside the chain", o.ID, top.Away)
		}
		if top.Custodian != cp.who.Org.ID {
			where := ""
			if top != o {
				where = fmt.Sprintf(" (packed in %s)", top.ID)
			}
			msg := fmt.Sprintf("%s%s is held by %s, not %s", o.ID, where, top.Custodian, cp.who.Org.ID)
			if top.Receiver == cp.who.Org.ID {
				msg += "; it was shipped to you: record receiving first"
			}
			return call.Errorf(call.ErrNotCustodian, "%s", msg)
		}
	}
	return nil
}

func requireNotRecalled(os []*Object, what string) error {
	for _, o := range os {
		if o.Recalled {
			return call.Errorf(call.ErrRecalled, "%s was recalled (event %s); it cannot be %s", o.ID, o.RecallBy.Short(), what)
		}
	}
	return nil
}

func lotIDs(qs []epcis.Quantity) []gs1.ObjectID {
	out := make([]gs1.ObjectID, len(qs))
	for i, q := range qs {
		out[i] = q.Class
	}
	return out
}

func concat(a, b []gs1.ObjectID) []gs1.ObjectID {
	return append(append([]gs1.ObjectID(nil), a...), b...)
}

// RunCapture executes trace.capture: it checks the event against the rules
// of docs/traceability.md, records it, and moves custody, packing and recall
// state accordingly.
func RunCapture(c *call.Context, who *membership.Caller, payload []byte) error {
	ev, err := DecodeCapture(payload)
	if err != nil {
		return err
	}
	return runEvent(c, who, ev, payload)
}

// ApplyCapture is RunCapture from the event DecodeCapture made of payload
// (the executor's decode-once path): the caller guarantees ev is what
// DecodeCapture returns for these bytes, and ev is not changed.
func ApplyCapture(c *call.Context, who *membership.Caller, ev *epcis.Event, payload []byte) error {
	return runEvent(c, who, ev, payload)
}

// runEvent checks and records one event whose canonical encoding is
// payload.
func runEvent(c *call.Context, who *membership.Caller, ev *epcis.Event, payload []byte) error {
	var err error
	cp := &capture{c: c, who: who, ev: ev, objs: map[string]*Object{}, seen: map[string]bool{}, before: map[string][]byte{}}
	if ev.ErrorDeclaration != nil {
		return cp.declare(payload)
	}
	if ev.EventID != "" {
		if h, err := c.State.Get(eventIDKey(ev.EventID)); err != nil {
			return err
		} else if h != nil {
			return call.Errorf(call.ErrDuplicateEvent, "an event with eventID %s is already recorded (%x)", ev.EventID, h[:4])
		}
	}
	var recall []*Object
	switch ev.Type {
	case epcis.ObjectEvent:
		recall, err = cp.objectEvent()
	case epcis.AggregationEvent:
		err = cp.aggregationEvent()
	case epcis.TransformationEvent:
		err = cp.transformationEvent()
	case epcis.TransactionEvent:
		err = cp.transactionEvent()
	case epcis.AssociationEvent:
		err = cp.associationEvent()
	}
	if err != nil {
		return err
	}
	if recall != nil {
		if err := cp.reach(recall); err != nil {
			return err
		}
	}
	h := cp.record(payload)
	if len(cp.recall) > 0 {
		attrs := []string{"event", h.String(), "org", who.Org.ID}
		for _, o := range cp.recall {
			o.Recalled, o.RecallBy = true, h
			attrs = append(attrs, "object", o.URI)
		}
		c.Emit("trace.recall", attrs...)
	}
	cp.writeUndo(h)
	for _, o := range cp.touched {
		putObject(c.State, o)
	}
	if ev.EventID != "" {
		c.State.Set(eventIDKey(ev.EventID), h[:])
	}
	return nil
}

// record writes the event record and advances each touched object's chain.
func (cp *capture) record(payload []byte) ledger.Hash {
	links := make([]Link, len(cp.touched))
	for i, o := range cp.touched {
		links[i] = Link{Object: o.ID, Prev: o.Head}
	}
	sort.Slice(links, func(i, j int) bool {
		return bytes.Compare(ObjectKey(links[i].Object), ObjectKey(links[j].Object)) < 0
	})
	rec := &Record{Payload: payload, Org: cp.who.Org.ID, Sender: cp.c.Sender, Height: cp.c.Block.Height,
		Time: cp.c.Block.Time, TxHash: cp.c.TxHash, Links: links}
	enc := rec.Encode()
	h := ledger.TaggedHash(recordDomain, enc)
	st := cp.c.State
	st.Set(key(recordPrefix, h[:]), enc)
	attrs := make([]string, 0, 8+2*len(cp.touched))
	attrs = append(attrs, "event", h.String(), "type", cp.ev.Type.String(), "biz_step", cp.ev.BizStep, "org", cp.who.Org.ID)
	for _, o := range cp.touched {
		var seq [4]byte
		seq[0], seq[1], seq[2], seq[3] = byte(o.Count>>24), byte(o.Count>>16), byte(o.Count>>8), byte(o.Count)
		st.Set(key(historyPrefix, ObjectKey(o.ID), seq[:]), h[:])
		o.Head = h
		o.Count++
		attrs = append(attrs, "object", o.URI)
	}
	cp.c.Emit("trace.event", attrs...)
	return h
}

func (cp *capture) objectEvent() (recall []*Object, err error) {
	ev, org := cp.ev, cp.who.Org
	ids := concat(ev.EPCList, lotIDs(ev.QuantityList))
	if ev.Action == epcis.Add {
		for _, id := range ids {
			if id.Kind == gs1.Lot && !org.HasAny(commissionRoles...) {
				return nil, call.Errorf(call.ErrRole, "only farms and cooperatives commission lots; %s is %v", org.ID, org.Roles)
			}
		}
		os, err := cp.create(ids)
		if err != nil {
			return nil, err
		}
		cp.touch(os...)
		return nil, nil
	}
	os, err := cp.existing(ids)
	if err != nil {
		return nil, err
	}
	cp.touch(os...)
	switch {
	case ev.Disposition == "recalled":
		if !org.Has(membership.Regulator) {
			return nil, call.Errorf(call.ErrRole, "only a regulator recalls; %s is %v", org.ID, org.Roles)
		}
		for _, o := range os {
			if !o.ID.Kind.Custodial() {
				return nil, call.Errorf(call.ErrInvalid, "%s is a %s, which is not recalled; name the lots, items or containers", o.ID, o.ID.Kind)
			}
		}
		return os, nil
	case ev.BizStep == "inspecting" || ev.BizStep == "sampling":
		if org.HasAny(inspectRoles...) {
			return nil, nil
		}
		return nil, cp.requireCustody(os)
	case ev.BizStep == "receiving":
		for _, o := range os {
			if !o.ID.Kind.Custodial() || (o.Receiver == "" && o.Away == "" && o.Parent == nil && o.Custodian == org.ID) {
				continue // a mention, or the holder receiving at its own site
			}
			if o.Receiver != org.ID {
				if o.Receiver == "" {
					return nil, call.Errorf(call.ErrNotReceiver, "%s is not in transit (held by %s); nothing to receive", o.ID, o.Custodian)
				}
				return nil, call.Errorf(call.ErrNotReceiver, "%s was shipped to %s, not %s", o.ID, o.Receiver, org.ID)
			}
		}
		for _, o := range os {
			if o.ID.Kind.Custodial() {
				o.Custodian, o.Receiver = org.ID, ""
			}
		}
		return nil, nil
	case ev.BizStep == "shipping":
		if err := cp.requireCustody(os); err != nil {
			return nil, err
		}
		for _, o := range os {
			if o.Parent != nil {
				return nil, call.Errorf(call.ErrAlreadyPacked, "%s is packed in %s: ship the container", o.ID, o.Parent)
			}
		}
		to, away, err := cp.receiver()
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			switch {
			case !o.ID.Kind.Custodial():
			case away != "": // custody leaves the chain's members
				o.Custodian, o.Receiver, o.Away = "", "", away
			case to == org.ID:
				o.Receiver = ""
			default:
				o.Receiver = to // "" when no destination is named: it stays with the sender
			}
		}
		return nil, nil
	case ev.BizStep == "retail_selling":
		if err := requireNotRecalled(os, "sold"); err != nil {
			return nil, err
		}
		return nil, cp.requireCustody(os)
	default:
		return nil, cp.requireCustody(os)
	}
}

// receiver finds where a shipping event sends its objects, from the first
// possessing_party, else owning_party, else location entry of its
// destination list: a member organisation (by a GLN it registered), or a
// party outside the chain (away: a GLN no member holds, or any other
// URI). A GLN under a member's company prefix that the member has not
// registered is refused as a likely mistake. A shipment with no
// destination list names no receiver: the objects stay with the sender.
func (cp *capture) receiver() (to, away string, err error) {
	if len(cp.ev.Destinations) == 0 {
		return "", "", nil
	}
	for _, typ := range []string{"possessing_party", "owning_party", "location"} {
		for _, d := range cp.ev.Destinations {
			if d.Type != typ {
				continue
			}
			gln, err := gs1.ParsePartyGLN(d.ID)
			if err != nil {
				return "", d.ID, nil // not a GLN: a party outside GS1 keys
			}
			org, err := membership.OrgByGLN(cp.c.State, gln)
			if err != nil {
				return "", "", err
			}
			if org == "" {
				holder, err := membership.OwnerOfKey(cp.c.State, gln)
				if err != nil {
					return "", "", err
				}
				if holder != "" {
					return "", "", call.Errorf(call.ErrUnknownParty, "destination %s: GLN %s is under %s's company prefix but %s has not registered it; register it or correct the destination", d.ID, gln, holder, holder)
				}
				return "", d.ID, nil
			}
			o, err := membership.GetOrg(cp.c.State, org)
			if err != nil {
				return "", "", err
			}
			if o.Status != membership.Active {
				return "", "", call.Errorf(call.ErrOrgSuspended, "receiver %s is suspended and cannot take custody", org)
			}
			return org, "", nil
		}
	}
	return "", "", call.Errorf(call.ErrNoReceiver, "the destinationList names no owning_party, possessing_party or location, so the receiver is unknown")
}

func (cp *capture) aggregationEvent() error {
	ev, org := cp.ev, cp.who.Org
	children := concat(ev.ChildEPCs, lotIDs(ev.ChildQuantityList))
	parent, err := cp.get(*ev.ParentID)
	if err != nil {
		return err
	}
	switch ev.Action {
	case epcis.Add:
		cs, err := cp.existing(children)
		if err != nil {
			return err
		}
		if err := cp.requireCustody(cs); err != nil {
			return err
		}
		if err := requireNotRecalled(cs, "packed"); err != nil {
			return err
		}
		if parent == nil {
			ps, err := cp.create([]gs1.ObjectID{*ev.ParentID})
			if err != nil {
				return err
			}
			parent = ps[0]
		} else if err := cp.requireCustody([]*Object{parent}); err != nil {
			return err
		}
		for _, c := range cs {
			if !c.ID.Kind.Custodial() {
				return call.Errorf(call.ErrInvalid, "%s is a %s: name the lots or items to pack", c.ID, c.ID.Kind)
			}
			if c.Parent != nil {
				return call.Errorf(call.ErrAlreadyPacked, "%s is already packed in %s", c.ID, c.Parent)
			}
			if c.ID == parent.ID {
				return call.Errorf(call.ErrInvalid, "%s cannot be packed in itself", c.ID)
			}
			p := parent.ID
			c.Parent = &p
			cp.c.State.Set(key(containsPrefix, ObjectKey(parent.ID), ObjectKey(c.ID)), nil)
			cp.c.State.Set(key(derivedPrefix, ObjectKey(c.ID), ObjectKey(parent.ID)), nil)
		}
		// A container packed into one of its own contents would loop.
		if _, err := cp.effective(parent); err != nil {
			return err
		}
		cp.touch(parent)
		cp.touch(cs...)
	case epcis.Delete:
		if parent == nil {
			return call.Errorf(call.ErrUnknownObject, "%s has not been commissioned", ev.ParentID)
		}
		if err := cp.requireCustody([]*Object{parent}); err != nil {
			return err
		}
		if len(children) == 0 {
			if children, err = cp.contents(parent.ID); err != nil {
				return err
			}
		}
		cs, err := cp.existing(children)
		if err != nil {
			return err
		}
		top, err := cp.effective(parent)
		if err != nil {
			return err
		}
		for _, c := range cs {
			if c.Parent == nil || *c.Parent != parent.ID {
				return call.Errorf(call.ErrNotPacked, "%s is not packed in %s", c.ID, parent.ID)
			}
			c.Parent = nil
			c.Custodian, c.Receiver = top.Custodian, ""
			cp.c.State.Delete(key(containsPrefix, ObjectKey(parent.ID), ObjectKey(c.ID)))
		}
		cp.touch(parent)
		cp.touch(cs...)
	default: // OBSERVE
		if parent == nil {
			return call.Errorf(call.ErrUnknownObject, "%s has not been commissioned", ev.ParentID)
		}
		cs, err := cp.existing(children)
		if err != nil {
			return err
		}
		all := append([]*Object{parent}, cs...)
		if !(ev.BizStep == "inspecting" && org.HasAny(inspectRoles...)) {
			if err := cp.requireCustody(all); err != nil {
				return err
			}
		}
		cp.touch(all...)
	}
	return nil
}

// contents lists the objects packed in parent.
func (cp *capture) contents(parent gs1.ObjectID) ([]gs1.ObjectID, error) {
	p := key(containsPrefix, ObjectKey(parent))
	var out []gs1.ObjectID
	var perr error
	err := cp.c.State.Iterate(p, state.PrefixEnd(p), func(k, _ []byte) bool {
		o, rest, err := parseObjectKey(k[len(p):])
		if err != nil || len(rest) != 0 {
			perr = fmt.Errorf("trace: bad containment key %q", k)
			return false
		}
		out = append(out, o)
		return true
	})
	if err == nil {
		err = perr
	}
	return out, err
}

func (cp *capture) transformationEvent() error {
	ev, org := cp.ev, cp.who.Org
	if !org.HasAny(transformRoles...) {
		return call.Errorf(call.ErrRole, "only farms, cooperatives and processors transform; %s is %v", org.ID, org.Roles)
	}
	ins, err := cp.existing(concat(ev.InputEPCList, lotIDs(ev.InputQuantityList)))
	if err != nil {
		return err
	}
	if err := cp.requireCustody(ins); err != nil {
		return err
	}
	if err := requireNotRecalled(ins, "transformed"); err != nil {
		return err
	}
	// An output that is also an input was transformed in place (a lot
	// dried or graded under its own number): it goes on, not created anew.
	var made []gs1.ObjectID
	var kept []*Object
	for _, id := range concat(ev.OutputEPCList, lotIDs(ev.OutputQuantityList)) {
		in := false
		for _, o := range ins {
			in = in || o.ID == id
		}
		if in {
			o, _ := cp.get(id)
			kept = append(kept, o)
		} else {
			made = append(made, id)
		}
	}
	outs, err := cp.create(made)
	if err != nil {
		return err
	}
	outs = append(outs, kept...)
	for _, in := range ins {
		for _, out := range outs {
			if in != out && in.ID.Kind.Custodial() && out.ID.Kind.Custodial() { // a class is never recalled
				cp.c.State.Set(key(derivedPrefix, ObjectKey(in.ID), ObjectKey(out.ID)), nil)
			}
		}
	}
	cp.touch(ins...)
	cp.touch(outs...)
	return nil
}

func (cp *capture) transactionEvent() error {
	ev := cp.ev
	ids := concat(ev.EPCList, lotIDs(ev.QuantityList))
	if ev.ParentID != nil {
		ids = append(ids, *ev.ParentID)
	}
	os, err := cp.existing(ids)
	if err != nil {
		return err
	}
	if err := cp.requireCustody(os); err != nil {
		return err
	}
	cp.touch(os...)
	return nil
}
