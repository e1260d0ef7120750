package bench

import (
	"math/rand"
	"testing"
	"time"
)

// The progress quantile is the exact one to the millisecond below, at the
// same rank, for latencies within the counts' bound.
func TestProgressQuantileIsTheExactOneToTheMillisecond(t *testing.T) {
	var l latencies
	if got := l.progress(0.99); got != 0 {
		t.Fatalf("no latencies: progress %v, want 0", got)
	}
	if got := l.exact(0.5, 1); got[0] != 0 || got[1] != 0 {
		t.Fatalf("no latencies: exact %v, want zeros", got)
	}
	rng := rand.New(rand.NewSource(1))
	for n := 1; n <= 5000; n = n*3 + 1 {
		for range n - len(l.all) {
			l.add(time.Duration(rng.Int63n(int64(3 * time.Second))))
		}
		for _, p := range []float64{0, 0.5, 0.95, 0.99, 1} {
			want := l.exact(p)[0].Truncate(time.Millisecond)
			if got := l.progress(p); got != want {
				t.Fatalf("%d latencies, p%.0f: progress %v, exact to the ms %v", n, 100*p, got, want)
			}
		}
	}
}

// Latencies past the counts' bound show as the bound in progress lines and
// exactly in the summary.
func TestLongLatenciesAreExactInTheSummary(t *testing.T) {
	var l latencies
	l.add(10 * time.Millisecond)
	l.add(5 * time.Minute)
	if got, want := l.progress(1), maxBucketMs*time.Millisecond; got != want {
		t.Fatalf("progress max %v, want the bound %v", got, want)
	}
	if got := l.exact(0, 1); got[0] != 10*time.Millisecond || got[1] != 5*time.Minute {
		t.Fatalf("exact min and max %v, want 10ms and 5m", got)
	}
	if len(l.counts) != maxBucketMs+1 {
		t.Fatalf("%d buckets, want %d", len(l.counts), maxBucketMs+1)
	}
}
