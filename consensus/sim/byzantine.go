package sim

import (
	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/driver"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
)

// behave sends one outgoing message of nd as its behaviour dictates.
func (w *world) behave(nd *node, o driver.Outgoing) {
	to := w.peers(nd)
	if o.To != "" {
		to = nil
		if dst := w.byPeer(o.To); dst != nil {
			to = []*node{dst}
		}
	}
	switch nd.kind {
	case Equivocator:
		if w.equivocate(nd, to, o.Data) {
			return
		}
	case DoubleVoter:
		if w.doubleVote(nd, to, o.Data) {
			return
		}
	case Garbage:
		if w.rng.IntN(2) == 0 {
			w.garbage(nd, to, o.Data)
		}
	}
	w.deliver(nd, to, o.Data)
}

// split sends a to a random half of to and b to the rest.
func (w *world) split(from *node, to []*node, a, b []byte) {
	var ta, tb []*node
	for _, dst := range to {
		if w.rng.IntN(2) == 0 {
			ta = append(ta, dst)
		} else {
			tb = append(tb, dst)
		}
	}
	w.deliver(from, ta, a)
	w.deliver(from, tb, b)
}

func (w *world) equivocate(nd *node, to []*node, data []byte) bool {
	m, err := wire.Decode(data)
	if err != nil {
		return false
	}
	pm, ok := m.(*wire.Proposal)
	if !ok || pm.Proposal.Height != nd.store.height()+1 {
		return false
	}
	self, key := w.selfAt(nd, pm.Proposal.Height)
	if int(pm.Proposal.Proposer) != self {
		return false
	}
	p := *pm.Proposal
	alt := w.buildBlock(nd.store, nd, key.PublicKey(), p.Height, p.Round, 4+w.rng.IntN(3))
	if w.rng.IntN(3) == 0 {
		alt.Txs[0].Payload = []byte(invalidMarker)
		alt.FillHeader()
	}
	p.BlockHash = alt.Hash()
	if w.rng.IntN(2) == 0 {
		p.POLRound = -1
	}
	if err := p.Sign(w.chain, key); err != nil {
		return false
	}
	w.tracef("node %d equivocates at h=%d r=%d", nd.id, p.Height, p.Round)
	w.split(nd, to, data, wire.Encode(&wire.Proposal{Proposal: &p, Block: alt}))
	return true
}

func (w *world) doubleVote(nd *node, to []*node, data []byte) bool {
	m, err := wire.Decode(data)
	if err != nil {
		return false
	}
	vm, ok := m.(*wire.Vote)
	if !ok || vm.Vote.Height > nd.store.height()+effectDelay {
		return false
	}
	self, key := w.selfAt(nd, vm.Vote.Height)
	if int(vm.Vote.Validator) != self {
		return false
	}
	v := *vm.Vote
	if v.BlockHash == nil || w.rng.IntN(2) == 0 {
		h := w.randomHash()
		v.BlockHash = &h
	} else {
		v.BlockHash = nil
	}
	if err := v.Sign(w.chain, key); err != nil {
		return false
	}
	w.split(nd, to, data, wire.Encode(&wire.Vote{Vote: &v}))
	return true
}

func (w *world) randomHash() ledger.Hash {
	var h ledger.Hash
	for i := range h {
		h[i] = byte(w.rng.IntN(256))
	}
	return h
}

// garbage sends one kind of junk next to a real message. The kinds that
// need a place in the set pick random bytes instead while the node's
// identity has none (before it is voted in, after it is removed).
func (w *world) garbage(nd *node, to []*node, data []byte) {
	h := nd.store.height() + 1
	vals := nd.store.sets.at(h)
	self, key := w.selfAt(nd, h)
	kind := w.rng.IntN(9)
	if self < 0 && kind >= 3 && kind <= 7 {
		kind = 0
	}
	var junk []byte
	switch kind {
	case 0: // random bytes
		junk = make([]byte, 1+w.rng.IntN(200))
		for i := range junk {
			junk[i] = byte(w.rng.IntN(256))
		}
	case 1: // truncated
		junk = data[:w.rng.IntN(len(data))]
	case 2: // one bit flipped: a bad signature, or a malformed field
		junk = append([]byte(nil), data...)
		junk[w.rng.IntN(len(junk))] ^= 1 << w.rng.IntN(8)
	case 3: // a vote in another validator's name, signed with our key
		other := (self + 1 + w.rng.IntN(max(1, vals.Size()-1))) % vals.Size()
		v := &ledger.Vote{Type: ledger.Prevote, Height: h, Round: uint32(w.rng.IntN(3)), Validator: uint16(other)}
		_ = v.Sign(w.chain, key)
		junk = wire.Encode(&wire.Vote{Vote: v})
	case 4: // a vote signed for another chain with this one's id and keys
		v := &ledger.Vote{Type: ledger.Precommit, Height: h, Round: 0, Validator: uint16(self)}
		_ = v.Sign(ledger.NewChainIdentity(w.chain.ChainID(), ledger.Sum([]byte("another genesis"))), key)
		junk = wire.Encode(&wire.Vote{Vote: v})
	case 5: // a proposal out of turn
		r := uint32(w.rng.IntN(4))
		if consensus.Proposer(vals, h, r) == self {
			r++
		}
		blk := w.buildBlock(nd.store, nd, key.PublicKey(), h, r, 1)
		p := &ledger.Proposal{Height: h, Round: r, POLRound: -1, BlockHash: blk.Hash(), Proposer: uint16(self)}
		_ = p.Sign(w.chain, key)
		junk = wire.Encode(&wire.Proposal{Proposal: p, Block: blk})
	case 6: // validly signed votes for far-future rounds
		v := &ledger.Vote{Type: ledger.Prevote, Height: h, Round: uint32(10 + w.rng.IntN(ledger.MaxRound-10)), Validator: uint16(self)}
		_ = v.Sign(w.chain, key)
		junk = wire.Encode(&wire.Vote{Vote: v})
	case 7: // a decided message whose commit is signed by us alone
		blk := w.buildBlock(nd.store, nd, key.PublicKey(), h, 0, 2)
		bh := blk.Hash()
		v := &ledger.Vote{Type: ledger.Precommit, Height: h, Round: 0, BlockHash: &bh, Validator: uint16(self)}
		_ = v.Sign(w.chain, key)
		c := &ledger.Commit{Height: h, Round: 0, BlockHash: bh, Sigs: []ledger.CommitSig{{Validator: uint16(self), Sig: v.Sig}}}
		junk = wire.Encode(&wire.Decided{Block: blk, Commit: c})
	default: // a status claiming a far height, and one for height 1
		junk = wire.Encode(&wire.Status{At: 1 + uint64(w.rng.IntN(1000))})
	}
	w.deliver(nd, to, junk)
}
