package consensus

import (
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// TestProposerWeighted: over many consecutive slots each validator proposes
// its share of the power to within half a percent, never waits much longer
// than its fair interval, and the schedule is a function of (set, height,
// round) alone, with round r+1 at height h equal to round r at height h+1.
func TestProposerWeighted(t *testing.T) {
	powers := []uint64{1, 2, 3, 4, 10}
	vals, _ := testValidators(powers)
	const slots = 100_000
	counts := make([]int, len(powers))
	last := make([]int, len(powers))
	maxGap := make([]int, len(powers))
	for i := range last {
		last[i] = -1
	}
	for k := 0; k < slots; k++ {
		p := Proposer(vals, uint64(k+1), 0)
		counts[p]++
		if g := k - last[p]; last[p] >= 0 && g > maxGap[p] {
			maxGap[p] = g
		}
		last[p] = k
		if Proposer(vals, uint64(k+1), 0) != p || Proposer(vals, uint64(k), 1) != p {
			t.Fatalf("slot %d: schedule is not a function of height+round", k)
		}
	}
	total := vals.TotalPower()
	for i, c := range counts {
		share := float64(powers[i]) / float64(total)
		got := float64(c) / slots
		if got < share-0.005 || got > share+0.005 {
			t.Errorf("validator %d (power %d): proposed %.4f of slots, share %.4f", i, powers[i], got, share)
		}
		fair := float64(total) / float64(powers[i])
		if float64(maxGap[i]) > 3*fair {
			t.Errorf("validator %d: longest wait %d slots, fair interval %.1f", i, maxGap[i], fair)
		}
	}
}

func TestProposerEqualPowerRotates(t *testing.T) {
	vals, _ := testValidators([]uint64{1, 1, 1, 1})
	seen := map[int]bool{}
	for r := uint32(0); r < 8; r++ {
		seen[Proposer(vals, 1, r)] = true
	}
	if len(seen) != 4 {
		t.Fatalf("8 rounds of 4 equal validators reached only %d proposers", len(seen))
	}
	one, _ := ledger.NewValidatorSet(vals.Validators[:1])
	if Proposer(one, 7, 3) != 0 {
		t.Fatal("a single validator must always propose")
	}
}
