// Package trace is the traceability contract: products by GTIN, and lots,
// items and containers followed through GS1 EPCIS 2.0 events (CBV 2.0
// semantics) with custody rules, a per-object hash chain of events, and
// recalls that reach every derived object.
//
// One method records events: trace.capture, whose payload is one
// canonical epcis.Event. PrepareCapture turns an EPCIS 2.0 JSON-LD document
// into such payloads on the client side. trace.register_product records a
// product's name under its GTIN. docs/traceability.md states the rules.
package trace

import (
	"fmt"

	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// State layout of the trace contract (docs/state.md). {obj} is an object
// key: u8 kind, the 14- or 18-digit key, u8 length and the lot or serial.
//
//	t/o/{obj}                -> Object
//	t/e/{event hash}         -> Record
//	t/h/{obj}{u32 seq}       -> event hash (the object's history, in order)
//	t/i/{SHA-256 of eventID} -> event hash (eventIDs are unique)
//	t/d/{from obj}{to obj}   -> empty (to was derived from from: recall edges)
//	t/c/{parent obj}{obj}    -> empty (obj is packed in parent)
//	t/p/{gtin}               -> Product
//	t/u/{event hash}         -> Undo: the objects an event touched, as they were before it
//	t/x/{event hash}         -> hash of the declaration that declared the event erroneous
const (
	objectPrefix   = "t/o/"
	recordPrefix   = "t/e/"
	historyPrefix  = "t/h/"
	eventIDPrefix  = "t/i/"
	derivedPrefix  = "t/d/"
	containsPrefix = "t/c/"
	productPrefix  = "t/p/"
	undoPrefix     = "t/u/"
	declaredPrefix = "t/x/"
)

// EventIDPrefix is the prefix of the state keys of events' ids. Most
// lookups of them find nothing ("is this event id taken?"): a node's store
// answers those from memory (contracts.AbsentLookups).
const EventIDPrefix = eventIDPrefix

// ObjectPrefix is the prefix of the state keys of objects (lots, serials,
// containers). Commissioning a new lot first looks its object up to find it
// absent ("is this lot commissioned already?"): a node's store answers that
// from memory (contracts.AbsentLookups); later events find it.
const ObjectPrefix = objectPrefix

// RecordPrefix, HistoryPrefix and UndoPrefix are the prefixes of the keys
// each capture writes without reading them first (the event's record, its
// place in each object's history, and what it would undo): new keys, which
// the state digest looks up to find absent (contracts.AbsentLookups).
const (
	RecordPrefix  = recordPrefix
	HistoryPrefix = historyPrefix
	UndoPrefix    = undoPrefix
)

// keyLen is the fixed key length of a kind, or 0 when the key is variable
// (a GIAI) and the object key carries its length.
func keyLen(k gs1.Kind) int {
	switch k {
	case gs1.Container, gs1.ServiceRelation:
		return 18
	case gs1.IndividualAsset:
		return 0
	}
	return 14
}

// ObjectKey is the self-delimiting byte form of an object id used in state
// keys: u8 kind, the key (fixed length by kind; a GIAI after its u8
// length), u8 length and the lot or serial.
func ObjectKey(o gs1.ObjectID) []byte {
	b := make([]byte, 0, 3+len(o.Key)+len(o.Ext))
	b = append(b, byte(o.Kind))
	if keyLen(o.Kind) == 0 {
		b = append(b, byte(len(o.Key)))
	}
	b = append(b, o.Key...)
	b = append(b, byte(len(o.Ext)))
	return append(b, o.Ext...)
}

func key(prefix string, parts ...[]byte) []byte {
	n := len(prefix)
	for _, p := range parts {
		n += len(p)
	}
	// One allocation of the key's size: []byte(prefix) grown by each part
	// took two or three.
	k := append(make([]byte, 0, n), prefix...)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// ParseObjectKey reads back an object key that ObjectKey wrote — all of
// b, and a valid identifier — for readers that walk the t/o/ table.
func ParseObjectKey(b []byte) (gs1.ObjectID, bool) {
	o, rest, err := parseObjectKey(b)
	if err != nil || len(rest) != 0 || o.Validate() != nil || string(ObjectKey(o)) != string(b) {
		return gs1.ObjectID{}, false
	}
	return o, true
}

// parseObjectKey reads an object key from the front of b and returns the
// rest.
func parseObjectKey(b []byte) (gs1.ObjectID, []byte, error) {
	if len(b) < 1 {
		return gs1.ObjectID{}, nil, fmt.Errorf("empty object key")
	}
	o := gs1.ObjectID{Kind: gs1.Kind(b[0])}
	n := keyLen(o.Kind)
	if n == 0 {
		if len(b) < 2 {
			return o, nil, fmt.Errorf("short object key")
		}
		n, b = int(b[1]), b[1:]
	}
	if len(b) < 1+n+1 {
		return o, nil, fmt.Errorf("short object key")
	}
	o.Key = string(b[1 : 1+n])
	l := int(b[1+n])
	if len(b) < 2+n+l {
		return o, nil, fmt.Errorf("short object key")
	}
	o.Ext = string(b[2+n : 2+n+l])
	return o, b[2+n+l:], nil
}

// Object is the state of a traced lot, item or container.
type Object struct {
	ID        gs1.ObjectID  `json:"-"`
	URI       string        `json:"id"`
	Owner     string        `json:"owner"`     // the organisation that commissioned it
	Custodian string        `json:"custodian"` // who holds it (while packed: see Effective)
	Receiver  string        `json:"receiver"`  // the organisation it is shipped to, "" if none
	Parent    *gs1.ObjectID `json:"-"`         // the container it is packed in
	Recalled  bool          `json:"recalled"`
	RecallBy  ledger.Hash   `json:"recall_event"` // the recall event, when recalled
	Head      ledger.Hash   `json:"head"`         // the latest event on it
	Count     uint32        `json:"events"`       // number of events on it
	Created   uint64        `json:"created"`      // height
	// Away is the destination outside the chain's members (a GLN's party
	// URI, or any URI) it was shipped to: no member holds it any more.
	Away string `json:"away,omitempty"`
	// Void: the event that commissioned it was declared erroneous; it is
	// as if never commissioned (and may be commissioned again), but its
	// history stays.
	Void bool `json:"void,omitempty"`
}

// MaxPackDepth bounds container nesting (item in case in pallet ...).
const MaxPackDepth = 8

func (o *Object) encode() []byte {
	e := &codec.Encoder{}
	e.U8(2)
	e.Bytes(ObjectKey(o.ID))
	e.String(o.Owner)
	e.String(o.Custodian)
	e.String(o.Receiver)
	if o.Parent == nil {
		e.Bool(false)
	} else {
		e.Bool(true)
		e.Bytes(ObjectKey(*o.Parent))
	}
	e.Bool(o.Recalled)
	e.Fixed(o.RecallBy[:])
	e.Fixed(o.Head[:])
	e.U32(o.Count)
	e.U64(o.Created)
	e.String(o.Away)
	e.Bool(o.Void)
	return e.Buf
}

func decodeObject(b []byte) (*Object, error) {
	d := codec.NewDecoder("trace object", b)
	if v := d.U8("version"); d.Err() == nil && v != 2 {
		d.Fail("version", "unknown version %d", v)
	}
	o := &Object{}
	idk := d.Bytes("id", 64)
	o.Owner = d.String("owner", 32)
	o.Custodian = d.String("custodian", 32)
	o.Receiver = d.String("receiver", 32)
	var pk []byte
	if d.Bool("parent present") {
		pk = d.Bytes("parent", 64)
	}
	o.Recalled = d.Bool("recalled")
	d.Fixed("recall_event", o.RecallBy[:])
	d.Fixed("head", o.Head[:])
	o.Count = d.U32("count")
	o.Created = d.U64("created")
	o.Away = d.String("away", epcis.MaxURILen)
	o.Void = d.Bool("void")
	if err := d.Finish(); err != nil {
		return nil, err
	}
	var err error
	if o.ID, _, err = parseObjectKey(idk); err != nil {
		return nil, err
	}
	o.URI = o.ID.URI()
	if pk != nil {
		p, _, err := parseObjectKey(pk)
		if err != nil {
			return nil, err
		}
		o.Parent = &p
	}
	return o, nil
}

// GetObject returns the object, or nil if it was never commissioned.
func GetObject(r state.Store, id gs1.ObjectID) (*Object, error) {
	b, err := r.Get(key(objectPrefix, ObjectKey(id)))
	if err != nil || b == nil {
		return nil, err
	}
	o, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("trace: corrupt object %s: %w", id, err)
	}
	return o, nil
}

func putObject(t *state.Tx, o *Object) { t.Set(key(objectPrefix, ObjectKey(o.ID)), o.encode()) }

// Effective returns who holds o: its own custodian, or, while it is packed,
// the custodian of its outermost container. A packed object moves with its
// container.
func Effective(r state.Store, o *Object) (*Object, error) {
	top := o
	for depth := 0; top.Parent != nil; depth++ {
		if depth >= MaxPackDepth {
			return nil, fmt.Errorf("trace: containers of %s nest deeper than %d", o.ID, MaxPackDepth)
		}
		p, err := GetObject(r, *top.Parent)
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
