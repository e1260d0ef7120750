package ledger

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// The canonical encoding is built from five primitives, specified in
// docs/encoding.md:
//
//   - fixed-width unsigned integers, big-endian (u8, u16, u32, u64);
//   - fixed-size byte arrays (hashes, keys, signatures), written as is;
//   - variable-length byte strings: a length as an unsigned LEB128 varint in
//     its shortest form, then the bytes;
//   - booleans and option markers: one byte, 0x00 or 0x01, nothing else;
//   - lists: a count as a shortest-form varint, then the elements.
//
// There is no field tagging and no optional trailing data: fields appear in a
// fixed order, so every value has exactly one encoding. Decoders enforce that
// by rejecting anything an encoder would not have produced.

// encoder appends canonical fields to a byte slice. It never fails: the values
// it is given have been validated by their type's checks.
type encoder struct {
	buf []byte
}

func (e *encoder) u8(v uint8)   { e.buf = append(e.buf, v) }
func (e *encoder) u16(v uint16) { e.buf = binary.BigEndian.AppendUint16(e.buf, v) }
func (e *encoder) u32(v uint32) { e.buf = binary.BigEndian.AppendUint32(e.buf, v) }
func (e *encoder) u64(v uint64) { e.buf = binary.BigEndian.AppendUint64(e.buf, v) }

func (e *encoder) bool(v bool) {
	if v {
		e.u8(1)
	} else {
		e.u8(0)
	}
}

func (e *encoder) fixed(b []byte) { e.buf = append(e.buf, b...) }

func (e *encoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }

func (e *encoder) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	e.buf = append(e.buf, b...)
}

func (e *encoder) string(s string) {
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// decoder reads canonical fields from a byte slice. The first error sticks:
// later reads return zero values, so a decode function can read all its fields
// and check d.err once at the end, and the error names the first bad field.
type decoder struct {
	typ string // the type being decoded, for error messages
	b   []byte
	off int
	err error
}

func newDecoder(typ string, b []byte) *decoder { return &decoder{typ: typ, b: b} }

func (d *decoder) fail(field, format string, args ...any) {
	if d.err == nil {
		d.err = &DecodeError{Type: d.typ, Field: field, Offset: d.off, Reason: fmt.Sprintf(format, args...)}
	}
}

func (d *decoder) take(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.b)-d.off < n {
		d.fail(field, "truncated: need %d bytes, have %d", n, len(d.b)-d.off)
		return nil
	}
	v := d.b[d.off : d.off+n]
	d.off += n
	return v
}

