package bench

import (
	"slices"
	"time"
)

// latencies keeps every commit latency the bench sees, for the summary's
// exact percentiles, and counts them by whole millisecond for the progress
// line printed each second.
//
// Why the counts: the progress line used to copy and sort every latency so
// far, twice a second, holding the runner's lock — the lock the submitting
// workers and the block watcher take. Ten minutes at 3,000 tx/s is 1.8
// million latencies: by the end each line sorted for a good part of a
// second, the bench spent 0.22–0.24 of a core (against 0.09 in 60-second
// runs), and a block seen meanwhile had its latency stretched by the wait.
// A quantile over the counts is a walk of a few thousand buckets.
type latencies struct {
	all    []time.Duration
	counts []int // counts[i]: latencies in [i, i+1) ms, grown as needed; counts[maxBucketMs] holds every longer one (and counts[0] any negative one)
}

// maxBucketMs bounds the progress counts (the last bucket holds longer
// latencies, which the progress line then shows as this); the summary's
// percentiles come from every latency and have no bound.
const maxBucketMs = 120_000

func (l *latencies) add(d time.Duration) {
	l.all = append(l.all, d)
	i := min(max(int(d/time.Millisecond), 0), maxBucketMs)
	if i >= len(l.counts) {
		l.counts = append(l.counts, make([]int, i+1-len(l.counts))...)
	}
	l.counts[i]++
}

// progress is the p-quantile to the millisecond below (the rank
// exact's is, int(p·(n-1)) of the sorted latencies), 0 with none yet.
func (l *latencies) progress(p float64) time.Duration {
	if len(l.all) == 0 {
		return 0
	}
	k := int(p * float64(len(l.all)-1))
	for i, c := range l.counts {
		if k < c {
			return time.Duration(i) * time.Millisecond
		}
		k -= c
	}
	return time.Duration(len(l.counts)-1) * time.Millisecond
}

// exact returns the p-quantiles of every latency (0 with none), sorting
// once.
func (l *latencies) exact(ps ...float64) []time.Duration {
	out := make([]time.Duration, len(ps))
	if len(l.all) == 0 {
		return out
	}
	sorted := slices.Clone(l.all)
	slices.Sort(sorted)
	for i, p := range ps {
		out[i] = sorted[int(p*float64(len(sorted)-1))]
	}
	return out
}
