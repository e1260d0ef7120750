package genesis

import "encoding/binary"

// encoder appends the primitives of docs/encoding.md: big-endian
// fixed-width integers; strings and byte strings prefixed by their length
// as a shortest-form unsigned LEB128 varint; lists prefixed by their count
// the same way. The genesis hash and the join request message are built
// with it; neither is ever decoded, so there is no decoder.
type encoder struct{ b []byte }

func (e *encoder) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *encoder) u8(v byte)    { e.b = append(e.b, v) }
func (e *encoder) u64(v uint64) { e.b = binary.BigEndian.AppendUint64(e.b, v) }
func (e *encoder) count(n int)  { e.b = binary.AppendUvarint(e.b, uint64(n)) }
func (e *encoder) raw(b []byte) { e.b = append(e.b, b...) }
func (e *encoder) option(present bool) {
	if present {
		e.u8(1)
	} else {
		e.u8(0)
	}
}

func (e *encoder) strs(l []string) {
	e.count(len(l))
	for _, s := range l {
		e.str(s)
	}
}

// organisation appends an organisation entry without its join signatures:
// the part of the genesis encoding and of the join request message that
// the two share.
func (e *encoder) organisation(o *Organisation) {
	e.str(o.ID)
	e.str(o.Name)
	e.str(o.NameEN)
	e.count(len(o.Roles))
	for _, r := range o.Roles {
		e.str(string(r))
	}
	e.strs(o.GS1Prefixes)
	e.strs(o.GLNs)
	e.count(len(o.Admins))
	for _, a := range o.Admins {
		e.raw(a[:])
	}
}
