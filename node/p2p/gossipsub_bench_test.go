package p2p

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
)

// The gossipsub benchmarks measure the alternative this package rejected
// (see doc.go), on the same shape: one publisher, three subscribers, all
// connected on loopback TCP. Compare with BenchmarkBroadcast1KB and
// BenchmarkBroadcastLatency.

func gossipStar(b *testing.B) (*pubsub.Topic, []*pubsub.Subscription) {
	ctx := context.Background()
	var hosts []host.Host
	for i := 0; i < 4; i++ {
		h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { h.Close() })
		hosts = append(hosts, h)
	}
	for i := range hosts {
		for j := i + 1; j < len(hosts); j++ {
			if err := hosts[i].Connect(ctx, peer.AddrInfo{ID: hosts[j].ID(), Addrs: hosts[j].Addrs()}); err != nil {
				b.Fatal(err)
			}
		}
	}
	var topics []*pubsub.Topic
	var subs []*pubsub.Subscription
	for i, h := range hosts {
		ps, err := pubsub.NewGossipSub(ctx, h, pubsub.WithPeerOutboundQueueSize(1<<14), pubsub.WithValidateQueueSize(1<<14))
		if err != nil {
			b.Fatal(err)
		}
		t, err := ps.Join("qian-bench")
		if err != nil {
			b.Fatal(err)
		}
		topics = append(topics, t)
		if i > 0 {
			s, err := t.Subscribe(pubsub.WithBufferSize(1 << 16))
			if err != nil {
				b.Fatal(err)
			}
			subs = append(subs, s)
		}
	}
	// Messages published before the mesh forms are lost: wait for it.
	deadline := time.Now().Add(10 * time.Second)
	for len(topics[0].ListPeers()) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // a heartbeat or so for the mesh
	return topics[0], subs
}

func drain(ctx context.Context, subs []*pubsub.Subscription, got *atomic.Int64) {
	for _, s := range subs {
		go func(s *pubsub.Subscription) {
			for {
				if _, err := s.Next(ctx); err != nil {
					return
				}
				got.Add(1)
			}
		}(s)
	}
}

func BenchmarkGossipsub1KB(b *testing.B) {
	topic, subs := gossipStar(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got atomic.Int64
	drain(ctx, subs, &got)
	b.SetBytes(3 * 1024)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		msg := make([]byte, 1024)
		msg[0], msg[1], msg[2], msg[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24) // distinct: gossipsub drops duplicates
		if err := topic.Publish(ctx, msg); err != nil {
			b.Fatal(err)
		}
		for int64(3*(i+1))-got.Load() > 3000 {
			time.Sleep(50 * time.Microsecond)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for got.Load() < int64(3*b.N) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Microsecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "broadcasts/s")
	b.ReportMetric(float64(int64(3*b.N)-got.Load()), "lost")
}

func BenchmarkGossipsubLatency(b *testing.B) {
	topic, subs := gossipStar(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got atomic.Int64
	drain(ctx, subs, &got)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		msg := make([]byte, 200)
		msg[0], msg[1], msg[2], msg[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
		if err := topic.Publish(ctx, msg); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(time.Second)
		for got.Load() < int64(3*(i+1)) && time.Now().Before(deadline) {
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/broadcast")
}
