package p2p

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// star starts one sender and n receivers that admit each other, connected.
func star(b *testing.B, n int) (*Network, []*Network) {
	ks, ids := newKeyB(b)
	var recv []*Network
	var recvIDs []peer.ID
	for i := 0; i < n; i++ {
		k, id := newKeyB(b)
		r, err := New(Config{Key: k, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Admitted: []peer.ID{ids}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.Close() })
		recv = append(recv, r)
		recvIDs = append(recvIDs, id)
	}
	var peers []peer.AddrInfo
	for i, r := range recv {
		peers = append(peers, peer.AddrInfo{ID: recvIDs[i], Addrs: r.ListenAddrs()})
	}
	s, err := New(Config{Key: ks, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Peers: peers, Admitted: recvIDs, QueueLen: 1 << 16})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	s.Start()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.Peers()) < n {
		if time.Now().After(deadline) {
			b.Fatal("peers did not connect")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s, recv
}

// BenchmarkBroadcast1KB measures throughput of broadcasting 1 KB frames from
// one node to three peers over TCP on loopback (the shape of a
// transaction batch or a vote going to the other validators).
func BenchmarkBroadcast1KB(b *testing.B) { benchBroadcast(b, 1024) }

// BenchmarkBroadcast1MB: a proposal carrying a block of about 2,500
// transactions.
func BenchmarkBroadcast1MB(b *testing.B) { benchBroadcast(b, 1<<20) }

func benchBroadcast(b *testing.B, size int) {
	s, recv := star(b, 3)
	var got atomic.Int64
	for _, r := range recv {
		r.Handle(testProto, size+16, func(peer.ID, []byte) error { got.Add(1); return nil })
	}
	frame := make([]byte, size)
	want := int64(3 * b.N)
	b.SetBytes(int64(size) * 3)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Broadcast(testProto, frame)
		for s.Stats().DroppedFrames > 0 {
			b.Fatal("dropped frames: the queue is too short for the benchmark")
		}
		// Keep at most a few thousand frames in flight.
		for int64(3*(i+1))-got.Load() > 3000 {
			time.Sleep(50 * time.Microsecond)
		}
	}
	for got.Load() < want {
		time.Sleep(50 * time.Microsecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "broadcasts/s")
}

// BenchmarkBroadcastLatency measures how long one 200-byte frame (a vote)
// takes to reach all three peers, one at a time.
func BenchmarkBroadcastLatency(b *testing.B) {
	s, recv := star(b, 3)
	var got atomic.Int64
	for _, r := range recv {
		r.Handle(testProto, 256, func(peer.ID, []byte) error { got.Add(1); return nil })
	}
	frame := make([]byte, 200)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Broadcast(testProto, frame)
		for got.Load() < int64(3*(i+1)) {
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/broadcast")
}
