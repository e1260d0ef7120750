package node

import "testing"

// Four validators, each with a 32 MB memtable filling by 1 MB a height:
// each flushes only at its own heights, three heights after the one before
// it, and only when the memtable would fill before its next turn.
func TestFlushDue(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		what                      string
		h                         uint64
		index, n                  int
		used, capacity, perHeight uint64
		want                      bool
	}{
		{"validator 0 at its height, would fill before the next (12 heights)", 24, 0, 4, 16 * mb, 32 * mb, mb, true},
		{"validator 1 at its height", 27, 1, 4, 16 * mb, 32 * mb, mb, true},
		{"validator 3 at its height", 33, 3, 4, 16 * mb, 32 * mb, mb, true},
		{"validator 1 at validator 0's height", 24, 0 + 1, 4, 16 * mb, 32 * mb, mb, false},
		{"validator 0 between its heights", 25, 0, 4, 31 * mb, 32 * mb, mb, false},
		{"at its height with room for the next 12 heights and half again", 24, 0, 4, 13 * mb, 32 * mb, mb, false},
		{"at its height, a quiet chain (1 KB a height): waits for Pebble", 24, 0, 4, 30 * mb, 32 * mb, 1 << 10, false},
		{"under a quarter full: never early", 24, 0, 4, 7 * mb, 32 * mb, 3 * mb, false},
		{"an observer", 24, -1, 4, 31 * mb, 32 * mb, mb, false},
		{"a lone validator: no one to keep out of step with", 0, 0, 1, 31 * mb, 32 * mb, mb, false},
		{"a store without a meter", 24, 0, 4, 0, 0, 0, false},
		{"five validators: validator 4 at 12 of every 15", 27, 4, 5, 16 * mb, 32 * mb, mb, true},
	} {
		if got := flushDue(tc.h, tc.index, tc.n, tc.used, tc.capacity, tc.perHeight); got != tc.want {
			t.Errorf("%s: flushDue(h=%d, %d of %d, used %d of %d, %d a height) = %v, want %v",
				tc.what, tc.h, tc.index, tc.n, tc.used, tc.capacity, tc.perHeight, got, tc.want)
		}
	}
}

// Over a long run of heights, no two of four validators flush at the same
// height or within flushSpacing-1 heights of each other, and each flushes
// before its memtable fills.
func TestFlushPhasesStayApart(t *testing.T) {
	const mb = 1 << 20
	n := 4
	capacity := []uint64{24 * mb, 26 * mb, 28 * mb, 30 * mb}
	used := make([]uint64, n)
	last := map[uint64]int{}
	for h := uint64(1); h <= 2000; h++ {
		for i := 0; i < n; i++ {
			used[i] += mb // every validator writes the same bytes
			if used[i] > capacity[i] {
				t.Fatalf("height %d: validator %d's memtable filled (%d of %d)", h, i, used[i], capacity[i])
			}
			if flushDue(h, i, n, used[i], capacity[i], mb) {
				for d := uint64(0); d < flushSpacing; d++ {
					if j, ok := last[h-d]; ok && j != i {
						t.Fatalf("height %d: validator %d flushes %d height(s) after validator %d", h, i, d, j)
					}
				}
				last[h] = i
				used[i] = 0
			}
		}
	}
	if len(last) < 2000/24*n/2 {
		t.Fatalf("only %d flushes in 2,000 heights", len(last))
	}
}
