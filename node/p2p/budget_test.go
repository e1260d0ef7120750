package p2p

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// openFrames opens k streams from b to a on testProto and writes on each
// a length prefix of announced bytes followed by body. A stream the
// receiver resets while its body is still being written counts as opened:
// that is a refused frame, which is what the budget test waits to see (it
// failed CI under load, 2026-12-04, when the reset overtook the write).
func openFrames(t *testing.T, a, b *Network, k, announced int, body []byte) []network.Stream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []network.Stream
	for i := 0; i < k; i++ {
		s, err := b.host.NewStream(ctx, a.ID(), testProto)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Reset() })
		var hdr [binary.MaxVarintLen64]byte
		msg := append(hdr[:binary.PutUvarint(hdr[:], uint64(announced))], body...)
		if _, err := s.Write(msg); err != nil && !errors.Is(err, network.ErrReset) {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// An admitted peer announcing a 64 MiB frame on each of 16 streams and
// sending nothing more costs the receiver nothing for the frames: the
// buffer is allocated when bytes arrive, a chunk at a time. (Before, each
// length prefix allocated its announced size at once: 1 GiB here.)
func TestAnnouncedFrameAllocatesNothing(t *testing.T) {
	a, b := pair(t)
	a.Handle(testProto, 64<<20+1024, nop)
	const streams, announced = 16, 64 << 20
	before := heapInUse()
	ss := openFrames(t, a, b, streams, announced, nil)
	waitFor(t, "the receiver to read every length prefix", func() bool { return a.Stats().FramesPending == streams })
	grew := int64(heapInUse()) - int64(before)
	if grew > 16<<20 {
		t.Fatalf("the heap grew by %d MiB for %d announced frames of 64 MiB", grew>>20, streams)
	}
	if st := a.Stats(); st.FrameBytes != 0 {
		t.Fatalf("%d bytes held for frames that sent no byte", st.FrameBytes)
	}
	// The first byte buys the first chunk, no more.
	if _, err := ss[0].Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first chunk", func() bool { return a.Stats().FrameBytes == frameChunk })
	t.Logf("heap %+d KiB for %d streams announcing 64 MiB", grew>>10, streams)
}

// What one peer's unfinished frames hold together is bounded by its
// budget: the frame that would pass it is refused and the peer penalised,
// and what was held is returned.
func TestPeerBudgetBoundsUnfinishedFrames(t *testing.T) {
	const limit = 256 << 10
	a, b := pair(t, func(c *Config) { c.PeerBudget = limit })
	a.Handle(testProto, 1<<20, nop)
	// Three streams of 150 KiB pass the 256 KiB budget by the second; no
	// more than three, because each refused frame is a strike and the third
	// strike (maxStrikes) would close the connection under the writer.
	ss := openFrames(t, a, b, maxStrikes, 200<<10, bytes.Repeat([]byte{7}, 150<<10))
	deadline := time.Now().Add(10 * time.Second)
	for a.Stats().Penalties == 0 {
		if st := a.Stats(); st.FrameBytes > limit {
			t.Fatalf("%d bytes held, budget %d", st.FrameBytes, limit)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no penalty; %+v", a.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	if st := a.Stats(); st.FrameBytes > limit {
		t.Fatalf("%d bytes held, budget %d", st.FrameBytes, limit)
	}
	for _, s := range ss {
		_ = s.Reset()
	}
	waitFor(t, "the unfinished frames to return what they held", func() bool {
		st := a.Stats()
		return st.FrameBytes == 0 && st.FramesPending == 0
	})
}

func nop(peer.ID, []byte) error { return nil }
