package schnorrbatch

import (
	"testing"
)

// fuzzItems builds a batch from fuzz input. Random bytes almost never form a
// valid signature, so items start as valid pool items and the input edits
// them. The input is read as records:
//
//	op byte, then by op % 4:
//	  0: [index]            a pool item
//	  1: [index, pos, val]  a pool item with byte pos%128 XORed with val
//	  2: [index, pos, val]  a pool item with byte pos%128 set to val
//	  3: [128 bytes]        key || msg || sig taken verbatim
//
// Bytes 0-31 of an item are the key, 32-63 the message, 64-127 the
// signature. At most 64 items are built.
func fuzzItems(pool []Item, data []byte) []Item {
	var items []Item
	for len(data) > 0 && len(items) < 64 {
		op := data[0] % 4
		data = data[1:]
		if op == 3 {
			if len(data) < 128 {
				break
			}
			var it Item
			copy(it.Key[:], data[:32])
			copy(it.Msg[:], data[32:64])
			copy(it.Sig[:], data[64:128])
			items = append(items, it)
			data = data[128:]
			continue
		}
		if len(data) < 1 {
			break
		}
		it := pool[int(data[0])%len(pool)]
		data = data[1:]
		if op != 0 {
			if len(data) < 2 {
				break
			}
			pos, val := int(data[0])%128, data[1]
			data = data[2:]
			b := itemBytes(&it)
			if op == 1 {
				b[pos] ^= val
			} else {
				b[pos] = val
			}
			it = itemFromBytes(b)
		}
		items = append(items, it)
	}
	return items
}

func itemBytes(it *Item) [128]byte {
	var b [128]byte
	copy(b[:32], it.Key[:])
	copy(b[32:64], it.Msg[:])
	copy(b[64:], it.Sig[:])
	return b
}

func itemFromBytes(b [128]byte) Item {
	var it Item
	copy(it.Key[:], b[:32])
	copy(it.Msg[:], b[32:64])
	copy(it.Sig[:], b[64:])
	return it
}

// FuzzVerify: Verify and VerifyEach agree with single verification on every
// batch the fuzzer builds, and never panic.
func FuzzVerify(f *testing.F) {
	pool := itemPool(f)
	f.Add([]byte{0, 1, 0, 2, 0, 3})
	f.Add([]byte{1, 5, 70, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		items := fuzzItems(pool, data)
		want := refVerifyEach(items)
		if got := Verify(items); got != (len(want) == 0) {
			t.Fatalf("Verify = %v, invalid items %v", got, want)
		}
		if got := VerifyEach(items); !equalInts(got, want) {
			t.Fatalf("VerifyEach = %v, want %v", got, want)
		}
	})
}
