package node

import (
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

// The relay reserve holds when a validator other than this node may relay:
// this node's own entry in the set does not count.
func TestRelaysFrom(t *testing.T) {
	self, other := peer.ID("self"), peer.ID("other")
	for _, tc := range []struct {
		name       string
		validators map[peer.ID]bool
		want       bool
	}{
		{"no validators", map[peer.ID]bool{}, false},
		{"this node alone", map[peer.ID]bool{self: true}, false},
		{"this node and another", map[peer.ID]bool{self: true, other: true}, true},
		{"others only (an observer)", map[peer.ID]bool{other: true}, true},
	} {
		if got := relaysFrom(tc.validators, self); got != tc.want {
			t.Errorf("%s: relaysFrom = %v, want %v", tc.name, got, tc.want)
		}
	}
}
