package node

import "testing"

// Every validator of a set gets its own memtable size, each under the 32 MB
// at which Pebble's doubling from 256 KB would give two of them the same
// size; an observer keeps the store's default.
func TestMemTableSizesDiffer(t *testing.T) {
	if got := memTableSize(-1, 4); got != 0 {
		t.Errorf("observer: %d, want 0 (the default)", got)
	}
	want4 := []uint64{24 << 20, 26 << 20, 28 << 20, 30 << 20}
	for i, w := range want4 {
		if got := memTableSize(i, 4); got != w {
			t.Errorf("validator %d of 4: %d MB, want %d MB", i, got>>20, w>>20)
		}
	}
	for n := 1; n <= 100; n++ {
		seen := map[uint64]int{}
		for i := 0; i < n; i++ {
			s := memTableSize(i, n)
			if s < 24<<20 || s >= 32<<20 {
				t.Fatalf("validator %d of %d: %d bytes, outside [24 MB, 32 MB)", i, n, s)
			}
			if j, dup := seen[s]; dup {
				t.Fatalf("validators %d and %d of %d share memtable size %d", j, i, n, s)
			}
			seen[s] = i
		}
	}
}
