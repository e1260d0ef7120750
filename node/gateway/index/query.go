package index

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/ledger"
)

// Query is a SimpleEventQuery over the index: every non-empty list is a
// disjunction of values, the lists and bounds a conjunction (EPCIS 2.0
// §8.2.7.1). Values are in the index's canonical forms (see Parse).
type Query struct {
	EventTypes   []string
	Actions      []string
	BizSteps     []string
	Dispositions []string
	BizLocations []string
	ReadPoints   []string
	EventIDs     []string
	// EPC matches, by the roles the standard gives each parameter.
	MatchEPC      []string // epcList, childEPCs
	MatchAnyEPC   []string // also parentID, inputEPCList, outputEPCList
	MatchParentID []string
	MatchInput    []string
	MatchOutput   []string
	MatchEPCClass []string // quantityList, childQuantityList
	MatchAnyClass []string // also input and output quantity lists
	// Time bounds, Unix nanoseconds; nil when absent.
	GEEventTime, LTEventTime   *int64
	GERecordTime, LTRecordTime *int64
	// Order: by recordTime (chain order) unless ByEventTime.
	ByEventTime bool
	Desc        bool
}

// Position is where a page ended: the next page starts after it, or at
// it when Include (a page cut short by ScanBudget before examining it).
type Position struct {
	Seq       uint64
	EventTime int64 // with ByEventTime
	Include   bool  `json:",omitempty"`
}

// Page is one page of results.
type Page struct {
	Entries []*Entry
	// Next is set when more results may follow.
	Next *Position
}

// ScanBudget bounds the index entries one page may examine, so a query
// whose filters match little answers a short (even empty) page with a Next
// position instead of scanning the whole chain in one request.
const ScanBudget = 200_000

// Run returns up to limit matching entries after pos (nil: from the start).
func (ix *Index) Run(q *Query, limit int, pos *Position) (*Page, error) {
	if len(q.EventIDs) > 0 {
		return ix.byEventID(q, limit, pos)
	}
	lo, hi, err := ix.seqBounds(q)
	if err != nil {
		return nil, err
	}
	it, err := ix.driver(q, lo, hi, pos)
	if err != nil {
		return nil, err
	}
	defer it.close()
	page := &Page{}
	for budget := ix.budget; ; budget-- {
		seq, et, ok := it.next()
		if !ok {
			return page, it.err()
		}
		if budget == 0 {
			// This candidate is not examined: the next page starts with it.
			page.Next = &Position{Seq: seq, EventTime: et, Include: true}
			return page, nil
		}
		e, err := ix.entry(seq)
		if err != nil {
			return nil, err
		}
		ok, err = q.Match(e)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if len(page.Entries) == limit {
			last := page.Entries[limit-1]
			lev, _ := last.Event()
			page.Next = &Position{Seq: last.Seq, EventTime: lev.EventTime}
			return page, nil
		}
		page.Entries = append(page.Entries, e)
	}
}

// Get returns the entry of an eventID, or nil: the event, never an error
// declaration of it (Declaration).
func (ix *Index) Get(eventID string) (*Entry, error) { return ix.lookup(eventIDKey(eventID)) }

// Declaration returns the error declaration of the event an eventID names,
// or nil.
func (ix *Index) Declaration(eventID string) (*Entry, error) { return ix.lookup(declaredKey(eventID)) }

func (ix *Index) lookup(k []byte) (*Entry, error) {
	v, closer, err := ix.db.Get(k)
	if err == pebble.ErrNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	seq := binary.BigEndian.Uint64(v)
	closer.Close()
	return ix.entry(seq)
}

