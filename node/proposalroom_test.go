package node_test

import (
	"fmt"
	"testing"
)

// The block a lone validator proposes leaves its clients room in the
// mempool while it is decided: a full mempool of 8 admits 8 more once a
// block of the 8 is built. One of two validators sets nothing aside (its
// peer holds the same transactions, counted). The nodes are built, not
// started; nothing commits.
func TestProposalLeavesClientsRoom(t *testing.T) {
	for _, tc := range []struct {
		validators, first, more int
	}{
		{1, 8, 8},
		{2, 6, 0}, // 25 % kept for relays
	} {
		t.Run(fmt.Sprintf("%d validators", tc.validators), func(t *testing.T) {
			n, fill := builtNode(t, tc.validators)
			if got := fill(); got != tc.first {
				t.Fatalf("an empty mempool of 8 admitted %d, want %d", got, tc.first)
			}
			b, err := n.Chain.ProposeBlock(1, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Txs) != tc.first {
				t.Fatalf("the proposal holds %d transactions, want %d", len(b.Txs), tc.first)
			}
			if got := fill(); got != tc.more {
				t.Fatalf("with the block proposed the mempool admitted %d more, want %d", got, tc.more)
			}
		})
	}
}
