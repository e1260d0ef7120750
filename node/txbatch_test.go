package node

import (
	"bytes"
	"testing"
)

// Frames stay within what a peer accepts, however the transactions' sizes
// add up, and carry every transaction once, in order.
func TestTxBatchFramesStayWithinTheLimits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sizes []int
		want  int // frames
	}{
		{"three large EPCIS documents", []int{600 << 10, 600 << 10, 600 << 10}, 3},
		{"one transaction of the maximum size after a small one", []int{100, 1 << 20}, 2},
		{"a thousand small transactions", repeat(1000, 300), 2}, // 512 + 488 by count
	} {
		t.Run(tc.name, func(t *testing.T) {
			var frames [][]byte
			emit := func(f []byte) { frames = append(frames, f) }
			var b txBatch
			var sent [][]byte
			for i, n := range tc.sizes {
				raw := bytes.Repeat([]byte{byte(i)}, n)
				sent = append(sent, raw)
				b.add(raw, emit)
			}
			b.flush(emit)
			if len(frames) != tc.want {
				t.Fatalf("%d frames, want %d", len(frames), tc.want)
			}
			var got [][]byte
			for _, f := range frames {
				if len(f) > gossipMaxBatchBytes+64<<10 {
					t.Fatalf("a frame of %d bytes: peers accept at most %d", len(f), gossipMaxBatchBytes+64<<10)
				}
				txs, err := decodeTxBatch(f)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, txs...)
			}
			if len(got) != len(sent) {
				t.Fatalf("%d transactions arrived, %d sent", len(got), len(sent))
			}
			for i := range sent {
				if !bytes.Equal(got[i], sent[i]) {
					t.Fatalf("transaction %d changed on the way", i)
				}
			}
		})
	}
}

func repeat(n, v int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}
