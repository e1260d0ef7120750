package proof

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/qianchain/qianchain/ledger"
)

// Result is a decoded result leaf (docs/state.md section 2): the data the
// block's results root commits to for one transaction.
type Result struct {
	TxHash  ledger.Hash
	Code    string
	Message string
	Events  []Event
}

// Limits of DecodeResult: generous bounds that stop a hostile leaf from
// making the decoder allocate without end; no contract comes near them.
const (
	maxResultString = 1 << 16
	maxResultEvents = 1 << 16
	maxEventAttrs   = 1 << 12
)

// DecodeResult decodes a result leaf:
//
//	tx_hash(32) ‖ string code ‖ string message ‖ varint n ‖ n × (string type ‖ varint m ‖ m × (string key ‖ string value))
//
// with the canonical rules of docs/encoding.md (shortest varints, valid
// UTF-8, no trailing bytes).
func DecodeResult(b []byte) (*Result, error) {
	d := &leafDecoder{b: b}
	r := &Result{}
	copy(r.TxHash[:], d.take("tx_hash", ledger.HashSize))
	r.Code = d.string("code")
	r.Message = d.string("message")
	n := d.count("events", maxResultEvents)
	r.Events = make([]Event, 0, min(n, 64))
	for i := 0; i < n && d.err == nil; i++ {
		ev := Event{Type: d.string("event type"), Attrs: []Attr{}}
		m := d.count("attrs", maxEventAttrs)
		for j := 0; j < m && d.err == nil; j++ {
			ev.Attrs = append(ev.Attrs, Attr{Key: d.string("attr key"), Value: d.string("attr value")})
		}
		r.Events = append(r.Events, ev)
	}
	if d.err == nil && d.off != len(d.b) {
		d.fail("(end)", "%d trailing bytes", len(d.b)-d.off)
	}
	if d.err != nil {
		return nil, d.err
	}
	return r, nil
}

// EncodeResult is DecodeResult's inverse (tests and independent checks).
func EncodeResult(r *Result) []byte {
	b := append([]byte{}, r.TxHash[:]...)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	str(r.Code)
	str(r.Message)
	b = binary.AppendUvarint(b, uint64(len(r.Events)))
	for _, ev := range r.Events {
		str(ev.Type)
		b = binary.AppendUvarint(b, uint64(len(ev.Attrs)))
		for _, a := range ev.Attrs {
			str(a.Key)
			str(a.Value)
		}
	}
	return b
}

type leafDecoder struct {
	b   []byte
	off int
	err error
}

func (d *leafDecoder) fail(field, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("result leaf: %s at byte %d: %s", field, d.off, fmt.Sprintf(format, args...))
	}
}

func (d *leafDecoder) take(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b)-d.off {
		d.fail(field, "needs %d bytes, %d left", n, len(d.b)-d.off)
		return nil
	}
	v := d.b[d.off : d.off+n]
	d.off += n
	return v
}

func (d *leafDecoder) uvarint(field string, max uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail(field, "bad varint")
		return 0
	}
	if n != len(binary.AppendUvarint(nil, v)) {
		d.fail(field, "varint not in its shortest form")
		return 0
	}
	d.off += n
	if v > max {
		d.fail(field, "%d exceeds limit %d", v, max)
		return 0
	}
	return v
}

func (d *leafDecoder) count(field string, max int) int {
	n := int(d.uvarint(field, uint64(max)))
	if d.err == nil && n > len(d.b)-d.off {
		d.fail(field, "count %d exceeds the %d bytes left", n, len(d.b)-d.off)
		return 0
	}
	return n
}

func (d *leafDecoder) string(field string) string {
	n := int(d.uvarint(field, maxResultString))
	s := d.take(field, n)
	if d.err == nil && !utf8.Valid(s) {
		d.fail(field, "not valid UTF-8")
	}
	return string(s)
}
