package trace

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// Corrections (EPCIS 2.0 errorDeclaration). A ledger never deletes: an
// erroneous event stays recorded and provable. Its recorder, or a
// regulator, re-captures it with an errorDeclaration (same eventID, same
// type and eventTime; an event captured without an eventID is named
// urn:qian:event:{event hash}, as exported). The declaration is recorded in
// the histories of the objects the erroneous event touched and undoes its
// effect: each object returns to its state before that event — custody,
// pending receiver, packing, recall, and existence (an object the event
// commissioned becomes void: it may be commissioned again, by the
// corrective event, and its history goes on). Undoing needs the event to be
// the latest on every object it touched, so later events are declared
// first, latest first (ERR_DECLARATION_ORDER). Corrective events are
// ordinary events, captured under the ordinary rules against the restored
// state; the declaration names them (correctiveEventIDs) and pages and
// exports follow them. Recall edges (t/d) an erroneous event added stay:
// a later recall reaches at least what it should.

// writeUndo records, for event h, each touched object as it was before the
// event (absent: it did not exist). Layout: list of (bytes object key, bool
// existed, [bytes object encoding]).
func (cp *capture) writeUndo(h ledger.Hash) {
	e := &codec.Encoder{}
	e.Count(len(cp.touched))
	for _, o := range cp.touched {
		k := ObjectKey(o.ID)
		e.Bytes(k)
		b := cp.before[string(k)]
		e.Bool(b != nil)
		if b != nil {
			e.Bytes(b)
		}
	}
	cp.c.State.Set(key(undoPrefix, h[:]), e.Buf)
}

type undoEntry struct {
	key    []byte
	before *Object // nil: the event created it
}

