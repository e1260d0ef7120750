package node

import (
	"testing"
	"time"
)

func TestLingerUntil(t *testing.T) {
	last := time.Unix(1000, 0)
	const maxTxs, maxBytes = 100, 1 << 20
	for _, c := range []struct {
		name        string
		now         time.Duration // after last
		min         time.Duration
		txs, bytes  int
		wait        bool
		untilOffset time.Duration
	}{
		{"a few transactions early: wait for the interval", 10 * time.Millisecond, 100 * time.Millisecond, 5, 500, true, 100 * time.Millisecond},
		{"interval passed", 150 * time.Millisecond, 100 * time.Millisecond, 5, 500, false, 0},
		{"a full block by count goes at once", time.Millisecond, 100 * time.Millisecond, maxTxs, 500, false, 0},
		{"a full block by bytes goes at once", time.Millisecond, 100 * time.Millisecond, 5, maxBytes, false, 0},
		{"pacing off", time.Millisecond, 0, 5, 500, false, 0},
	} {
		until, wait := lingerUntil(last.Add(c.now), last, c.min, c.txs, c.bytes, maxTxs, maxBytes)
		if wait != c.wait || (wait && !until.Equal(last.Add(c.untilOffset))) {
			t.Errorf("%s: wait %v until %v, want %v until +%v", c.name, wait, until.Sub(last), c.wait, c.untilOffset)
		}
	}
}
