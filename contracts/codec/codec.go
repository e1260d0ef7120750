// Package codec is the canonical binary encoding of contract payloads and
// contract state values.
//
// It uses the same five primitives as the ledger's encoding
// (docs/encoding.md): big-endian fixed-width unsigned integers; fixed-size
// byte arrays written as is; byte strings and UTF-8 strings as a
// shortest-form unsigned LEB128 length followed by the bytes; booleans and
// option markers as one byte 0x00 or 0x01; lists as a shortest-form count
// followed by the elements. There are no field tags and no optional trailing
// data, so every value has exactly one encoding, and Decoder rejects any
// other form: a transaction payload, which its signature covers, can be
// written in one way only.
//
// Decoder never panics and never allocates more than the input can justify:
// a list count larger than the bytes left is refused before allocation.
package codec

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// Encoder appends canonical fields to Buf. It never fails; callers validate
// values before encoding them.
type Encoder struct {
	Buf []byte
}

func (e *Encoder) U8(v uint8)   { e.Buf = append(e.Buf, v) }
func (e *Encoder) U16(v uint16) { e.Buf = binary.BigEndian.AppendUint16(e.Buf, v) }
func (e *Encoder) U32(v uint32) { e.Buf = binary.BigEndian.AppendUint32(e.Buf, v) }
func (e *Encoder) U64(v uint64) { e.Buf = binary.BigEndian.AppendUint64(e.Buf, v) }

// I64 writes a signed integer as its two's-complement bit pattern, big-endian.
func (e *Encoder) I64(v int64) { e.U64(uint64(v)) }

func (e *Encoder) Bool(v bool) {
	if v {
		e.U8(1)
	} else {
		e.U8(0)
	}
}

// Fixed writes b as is; its length is implied by the type being encoded.
func (e *Encoder) Fixed(b []byte) { e.Buf = append(e.Buf, b...) }

func (e *Encoder) Uvarint(v uint64) { e.Buf = binary.AppendUvarint(e.Buf, v) }

func (e *Encoder) Bytes(b []byte) {
	e.Uvarint(uint64(len(b)))
	e.Buf = append(e.Buf, b...)
}

func (e *Encoder) String(s string) {
	e.Uvarint(uint64(len(s)))
	e.Buf = append(e.Buf, s...)
}

// Count writes a list length.
func (e *Encoder) Count(n int) { e.Uvarint(uint64(n)) }

// Decoder reads canonical fields. The first error sticks: later reads return
// zero values, so a decode function reads every field and checks Err once;
// the error names the first bad field.
type Decoder struct {
	typ string
	b   []byte
	off int
	err error
}

// NewDecoder reads b, which it does not modify or retain beyond the values
// it returns (byte strings are copied).
func NewDecoder(typ string, b []byte) *Decoder { return &Decoder{typ: typ, b: b} }

// Error reports why bytes are not the canonical encoding of a value.
type Error struct {
	Type   string // what was being decoded, e.g. "trace.capture payload"
	Field  string // the field, e.g. "epc_list[2]"
	Offset int    // byte offset where the field starts
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("decode %s: field %s at byte %d: %s", e.Type, e.Field, e.Offset, e.Reason)
}

// Fail records an error for field unless one is already recorded. Decode
// functions use it for semantic checks (a bad GTIN, an unknown enum value),
// so those errors name the field and offset too.
func (d *Decoder) Fail(field, format string, args ...any) {
	if d.err == nil {
		d.err = &Error{Type: d.typ, Field: field, Offset: d.off, Reason: fmt.Sprintf(format, args...)}
	}
}

// Err is the first error, or nil.
func (d *Decoder) Err() error { return d.err }

// Left is the number of unread bytes.
func (d *Decoder) Left() int { return len(d.b) - d.off }

func (d *Decoder) take(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.b)-d.off < n {
		d.Fail(field, "truncated: need %d bytes, have %d", n, len(d.b)-d.off)
		return nil
	}
	v := d.b[d.off : d.off+n]
	d.off += n
	return v
}

func (d *Decoder) U8(field string) uint8 {
	b := d.take(field, 1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (d *Decoder) U16(field string) uint16 {
	b := d.take(field, 2)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

func (d *Decoder) U32(field string) uint32 {
	b := d.take(field, 4)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

func (d *Decoder) U64(field string) uint64 {
	b := d.take(field, 8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func (d *Decoder) I64(field string) int64 { return int64(d.U64(field)) }

func (d *Decoder) Bool(field string) bool {
	v := d.U8(field)
	if v > 1 {
		d.Fail(field, "boolean byte must be 0x00 or 0x01, got 0x%02x", v)
		return false
	}
	return v == 1
}

// Fixed copies len(dst) bytes into dst.
func (d *Decoder) Fixed(field string, dst []byte) {
	if b := d.take(field, len(dst)); b != nil {
		copy(dst, b)
	}
}

// Uvarint reads a shortest-form LEB128 value no larger than max.
func (d *Decoder) Uvarint(field string, max uint64) uint64 { return d.uvarint(field, "", max) }

// uvarint is Uvarint for the field named field+suffix, a name built only
// when it fails: String and Count read a length for every string and list
// decoded, and building "<field> length" each time was 1.5 % of a
// validator's CPU at 8,000 tx/s.
func (d *Decoder) uvarint(field, suffix string, max uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	switch {
	case n == 0:
		d.Fail(field+suffix, "truncated varint")
		return 0
	case n < 0:
		d.Fail(field+suffix, "varint overflows 64 bits")
		return 0
	case n != uvarintLen(v):
		d.Fail(field+suffix, "non-minimal varint (%d bytes for %d)", n, v)
		return 0
	case v > max:
		d.Fail(field+suffix, "%d exceeds limit %d", v, max)
		return 0
	}
	d.off += n
	return v
}

// Bytes reads a byte string of at most max bytes; the result is a copy.
func (d *Decoder) Bytes(field string, max int) []byte {
	n := d.uvarint(field, " length", uint64(max))
	b := d.take(field, int(n))
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// String reads a UTF-8 string of at most max bytes.
func (d *Decoder) String(field string, max int) string {
	n := d.uvarint(field, " length", uint64(max))
	b := d.take(field, int(n))
	if b == nil {
		return ""
	}
	if !utf8.Valid(b) {
		d.Fail(field, "not valid UTF-8")
		return ""
	}
	return string(b)
}

// Count reads a list length of at most max elements. Every element takes at
// least one byte, so a count larger than the bytes left is refused here,
// before the caller allocates.
func (d *Decoder) Count(field string, max int) int {
	n := d.uvarint(field, " count", uint64(max))
	if d.err == nil && n > uint64(len(d.b)-d.off) {
		d.Fail(field, "count %d larger than the %d bytes left", n, len(d.b)-d.off)
		return 0
	}
	return int(n)
}

// Finish reports the first error, or an error if input remains.
func (d *Decoder) Finish() error {
	if d.err == nil && d.off != len(d.b) {
		d.Fail("(end)", "%d trailing bytes", len(d.b)-d.off)
	}
	return d.err
}

// StringLen is the length of what String(s) writes (and Bytes of as many
// bytes): a length, then the bytes.
func StringLen(s string) int { return uvarintLen(uint64(len(s))) + len(s) }

// CountLen is the length of what Count(n) writes.
func CountLen(n int) int { return uvarintLen(uint64(n)) }

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