func (d *decoder) u8(field string) uint8 {
	b := d.take(field, 1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (d *decoder) u16(field string) uint16 {
	b := d.take(field, 2)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

func (d *decoder) u32(field string) uint32 {
	b := d.take(field, 4)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

func (d *decoder) u64(field string) uint64 {
	b := d.take(field, 8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func (d *decoder) bool(field string) bool {
	v := d.u8(field)
	if v > 1 {
		d.fail(field, "boolean byte must be 0x00 or 0x01, got 0x%02x", v)
		return false
	}
	return v == 1
}

// fixed copies n bytes into dst, which must have length n.
func (d *decoder) fixed(field string, dst []byte) {
	if b := d.take(field, len(dst)); b != nil {
		copy(dst, b)
	}
}

// uvarintOf reads a shortest-form LEB128 value no larger than max, for the
// field named field+suffix ("payload" and " length"): the name is joined
// only for an error, since joining it for every length read was an
// allocation per string of every decoding.
func (d *decoder) uvarintOf(field, suffix string, max uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	switch {
	case n == 0:
		d.fail(field+suffix, "truncated varint")
		return 0
	case n < 0:
		d.fail(field+suffix, "varint overflows 64 bits")
		return 0
	case n != uvarintLen(v):
		d.fail(field+suffix, "non-minimal varint (%d bytes for %d)", n, v)
		return 0
	case v > max:
		d.fail(field+suffix, "%d exceeds limit %d", v, max)
		return 0
	}
	d.off += n
	return v
}

// bytes reads a length-prefixed byte string of at most max bytes. The result
// is a copy: decoded values never alias the input buffer, which the caller may
// reuse.
func (d *decoder) bytes(field string, max int) []byte {
	b := d.window(field, max)
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// window reads a length-prefixed byte string of at most max bytes, as
// bytes does, but returns it in place: a part of the decoder's input.
func (d *decoder) window(field string, max int) []byte {
	n := d.uvarintOf(field, " length", uint64(max))
	return d.take(field, int(n))
}

// string reads a length-prefixed UTF-8 string of at most max bytes.
func (d *decoder) string(field string, max int) string {
	return d.stringLike(field, max, "")
}

// stringLike is string, returning like itself when the string equals it, so
// that the many equal strings of a block (chain ID, contract and method
// names) are allocated once.
func (d *decoder) stringLike(field string, max int, like string) string {
	n := d.uvarintOf(field, " length", uint64(max))
	b := d.take(field, int(n))
	if b == nil {
		return ""
	}
	if !utf8.Valid(b) {
		d.fail(field, "not valid UTF-8")
		return ""
	}
	if string(b) == like {
		return like
	}
	return string(b)
}

// count reads a list length of at most max elements. Every element of every
// list takes at least one byte, so a count larger than the bytes left is
// rejected here, before the caller allocates for it.
func (d *decoder) count(field string, max int) int {
	n := d.uvarintOf(field, " count", uint64(max))
	if d.err == nil && n > uint64(len(d.b)-d.off) {
		d.fail(field, "count %d larger than the %d bytes left", n, len(d.b)-d.off)
		return 0
	}
	return int(n)
}

// tag reads a type tag and checks it is the expected one.
func (d *decoder) tag(want Tag) {
	got := Tag(d.u8("tag"))
	if d.err == nil && got != want {
		d.fail("tag", "unknown or unexpected type tag 0x%02x, want 0x%02x (%s)", uint8(got), uint8(want), want)
	}
}

// finish reports the first error, or an error if input remains.
func (d *decoder) finish() error {
	if d.err == nil && d.off != len(d.b) {
		d.fail("(end)", "%d trailing bytes", len(d.b)-d.off)
	}
	return d.err
}

// matcher checks that a byte slice is the canonical encoding of given
// values, field by field as encoder would write them, without building it.
// The first mismatch sticks.
type matcher struct {
	b   []byte
	off int
	bad bool
}

func (m *matcher) take(n int) []byte {
	if m.bad || len(m.b)-m.off < n {
		m.bad = true
		return nil
	}
	v := m.b[m.off : m.off+n]
	m.off += n
	return v
}

func (m *matcher) u8(v uint8) {
	if b := m.take(1); b == nil || b[0] != v {
		m.bad = true
	}
}

func (m *matcher) u64(v uint64) {
	if b := m.take(8); b == nil || binary.BigEndian.Uint64(b) != v {
		m.bad = true
	}
}

func (m *matcher) fixed(v []byte) {
	if b := m.take(len(v)); b == nil || string(b) != string(v) {
		m.bad = true
	}
}

func (m *matcher) uvarint(v uint64) {
	if m.bad {
		return
	}
	got, n := binary.Uvarint(m.b[m.off:])
	if n <= 0 || got != v || n != uvarintLen(got) {
		m.bad = true
		return
	}
	m.off += n
}

func (m *matcher) bytes(v []byte) {
	m.uvarint(uint64(len(v)))
	m.fixed(v)
}

func (m *matcher) string(v string) {
	m.uvarint(uint64(len(v)))
	if b := m.take(len(v)); b == nil || string(b) != v {
		m.bad = true
	}
}

// done reports whether every byte matched and none is left over.
func (m *matcher) done() bool { return !m.bad && m.off == len(m.b) }

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// DecodeError reports why bytes are not the canonical encoding of a value.
// It names the type and the field, so a rejection can be traced to the byte.
type DecodeError struct {
	Type   string // e.g. "tx", "vote"
	Field  string // e.g. "payload length"
	Offset int    // byte offset where the field starts
	Reason string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("decode %s: field %s at byte %d: %s", e.Type, e.Field, e.Offset, e.Reason)
}