// ByTx returns the events a transaction recorded, in order.
func (ix *Index) ByTx(h ledger.Hash) ([]*Entry, error) {
	v, closer, err := ix.db.Get(txKey(h))
	if err == pebble.ErrNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	first, n := binary.BigEndian.Uint64(v), binary.BigEndian.Uint32(v[8:])
	closer.Close()
	out := make([]*Entry, 0, n)
	for s := first; s < first+uint64(n); s++ {
		e, err := ix.entry(s)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (ix *Index) entry(seq uint64) (*Entry, error) {
	v, closer, err := ix.db.Get(entryKey(seq))
	if err != nil {
		return nil, fmt.Errorf("index: entry %d: %w", seq, err)
	}
	defer closer.Close()
	return decodeEntry(seq, v) // copies
}

func (ix *Index) byEventID(q *Query, limit int, pos *Position) (*Page, error) {
	var es []*Entry
	for _, id := range q.EventIDs {
		// The event of the eventID, and its error declaration if any.
		for _, get := range []func(string) (*Entry, error){ix.Get, ix.Declaration} {
			e, err := get(id)
			if err != nil {
				return nil, err
			}
			if e == nil {
				continue
			}
			if ok, err := q.Match(e); err != nil {
				return nil, err
			} else if ok {
				es = append(es, e)
			}
		}
	}
	slices.SortFunc(es, func(a, b *Entry) int { return q.compare(a, b) })
	es = slices.CompactFunc(es, func(a, b *Entry) bool { return a.Seq == b.Seq })
	page := &Page{}
	for _, e := range es {
		if pos != nil && !q.after(e, pos) {
			continue
		}
		if len(page.Entries) == limit {
			last := page.Entries[limit-1]
			lev, _ := last.Event()
			page.Next = &Position{Seq: last.Seq, EventTime: lev.EventTime}
			break
		}
		page.Entries = append(page.Entries, e)
	}
	return page, nil
}

func (q *Query) compare(a, b *Entry) int {
	c := 0
	if q.ByEventTime {
		ea, _ := a.Event()
		eb, _ := b.Event()
		c = cmpInt(ea.EventTime, eb.EventTime)
	}
	if c == 0 {
		c = cmpInt(int64(a.Seq), int64(b.Seq))
	}
	if q.Desc {
		c = -c
	}
	return c
}

func (q *Query) after(e *Entry, p *Position) bool {
	c := q.compare(e, &Entry{Seq: p.Seq, event: &epcis.Event{EventTime: p.EventTime}})
	return c > 0 || (c == 0 && p.Include)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// seqBounds turns the recordTime bounds into a seq range [lo, hi).
func (ix *Index) seqBounds(q *Query) (lo, hi uint64, err error) {
	lo, hi = 0, ix.nextSeq.Load()
	if q.GERecordTime != nil {
		if lo, err = ix.FirstSeqAt(*q.GERecordTime); err != nil {
			return 0, 0, err
		}
	}
	if q.LTRecordTime != nil {
		if hi, err = ix.FirstSeqAt(*q.LTRecordTime); err != nil {
			return 0, 0, err
		}
	}
	return lo, hi, nil
}

// FirstSeqAt is the seq of the first event recorded at or after t.
func (ix *Index) FirstSeqAt(t int64) (uint64, error) {
	it, err := ix.db.NewIter(&pebble.IterOptions{LowerBound: recordTimeKey(t), UpperBound: []byte{tRecordTime + 1}})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.First() {
		return ix.nextSeq.Load(), it.Error()
	}
	return binary.BigEndian.Uint64(it.Value()), nil
}

// Match applies every condition of q to e.
func (q *Query) Match(e *Entry) (bool, error) {
	ev, err := e.Event()
	if err != nil {
		return false, err
	}
	if (q.GERecordTime != nil && e.RecordTime < *q.GERecordTime) || (q.LTRecordTime != nil && e.RecordTime >= *q.LTRecordTime) {
		return false, nil
	}
	if (q.GEEventTime != nil && ev.EventTime < *q.GEEventTime) || (q.LTEventTime != nil && ev.EventTime >= *q.LTEventTime) {
		return false, nil
	}
	if !oneOf(q.EventTypes, ev.Type.String()) || !oneOf(q.Actions, ev.Action.String()) || !oneOf(q.BizSteps, ev.BizStep) ||
		!oneOf(q.Dispositions, ev.Disposition) || !oneOf(q.BizLocations, ev.BizLocation) || !oneOf(q.ReadPoints, ev.ReadPoint) {
		return false, nil
	}
	if len(q.EventIDs) > 0 && !slices.Contains(q.EventIDs, e.EventID()) {
		return false, nil
	}
	var parent []gs1.ObjectID
	if ev.ParentID != nil {
		parent = []gs1.ObjectID{*ev.ParentID}
	}
	objs := func(ls ...[]gs1.ObjectID) []string {
		var out []string
		for _, l := range ls {
			for _, o := range l {
				out = append(out, o.URI())
			}
		}
		return out
	}
	classes := func(ls ...[]epcis.Quantity) []string {
		var out []string
		for _, l := range ls {
			for _, x := range l {
				out = append(out, x.Class.URI())
			}
		}
		return out
	}
	for _, c := range []struct {
		want []string
		have []string
	}{
		{q.MatchEPC, objs(ev.EPCList, ev.ChildEPCs)},
		{q.MatchAnyEPC, objs(ev.EPCList, ev.ChildEPCs, ev.InputEPCList, ev.OutputEPCList, parent)},
		{q.MatchParentID, objs(parent)},
		{q.MatchInput, objs(ev.InputEPCList)},
		{q.MatchOutput, objs(ev.OutputEPCList)},
		{q.MatchEPCClass, classes(ev.QuantityList, ev.ChildQuantityList)},
		{q.MatchAnyClass, classes(ev.QuantityList, ev.ChildQuantityList, ev.InputQuantityList, ev.OutputQuantityList)},
	} {
		if len(c.want) > 0 && !slices.ContainsFunc(c.have, func(s string) bool { return slices.Contains(c.want, s) }) {
			return false, nil
		}
	}
	return true, nil
}

func oneOf(want []string, have string) bool { return len(want) == 0 || slices.Contains(want, have) }

// candidates yields seqs (with their eventTime when ordered by it) in the
// query's order.
type candidates interface {
	next() (seq uint64, eventTime int64, ok bool)
	err() error
	close()
}

// driver picks the iterator that visits the fewest candidates it can
// guess without statistics: the most specific indexed condition, else the
// eventTime index when ordering by it, else every event in the seq range.
func (ix *Index) driver(q *Query, lo, hi uint64, pos *Position) (candidates, error) {
	if q.ByEventTime {
		return ix.timeScan(q, pos)
	}
	if pos != nil {
		switch {
		case q.Desc && pos.Include:
			hi = min(hi, pos.Seq+1)
		case q.Desc:
			hi = min(hi, pos.Seq)
		case pos.Include:
			lo = max(lo, pos.Seq)
		default:
			lo = max(lo, pos.Seq+1)
		}
	}
	for _, c := range []struct {
		f  Field
		vs []string
	}{
		{FieldEPC, firstNonEmpty(q.MatchEPC, q.MatchAnyEPC, q.MatchParentID, q.MatchInput, q.MatchOutput)},
		{FieldEPCClass, firstNonEmpty(q.MatchEPCClass, q.MatchAnyClass)},
		{FieldBizLocation, q.BizLocations}, {FieldReadPoint, q.ReadPoints},
		{FieldDisposition, q.Dispositions}, {FieldBizStep, q.BizSteps}, {FieldType, q.EventTypes}, {FieldAction, q.Actions},
	} {
		if len(c.vs) > 0 {
			return ix.valueScan(c.f, c.vs, lo, hi, q.Desc)
		}
	}
	it, err := ix.db.NewIter(&pebble.IterOptions{LowerBound: entryKey(lo), UpperBound: entryKey(hi)})
	if err != nil {
		return nil, err
	}
	return &keyScan{it: it, desc: q.Desc, seqAt: 1}, nil
}

func firstNonEmpty(ls ...[]string) []string {
	for _, l := range ls {
		if len(l) > 0 {
			return l
		}
	}
	return nil
}

// keyScan walks keys that end with a seq (after a fixed prefix of seqAt
// bytes).
type keyScan struct {
	it      *pebble.Iterator
	desc    bool
	started bool
	seqAt   int
}

func (s *keyScan) next() (uint64, int64, bool) {
	var ok bool
	switch {
	case !s.started && s.desc:
		ok = s.it.Last()
	case !s.started:
		ok = s.it.First()
	case s.desc:
		ok = s.it.Prev()
	default:
		ok = s.it.Next()
	}
	s.started = true
	if !ok {
		return 0, 0, false
	}
	k := s.it.Key()
	return binary.BigEndian.Uint64(k[s.seqAt:]), 0, true
}

func (s *keyScan) err() error { return s.it.Error() }
func (s *keyScan) close()     { s.it.Close() }

// valueScan merges the seq lists of several values of one field, in seq
// order, without repeats.
func (ix *Index) valueScan(f Field, values []string, lo, hi uint64, desc bool) (candidates, error) {
	m := &merge{desc: desc}
	for _, v := range values {
		p := valuePrefix(f, v)
		it, err := ix.db.NewIter(&pebble.IterOptions{LowerBound: binary.BigEndian.AppendUint64(bytes.Clone(p), lo), UpperBound: binary.BigEndian.AppendUint64(bytes.Clone(p), hi)})
		if err != nil {
			m.close()
			return nil, err
		}
		s := &keyScan{it: it, desc: desc, seqAt: len(p)}
		m.scans = append(m.scans, s)
		seq, _, ok := s.next()
		m.heads = append(m.heads, head{seq, ok})
	}
	return m, nil
}

type head struct {
	seq uint64
	ok  bool
}

type merge struct {
	scans []*keyScan
	heads []head
	desc  bool
	last  *uint64
}

func (m *merge) next() (uint64, int64, bool) {
	for {
		best := -1
		for i, h := range m.heads {
			if !h.ok {
				continue
			}
			if best < 0 {
				best = i
				continue
			}
			if b := m.heads[best].seq; (!m.desc && h.seq < b) || (m.desc && h.seq > b) {
				best = i
			}
		}
		if best < 0 {
			return 0, 0, false
		}
		seq := m.heads[best].seq
		s, _, ok := m.scans[best].next()
		m.heads[best] = head{s, ok}
		if m.last != nil && *m.last == seq {
			continue
		}
		m.last = &seq
		return seq, 0, true
	}
}

func (m *merge) err() error {
	for _, s := range m.scans {
		if err := s.err(); err != nil {
			return err
		}
	}
	return nil
}

func (m *merge) close() {
	for _, s := range m.scans {
		s.close()
	}
}

// timeScan walks the eventTime index from pos in the query's direction,
// within the eventTime bounds.
func (ix *Index) timeScan(q *Query, pos *Position) (candidates, error) {
	lo, hi := []byte{tEventTime}, []byte{tEventTime + 1}
	if q.GEEventTime != nil {
		lo = eventTimeKey(*q.GEEventTime, 0)
	}
	if q.LTEventTime != nil {
		hi = eventTimeKey(*q.LTEventTime, 0)
	}
	if pos != nil {
		// The position's own key is excluded (a bound just past it, 0x00
		// appended, going up; the key itself, going down) unless Include.
		k := eventTimeKey(pos.EventTime, pos.Seq)
		if q.Desc {
			if pos.Include {
				k = append(k, 0)
			}
			if bytes.Compare(k, hi) < 0 {
				hi = k
			}
		} else {
			if !pos.Include {
				k = append(k, 0)
			}
			if bytes.Compare(k, lo) > 0 {
				lo = k
			}
		}
	}
	it, err := ix.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, err
	}
	return &timeIter{keyScan{it: it, desc: q.Desc, seqAt: 9}}, nil
}

type timeIter struct{ keyScan }

func (t *timeIter) next() (uint64, int64, bool) {
	seq, _, ok := t.keyScan.next()
	if !ok {
		return 0, 0, false
	}
	et := int64(binary.BigEndian.Uint64(t.it.Key()[1:]) ^ 1<<63)
	return seq, et, true
}
