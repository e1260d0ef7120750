package trace

import (
	"crypto/sha256"
	"fmt"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// Link ties a recorded event to one object it is about, naming the
// object's previous event (zero for its first). Following Prev from an
// object's head event back to zero visits every event on it: a history with
// a gap cannot verify.
type Link struct {
	Object gs1.ObjectID
	Prev   ledger.Hash
}

// Record is an event as recorded: the capture payload (the canonical
// epcis.Event, kept byte for byte) with its provenance and its links.
type Record struct {
	Payload []byte           // canonical epcis.Event encoding
	Org     string           // recording organisation
	Sender  ledger.PublicKey // recording key
	Height  uint64
	Time    int64 // block time, Unix nanoseconds
	TxHash  ledger.Hash
	Links   []Link // sorted by object key, unique

	event *epcis.Event
}

const recordDomain = "qian/trace/record/v1"

// Encode returns the record's canonical encoding: u8 version 1, bytes
// payload, string org, 32-byte sender, u64 height, u64 time, 32-byte tx
// hash, list of links (bytes object key, 32-byte prev).
func (r *Record) Encode() []byte {
	e := &codec.Encoder{Buf: make([]byte, 0, 160+len(r.Payload)+60*len(r.Links))}
	e.U8(1)
	e.Bytes(r.Payload)
	e.String(r.Org)
	e.Fixed(r.Sender[:])
	e.U64(r.Height)
	e.I64(r.Time)
	e.Fixed(r.TxHash[:])
	e.Count(len(r.Links))
	for _, l := range r.Links {
		e.Bytes(ObjectKey(l.Object))
		e.Fixed(l.Prev[:])
	}
	return e.Buf
}

// Hash is the event hash: the BIP-340 tagged hash "qian/trace/record/v1"
// of the encoding. It is the event's id on chain.
func (r *Record) Hash() ledger.Hash { return ledger.TaggedHash(recordDomain, r.Encode()) }

// Event returns the decoded event.
func (r *Record) Event() (*epcis.Event, error) {
	if r.event == nil {
		ev, err := epcis.DecodeEvent(r.Payload)
		if err != nil {
			return nil, err
		}
		r.event = ev
	}
	return r.event, nil
}

// DecodeRecord decodes a record.
func DecodeRecord(b []byte) (*Record, error) {
	d := codec.NewDecoder("trace record", b)
	if v := d.U8("version"); d.Err() == nil && v != 1 {
		d.Fail("version", "unknown version %d", v)
	}
	r := &Record{}
	r.Payload = d.Bytes("payload", ledger.MaxPayloadBytes)
	r.Org = d.String("org", 32)
	d.Fixed("sender", r.Sender[:])
	r.Height = d.U64("height")
	r.Time = d.I64("time")
	d.Fixed("tx_hash", r.TxHash[:])
	n := d.Count("links", 1<<20)
	for i := 0; i < n && d.Err() == nil; i++ {
		kb := d.Bytes(fmt.Sprintf("links[%d].object", i), 64)
		var l Link
		d.Fixed(fmt.Sprintf("links[%d].prev", i), l.Prev[:])
		if d.Err() != nil {
			break
		}
		o, rest, err := parseObjectKey(kb)
		if err != nil || len(rest) != 0 {
			d.Fail(fmt.Sprintf("links[%d].object", i), "bad object key")
			break
		}
		l.Object = o
		r.Links = append(r.Links, l)
	}
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return r, nil
}

// Prev returns the link's previous event for object o.
func (r *Record) Prev(o gs1.ObjectID) (ledger.Hash, bool) {
	for _, l := range r.Links {
		if l.Object == o {
			return l.Prev, true
		}
	}
	return ledger.Hash{}, false
}

// GetRecord returns the event record with hash h, or nil.
func GetRecord(r state.Store, h ledger.Hash) (*Record, error) {
	b, err := r.Get(key(recordPrefix, h[:]))
	if err != nil || b == nil {
		return nil, err
	}
	rec, err := DecodeRecord(b)
	if err != nil {
		return nil, fmt.Errorf("trace: corrupt record %s: %w", h, err)
	}
	return rec, nil
}

func eventIDKey(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return key(eventIDPrefix, h[:])
}

// History returns the events on an object, oldest first, or nil if the
// object is unknown.
func History(r state.Store, id gs1.ObjectID) ([]*Record, error) {
	ok := ObjectKey(id)
	p := key(historyPrefix, ok)
	var hs []ledger.Hash
	err := r.Iterate(p, state.PrefixEnd(p), func(k, v []byte) bool {
		if len(k) != len(p)+4 { // another object whose key extends this one
			return true
		}
		var h ledger.Hash
		copy(h[:], v)
		hs = append(hs, h)
		return true
	})
	if err != nil {
		return nil, err
	}
	out := make([]*Record, 0, len(hs))
	for _, h := range hs {
		rec, err := GetRecord(r, h)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			return nil, fmt.Errorf("trace: history of %s names missing event %s", id, h)
		}
		out = append(out, rec)
	}
	return out, nil
}

// VerifyChain checks that records are the complete history of object id
// ending at head: the first names no previous event, each next one names
// the one before, and the last is head. A verifier holding the records
// (from a node, or re-hashed from transactions) runs it to detect a gap, a
// reordering or a substitution. Failures are ERR_INVALID *call.Errors.
func VerifyChain(id gs1.ObjectID, records []*Record, head ledger.Hash) error {
	var prev ledger.Hash
	for i, r := range records {
		p, ok := r.Prev(id)
		if !ok {
			return call.Errorf(call.ErrInvalid, "event %d of %s is not about it", i, id)
		}
		if p != prev {
			return call.Errorf(call.ErrInvalid, "event %d of %s names previous event %s, expected %s: the history has a gap", i, id, p.Short(), prev.Short())
		}
		prev = r.Hash()
	}
	if prev != head {
		return call.Errorf(call.ErrInvalid, "the history of %s ends at %s but the object's head is %s", id, prev.Short(), head.Short())
	}
	return nil
}
