package api

import (
	"net"
	"testing"
	"time"
)

// The token bucket: a burst passes, then one token per 1/rate seconds;
// clients are independent; loopback is exempt unless asked; a batch takes
// one token per transaction.
func TestTokenBucket(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	l := newLimiter(LimitConfig{Rate: 2, Burst: 3}, DefaultRate, DefaultBurst)
	a, b := net.ParseIP("203.0.113.7"), net.ParseIP("2001:db8::1")
	for i := 0; i < 3; i++ {
		if ok, _ := l.take(a, 1, t0); !ok {
			t.Fatalf("burst token %d refused", i)
		}
	}
	ok, wait := l.take(a, 1, t0)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("over the burst: ok=%v wait=%v, want a 500ms wait", ok, wait)
	}
	if ok, _ := l.take(b, 3, t0); !ok {
		t.Fatal("another client shares the first one's bucket")
	}
	if ok, _ := l.take(a, 1, t0.Add(499*time.Millisecond)); ok {
		t.Fatal("a token appeared before 1/rate")
	}
	if ok, _ := l.take(a, 1, t0.Add(500*time.Millisecond)); !ok {
		t.Fatal("no token after 1/rate")
	}
	if ok, _ := l.take(a, 2, t0.Add(time.Second)); ok {
		t.Fatal("a batch of 2 passed with one token")
	}
	if ok, _ := l.take(net.ParseIP("127.0.0.1"), 1000, t0); !ok {
		t.Fatal("loopback limited by default")
	}
	strict := newLimiter(LimitConfig{Rate: 1, Burst: 1, LimitLoopback: true}, DefaultRate, DefaultBurst)
	strict.take(net.ParseIP("::1"), 1, t0)
	if ok, _ := strict.take(net.ParseIP("::1"), 1, t0); ok {
		t.Fatal("LimitLoopback did not limit ::1")
	}
	if ok, _ := newLimiter(LimitConfig{Rate: -1}, DefaultRate, DefaultBurst).take(a, 1_000_000, t0); !ok {
		t.Fatal("a negative rate must disable the limit")
	}
	// A batch larger than the bucket passes once the bucket is full.
	if ok, _ := newLimiter(LimitConfig{Rate: 1, Burst: 5}, DefaultRate, DefaultBurst).take(a, 50, t0); !ok {
		t.Fatal("an oversized batch can never pass")
	}
	// Idle buckets are forgotten.
	l.take(a, 1, t0.Add(2*time.Minute))
	if len(l.buckets) != 1 {
		t.Fatalf("%d buckets after the sweep, want the active one", len(l.buckets))
	}
}

// An IPv6 client is its /64: addresses that differ only in the last 64
// bits share one bucket (a host is routinely given a whole /64); another
// /64 has its own.
func TestTokenBucketGroupsIPv6By64(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	l := newLimiter(LimitConfig{Rate: 1, Burst: 2}, DefaultRate, DefaultBurst)
	for _, a := range []string{"2001:db8:1:2::1", "2001:db8:1:2:dead:beef:0:1"} {
		if ok, _ := l.take(net.ParseIP(a), 1, t0); !ok {
			t.Fatalf("%s refused within the burst", a)
		}
	}
	if ok, _ := l.take(net.ParseIP("2001:db8:1:2:ffff::7"), 1, t0); ok {
		t.Fatal("a third address of the same /64 got a token of its own")
	}
	if ok, _ := l.take(net.ParseIP("2001:db8:1:3::1"), 1, t0); !ok {
		t.Fatal("another /64 shares the bucket")
	}
}
