package node

import (
	"fmt"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
)

// valHistory is the validator set of every height, as the node's store
// keeps it (ledger/store, 'v'): the genesis set from height 1, then one
// span per height at which a governance change took (or will take) effect.
// The chain appends a span when it stores a block that scheduled one. The
// driver goroutine, block sync, the network refresher and the API read it.
type valHistory struct {
	mu    sync.RWMutex
	spans []store.SetSpan // From strictly increasing; spans[0].From == 1
}

func loadValHistory(st *store.Store) (*valHistory, error) {
	spans, err := st.ValidatorSets(1, ^uint64(0))
	if err != nil {
		return nil, fmt.Errorf("read the validator-set history: %w", err)
	}
	if len(spans) == 0 || spans[0].From != 1 {
		return nil, fmt.Errorf("the store holds no genesis validator set")
	}
	return &valHistory{spans: spans}, nil
}

// at returns the set that signs height h (h ≥ 1). For a height past the
// last scheduled change it is the last set: correct up to tip+2, which is
// as far as anyone asks.
func (v *valHistory) at(h uint64) *ledger.ValidatorSet {
	v.mu.RLock()
	defer v.mu.RUnlock()
	for i := len(v.spans) - 1; i > 0; i-- {
		if v.spans[i].From <= h {
			return v.spans[i].Set
		}
	}
	return v.spans[0].Set
}

// startsAt reports whether a new set takes effect at height h.
func (v *valHistory) startsAt(h uint64) bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	for _, s := range v.spans[1:] {
		if s.From == h {
			return true
		}
	}
	return false
}

// add records the set that takes effect at from (a block at from-2
// scheduled it).
func (v *valHistory) add(from uint64, set *ledger.ValidatorSet) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if last := v.spans[len(v.spans)-1]; last.From >= from {
		return // already known (a replayed commit)
	}
	v.spans = append(v.spans, store.SetSpan{From: from, Set: set})
}

// list returns a copy of the spans.
func (v *valHistory) list() []store.SetSpan {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return append([]store.SetSpan(nil), v.spans...)
}

// peerDirectory is implemented by an Application that keeps the validators'
// node identities (ContractsApp, from the membership contract). Without
// one, the node admits the genesis validators' peers for the chain's life.
type peerDirectory interface {
	ValidatorPeers(st *store.Store, tip uint64) (current, upcoming []peer.ID, err error)
}

// refreshPeers makes the network admit the validators of height tip+1, those
// of every set already scheduled after it (a validator voted in is admitted
// from the block that approved it), and the allowed peers (genesis
// observers, p2p.allowed_peers); a peer
// that is none of these any more (a validator whose removal or peer-id
// rotation took effect) is disconnected. Transaction relay treats the
// current validators as validators, and the mempool keeps its relay
// reserve while one of them is another node (followValidators). Called
// after each block that scheduled a change or after which a new set takes
// effect; New applies the same plan at start (peerPlan, then
// followValidators once the gossip exists).
func (n *Node) refreshPeers(tip uint64) error {
	admitted, validators, err := n.peerPlan(tip)
	if err != nil {
		return err
	}
	n.Net.SetAdmitted(admitted)
	n.followValidators(validators)
	return nil
}

// followValidators applies the current validators' peers to what depends
// on them beside the network's admission: which relays the gossip treats
// as a validator's, and whether the mempool keeps its relay reserve.
func (n *Node) followValidators(validators map[peer.ID]bool) {
	n.gossip.setValidators(validators)
	n.Pool.SetRelayPeers(relaysFrom(validators, n.Net.ID()))
}

// relaysFrom reports whether a validator other than self may relay
// transactions to this node. It goes by peer ids: a lone validator whose
// rotated peer id has taken effect while it still runs the old node key
// counts its new id as another validator, and keeps the reserve until it
// restarts (smaller blocks, nothing worse).
func relaysFrom(validators map[peer.ID]bool, self peer.ID) bool {
	for p := range validators {
		if p != self {
			return true
		}
	}
	return false
}

// peerPlan is what refreshPeers applies: the admitted peers and the
// validators among them.
func (n *Node) peerPlan(tip uint64) ([]peer.ID, map[peer.ID]bool, error) {
	current, upcoming := n.genesisPeers, []peer.ID(nil)
	if dir, ok := n.app.(peerDirectory); ok {
		var err error
		if current, upcoming, err = dir.ValidatorPeers(n.Store, tip); err != nil {
			return nil, nil, fmt.Errorf("read the validators' peers: %w", err)
		}
	}
	admitted := append(append(append([]peer.ID(nil), n.allowedPeers...), current...), upcoming...)
	validators := make(map[peer.ID]bool, len(current))
	for _, p := range current {
		validators[p] = true
	}
	return admitted, validators, nil
}
