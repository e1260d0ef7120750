package index

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/ledger"
)

// Entry is one recorded event with the provenance that proves it.
type Entry struct {
	Seq        uint64
	Hash       ledger.Hash // the trace event hash (the record's id on chain)
	Height     uint64
	TxHash     ledger.Hash
	RecordTime int64 // block time, Unix nanoseconds
	Org        string
	Payload    []byte // the canonical epcis.Event encoding

	event *epcis.Event
}

// Event decodes the payload (once).
func (e *Entry) Event() (*epcis.Event, error) {
	if e.event == nil {
		ev, err := epcis.DecodeEvent(e.Payload)
		if err != nil {
			return nil, fmt.Errorf("index: event %d does not decode: %w", e.Seq, err)
		}
		e.event = ev
	}
	return e.event, nil
}

// EventID is the event's id as the gateway answers it: the eventID its
// capturer gave, else urn:qian:event:{event hash} (as epcis.EventJSON).
func (e *Entry) EventID() string {
	ev, err := e.Event()
	if err == nil && ev.EventID != "" {
		return ev.EventID
	}
	return HashEventID(e.Hash)
}

// HashEventID is the eventID of an event captured without one.
func HashEventID(h ledger.Hash) string { return "urn:qian:event:" + hex.EncodeToString(h[:]) }

// Recorded is the entry as epcis renders it.
func (e *Entry) Recorded() (*epcis.Recorded, error) {
	ev, err := e.Event()
	if err != nil {
		return nil, err
	}
	return &epcis.Recorded{Event: ev, Hash: e.Hash, RecordTime: e.RecordTime, Org: e.Org, Height: e.Height, TxHash: e.TxHash}, nil
}

func (e *Entry) encode() []byte {
	b := make([]byte, 0, 8+8+32+32+2+len(e.Org)+len(e.Payload))
	b = binary.BigEndian.AppendUint64(b, e.Height)
	b = binary.BigEndian.AppendUint64(b, uint64(e.RecordTime))
	b = append(b, e.Hash[:]...)
	b = append(b, e.TxHash[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(e.Org)))
	b = append(b, e.Org...)
	return append(b, e.Payload...)
}

var errEntry = errors.New("index: stored entry is damaged")

func decodeEntry(seq uint64, b []byte) (*Entry, error) {
	if len(b) < 82 {
		return nil, errEntry
	}
	e := &Entry{Seq: seq, Height: binary.BigEndian.Uint64(b), RecordTime: int64(binary.BigEndian.Uint64(b[8:]))}
	copy(e.Hash[:], b[16:48])
	copy(e.TxHash[:], b[48:80])
	n := int(binary.BigEndian.Uint16(b[80:]))
	if len(b) < 82+n {
		return nil, errEntry
	}
	e.Org = string(b[82 : 82+n])
	e.Payload = append([]byte(nil), b[82+n:]...)
	return e, nil
}

// Field names a secondary index.
type Field byte

const (
	FieldType        Field = 'T'
	FieldAction      Field = 'A'
	FieldBizStep     Field = 'S'
	FieldDisposition Field = 'D'
	FieldBizLocation Field = 'L'
	FieldReadPoint   Field = 'R'
	FieldEPC         Field = 'E' // any EPC the event names: epcList, childEPCs, parentID, input and output lists
	FieldEPCClass    Field = 'C' // any EPC class in a quantity list
)

const (
	tEntry      = 'e'
	tEventID    = 'i'
	tDeclared   = 'd' // an error declaration, by the eventID of the event it declares
	tValue      = 'v'
	tEventTime  = 't'
	tRecordTime = 'r'
	tMeta       = 'm'
	tTx         = 'x'
)

func entryKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{tEntry}, seq)
}

func eventIDKey(id string) []byte { return append([]byte{tEventID}, id...) }

func declaredKey(id string) []byte { return append([]byte{tDeclared}, id...) }

// valuePrefix is the key prefix of every event with field = value.
func valuePrefix(f Field, value string) []byte {
	b := make([]byte, 0, 4+len(value)+8)
	b = append(b, tValue, byte(f))
	b = binary.BigEndian.AppendUint16(b, uint16(len(value)))
	return append(b, value...)
}

func valueKey(f Field, value string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(valuePrefix(f, value), seq)
}

// biased maps a signed time to an unsigned one with the same order.
func biased(t int64) uint64 { return uint64(t) ^ 1<<63 }

func eventTimeKey(t int64, seq uint64) []byte {
	b := binary.BigEndian.AppendUint64([]byte{tEventTime}, biased(t))
	return binary.BigEndian.AppendUint64(b, seq)
}

func recordTimeKey(t int64) []byte {
	return binary.BigEndian.AppendUint64([]byte{tRecordTime}, biased(t))
}

func txKey(h ledger.Hash) []byte { return append([]byte{tTx}, h[:]...) }

var seqKey = []byte{tMeta, 's', 'e', 'q'}

// upper returns the smallest key greater than every key starting with p.
func upper(p []byte) []byte {
	u := append([]byte(nil), p...)
	for i := len(u) - 1; i >= 0; i-- {
		if u[i] < 0xff {
			u[i]++
			return u[:i+1]
		}
	}
	return nil
}
