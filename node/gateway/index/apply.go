package index

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/gateway/follow"
)

// Index is the query index over a Pebble database the caller owns. Apply is
// called by one goroutine (the block follower's); reads may run at the same
// time from any goroutine.
type Index struct {
	db      *pebble.DB
	nextSeq atomic.Uint64 // written by the Apply goroutine after each commit
	budget  int           // ScanBudget; tests lower it
}

// Open returns the index kept in db.
func Open(db *pebble.DB) (*Index, error) {
	ix := &Index{db: db, budget: ScanBudget}
	v, closer, err := db.Get(seqKey)
	switch {
	case err == pebble.ErrNotFound:
	case err != nil:
		return nil, fmt.Errorf("index: read next seq: %w", err)
	default:
		if len(v) == 8 {
			ix.nextSeq.Store(binary.BigEndian.Uint64(v))
		}
		closer.Close()
	}
	return ix, nil
}

// Count is how many events the index holds.
func (ix *Index) Count() uint64 { return ix.nextSeq.Load() }

// Apply adds the trace events that blk recorded to b and returns them in
// chain order. Only transactions whose verified outcome is OK recorded
// anything; the event hashes come from their trace.event outcome events,
// one per event in payload order. The caller commits b (with its cursor)
// and then calls Committed; until then the entries are not visible.
func (ix *Index) Apply(b *pebble.Batch, blk *follow.Block) ([]*Entry, error) {
	var out []*Entry
	seq := ix.nextSeq.Load()
	for i, tx := range blk.Block.Txs {
		o := blk.Outcomes[i]
		if o.Code != "OK" || tx.Contract != trace.Contract {
			continue
		}
		var payloads [][]byte
		var decoded []*epcis.Event // nil: each entry decodes its payload when asked
		switch tx.Method {
		case trace.MethodCapture:
			payloads = [][]byte{tx.Payload}
		case trace.MethodCaptureBatch:
			cb, err := trace.DecodeCaptureBatch(tx.Payload)
			if err != nil {
				return nil, fmt.Errorf("height %d tx %d: a committed capture_batch does not decode: %w", blk.Height(), i, err)
			}
			payloads, decoded = cb.Payloads, cb.Events
		default:
			continue
		}
		var hashes []ledger.Hash
		var orgs []string
		for _, ev := range o.Events {
			if ev.Type != "trace.event" {
				continue
			}
			var h ledger.Hash
			var org string
			for _, a := range ev.Attrs {
				switch a.Key {
				case "event":
					p, err := ledger.ParseHash(a.Value)
					if err != nil {
						return nil, fmt.Errorf("height %d tx %d: trace.event hash: %w", blk.Height(), i, err)
					}
					h = p
				case "org":
					org = a.Value
				}
			}
			hashes = append(hashes, h)
			orgs = append(orgs, org)
		}
		if len(hashes) != len(payloads) {
			return nil, fmt.Errorf("height %d tx %d: %d events recorded for %d captured", blk.Height(), i, len(hashes), len(payloads))
		}
		txh := tx.Hash()
		_ = b.Set(txKey(txh), binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, seq), uint32(len(payloads))), nil)
		for j, p := range payloads {
			e := &Entry{Seq: seq, Hash: hashes[j], Height: blk.Height(), TxHash: txh, RecordTime: blk.Time(), Org: orgs[j], Payload: p}
			if decoded != nil {
				e.event = decoded[j] // already decoded (and validated) with the batch
			}
			if err := ix.put(b, e); err != nil {
				return nil, fmt.Errorf("height %d tx %d event %d: %w", blk.Height(), i, j, err)
			}
			out = append(out, e)
			seq++
		}
	}
	if len(out) > 0 {
		_ = b.Set(recordTimeKey(blk.Time()), binary.BigEndian.AppendUint64(nil, out[0].Seq), nil)
		_ = b.Set(seqKey, binary.BigEndian.AppendUint64(nil, seq), nil)
	}
	return out, nil
}

// Committed makes the entries Apply returned count, once their batch is
// durable.
func (ix *Index) Committed(es []*Entry) {
	if len(es) > 0 {
		ix.nextSeq.Store(es[len(es)-1].Seq + 1)
	}
}

func (ix *Index) put(b *pebble.Batch, e *Entry) error {
	ev, err := e.Event()
	if err != nil {
		return err
	}
	_ = b.Set(entryKey(e.Seq), e.encode(), nil)
	// An error declaration re-captures the event it declares, with its
	// eventID (or urn:qian:event:{hash}): the eventID goes on naming the
	// event, as on the chain (trace.FindEvent), and the declaration is
	// kept beside it. Both match an eventID query.
	idKey := eventIDKey
	if ev.ErrorDeclaration != nil {
		idKey = declaredKey
	}
	_ = b.Set(idKey(e.EventID()), binary.BigEndian.AppendUint64(nil, e.Seq), nil)
	_ = b.Set(eventTimeKey(ev.EventTime, e.Seq), nil, nil)
	for _, fv := range fieldValues(ev) {
		_ = b.Set(valueKey(fv.f, fv.v, e.Seq), nil, nil)
	}
	return nil
}

type fieldValue struct {
	f Field
	v string
}

// fieldValues lists what the secondary indexes hold for ev, each pair once.
func fieldValues(ev *epcis.Event) []fieldValue {
	out := []fieldValue{{FieldType, ev.Type.String()}}
	seen := map[fieldValue]bool{}
	add := func(f Field, v string) {
		fv := fieldValue{f, v}
		if v != "" && !seen[fv] {
			seen[fv] = true
			out = append(out, fv)
		}
	}
	add(FieldAction, ev.Action.String())
	add(FieldBizStep, ev.BizStep)
	add(FieldDisposition, ev.Disposition)
	add(FieldBizLocation, ev.BizLocation)
	add(FieldReadPoint, ev.ReadPoint)
	for _, l := range [][]gs1.ObjectID{ev.EPCList, ev.ChildEPCs, ev.InputEPCList, ev.OutputEPCList} {
		for _, o := range l {
			add(FieldEPC, o.URI())
		}
	}
	if ev.ParentID != nil {
		add(FieldEPC, ev.ParentID.URI())
	}
	for _, l := range [][]epcis.Quantity{ev.QuantityList, ev.ChildQuantityList, ev.InputQuantityList, ev.OutputQuantityList} {
		for _, q := range l {
			add(FieldEPCClass, q.Class.URI())
		}
	}
	return out
}
