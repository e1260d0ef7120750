package codec_test

import (
	"bytes"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/qianchain/qianchain/contracts/codec"
)

func TestDecoderRefusesNonCanonicalForms(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		read func(d *codec.Decoder)
		want string
	}{
		{"non-minimal varint", []byte{0x87, 0x00}, func(d *codec.Decoder) { d.Uvarint("n", 1000) }, "non-minimal"},
		{"varint over limit", []byte{0x05}, func(d *codec.Decoder) { d.Uvarint("n", 4) }, "exceeds limit"},
		{"bool 02", []byte{0x02}, func(d *codec.Decoder) { d.Bool("b") }, "0x00 or 0x01"},
		{"trailing bytes", []byte{0x01, 0x00}, func(d *codec.Decoder) { d.Bool("b") }, "trailing"},
		{"truncated", []byte{0x00}, func(d *codec.Decoder) { d.U32("u") }, "truncated"},
		{"count beyond input", []byte{0x05, 0x00}, func(d *codec.Decoder) { d.Count("l", 100) }, "larger than"},
		{"invalid UTF-8", []byte{0x01, 0xff}, func(d *codec.Decoder) { d.String("s", 10) }, "UTF-8"},
		{"string over limit", []byte{0x03, 'a', 'b', 'c'}, func(d *codec.Decoder) { d.String("s", 2) }, "field s length at byte 0: 3 exceeds limit 2"},
		{"count over limit", []byte{0x05, 0, 0, 0, 0, 0}, func(d *codec.Decoder) { d.Count("l", 4) }, "field l count at byte 0: 5 exceeds limit 4"},
		{"truncated length", []byte{0x80}, func(d *codec.Decoder) { d.String("s", 2) }, "field s length at byte 0: truncated varint"},
	}
	for _, c := range cases {
		d := codec.NewDecoder("test", c.in)
		c.read(d)
		err := d.Finish()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := rapid.Uint64().Draw(t, "a"), rapid.Int64().Draw(t, "b")
		s := rapid.String().Draw(t, "s")
		bs := rapid.SliceOf(rapid.Byte()).Draw(t, "bs")
		f := rapid.Bool().Draw(t, "f")
		e := &codec.Encoder{}
		e.Uvarint(a)
		e.I64(b)
		e.String(s)
		e.Bytes(bs)
		e.Bool(f)
		e.U16(uint16(a))
		d := codec.NewDecoder("t", e.Buf)
		if d.Uvarint("a", ^uint64(0)) != a || d.I64("b") != b || d.String("s", 1<<20) != s ||
			!bytes.Equal(d.Bytes("bs", 1<<20), bs) || d.Bool("f") != f || d.U16("u") != uint16(a) {
			t.Fatal("round trip changed a value")
		}
		if err := d.Finish(); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzDecoder: reading any input never panics, and a varint accepted is in
// shortest form.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0x87, 0x00, 0x01, 'a'})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := codec.NewDecoder("fuzz", b)
		v := d.Uvarint("v", ^uint64(0))
		if d.Err() == nil {
			e := &codec.Encoder{}
			e.Uvarint(v)
			if !bytes.HasPrefix(b, e.Buf) {
				t.Fatal("accepted a non-minimal varint")
			}
		}
		_ = d.String("s", 64)
		_ = d.Count("c", 10)
		_ = d.Bool("b")
		_ = d.Finish()
	})
}