func readUndo(b []byte) ([]undoEntry, error) {
	d := codec.NewDecoder("trace undo", b)
	n := d.Count("entries", MaxRecallReach+2*1000*4)
	var out []undoEntry
	for i := 0; i < n && d.Err() == nil; i++ {
		u := undoEntry{key: d.Bytes("key", 64)}
		if d.Bool("existed") {
			enc := d.Bytes("object", 4096)
			if d.Err() == nil {
				o, err := decodeObject(enc)
				if err != nil {
					return nil, err
				}
				u.before = o
			}
		}
		out = append(out, u)
	}
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// DeclaredBy returns the hash of the declaration that declared event h
// erroneous, if any.
func DeclaredBy(r interface{ Get([]byte) ([]byte, error) }, h ledger.Hash) (ledger.Hash, bool, error) {
	b, err := r.Get(key(declaredPrefix, h[:]))
	if err != nil || b == nil {
		return ledger.Hash{}, false, err
	}
	var d ledger.Hash
	copy(d[:], b)
	return d, true, nil
}

// FindEvent returns the hash of the recorded event an eventID names: the
// eventID it was captured with, or urn:qian:event:{event hash} for one
// captured without. An error declaration shares the eventID of the event
// it declares but is not indexed under it: the event is found.
func FindEvent(r state.Store, id string) (ledger.Hash, bool, error) {
	var h ledger.Hash
	if x, ok := strings.CutPrefix(id, epcis.EventURNPrefix); ok {
		b, err := hex.DecodeString(x)
		if err != nil || len(b) != len(h) {
			return h, false, nil
		}
		copy(h[:], b)
		rec, err := GetRecord(r, h)
		return h, rec != nil, err
	}
	b, err := r.Get(eventIDKey(id))
	if err != nil || b == nil {
		return h, false, err
	}
	copy(h[:], b)
	return h, true, nil
}

func (cp *capture) findEvent(id string) (ledger.Hash, bool, error) { return FindEvent(cp.c.State, id) }

// declare records an error declaration and undoes the declared event.
func (cp *capture) declare(payload []byte) error {
	ev, org := cp.ev, cp.who.Org
	h, ok, err := cp.findEvent(ev.EventID)
	if err != nil {
		return err
	}
	if !ok {
		return call.Errorf(call.ErrUnknownEvent, "no recorded event has eventID %s; an error declaration re-captures a recorded event with its eventID", ev.EventID)
	}
	rec, err := GetRecord(cp.c.State, h)
	if err != nil {
		return err
	}
	if rec == nil {
		return fmt.Errorf("trace: eventID %s names missing event %s", ev.EventID, h)
	}
	orig, err := rec.Event()
	if err != nil {
		return err
	}
	if orig.ErrorDeclaration != nil {
		return call.Errorf(call.ErrInvalid, "%s is itself an error declaration; a declaration cannot be declared erroneous", ev.EventID)
	}
	if _, done, err := DeclaredBy(cp.c.State, h); err != nil {
		return err
	} else if done {
		return call.Errorf(call.ErrAlreadyDeclared, "event %s (%s) was already declared erroneous", ev.EventID, h.Short())
	}
	if rec.Org != org.ID && !org.Has(membership.Regulator) {
		return call.Errorf(call.ErrNotDeclarant, "event %s was recorded by %s; only %s or a regulator may declare it erroneous, not %s", ev.EventID, rec.Org, rec.Org, org.ID)
	}
	if orig.Type != ev.Type || orig.EventTime != ev.EventTime {
		return call.Errorf(call.ErrInvalid, "the declaration must repeat the declared event: %s is a %s at %d, the declaration a %s at %d", ev.EventID, orig.Type, orig.EventTime, ev.Type, ev.EventTime)
	}
	ub, err := cp.c.State.Get(key(undoPrefix, h[:]))
	if err != nil {
		return err
	}
	undo, err := readUndo(ub)
	if err != nil {
		return fmt.Errorf("trace: corrupt undo record of %s: %w", h, err)
	}
	for _, u := range undo {
		id, _, err := parseObjectKey(u.key)
		if err != nil {
			return fmt.Errorf("trace: undo record of %s: %w", h, err)
		}
		cur, err := cp.get(id)
		if err != nil {
			return err
		}
		if cur == nil {
			return fmt.Errorf("trace: undo record of %s names missing object %s", h, id)
		}
		cp.touch(cur)
		if !id.Kind.Custodial() {
			continue // a class or service relation has no state to restore
		}
		if later, err := cp.latestStanding(id, cur.Head); err != nil {
			return err
		} else if later != h {
			return call.Errorf(call.ErrDeclarationOrder, "%s has a later event (%s) than %s; declare the later events erroneous first, latest first", id, later.Short(), ev.EventID)
		}
		cp.restore(cur, u.before)
	}
	d := cp.record(payload)
	for _, o := range cp.touched {
		putObject(cp.c.State, o)
	}
	cp.c.State.Set(key(declaredPrefix, h[:]), d[:])
	cp.c.Emit("trace.error_declaration", "event", h.String(), "declaration", d.String(), "org", org.ID)
	return nil
}

// latestStanding walks an object's chain back from head past declarations
// and the events they declared, and returns the latest event that stands.
func (cp *capture) latestStanding(id gs1.ObjectID, head ledger.Hash) (ledger.Hash, error) {
	h := head
	for i := 0; i < 1<<20 && h != (ledger.Hash{}); i++ {
		rec, err := GetRecord(cp.c.State, h)
		if err != nil || rec == nil {
			return h, err
		}
		ev, err := rec.Event()
		if err != nil {
			return h, err
		}
		_, declared, err := DeclaredBy(cp.c.State, h)
		if err != nil {
			return h, err
		}
		if ev.ErrorDeclaration == nil && !declared {
			return h, nil
		}
		h, _ = rec.Prev(id)
	}
	return h, nil
}

// restore puts cur back to its state before the declared event (before ==
// nil: the event created it), keeping its history (head and count) and
// the containment index in step.
func (cp *capture) restore(cur, before *Object) {
	head, count := cur.Head, cur.Count
	if cur.Parent != nil && (before == nil || before.Parent == nil || *before.Parent != *cur.Parent) {
		cp.c.State.Delete(key(containsPrefix, ObjectKey(*cur.Parent), ObjectKey(cur.ID)))
	}
	if before == nil {
		*cur = Object{ID: cur.ID, URI: cur.URI, Owner: cur.Owner, Created: cur.Created, Void: true}
	} else {
		if before.Parent != nil && (cur.Parent == nil || *before.Parent != *cur.Parent) {
			cp.c.State.Set(key(containsPrefix, ObjectKey(*before.Parent), ObjectKey(cur.ID)), nil)
		}
		*cur = *before
	}
	cur.Head, cur.Count = head, count
}
