package sim

import (
	"sort"
	"time"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
)

// ghostEvery is the mean interval between the outsider's attacks.
const ghostEvery = 1500 * time.Millisecond

// maxProposedKept bounds the blocks remembered per height for the
// outsider to vote for.
const maxProposedKept = 4

// noteProposal remembers the first few blocks honest nodes propose at
// each height: the outsider's votes name them, so that counting an
// outsider's vote would move a real block towards a polka or a commit.
func (w *world) noteProposal(nd *node, data []byte) {
	if w.ghost == nil || !nd.honest() {
		return
	}
	m, err := wire.Decode(data)
	if err != nil {
		return
	}
	p, ok := m.(*wire.Proposal)
	if !ok || len(w.proposed[p.Proposal.Height]) >= maxProposedKept {
		return
	}
	w.proposed[p.Proposal.Height] = append(w.proposed[p.Proposal.Height], p.Block)
	delete(w.proposed, p.Proposal.Height-3)
}

// outsiderAttack is one move of the Ghost adversary. For the height the
// most advanced honest replica is deciding and the next one, it takes up
// to two keys outside that height's set (as the reference history has
// it: removed validators' keys, rotated-away keys, keys not voted in yet)
// and sends, signed with each, prevotes and precommits for a proposed
// block, a random block or nil, in the index the key held in an earlier
// set or any index; sometimes a proposal in the name of the round's
// proposer, and a decided message whose commit the outside keys alone
// sign. None of it may count: the checkers see to that through every
// decision's commit (verified against the set of its height), every
// message an honest node relays (the same), evidence, and agreement.
func (w *world) outsiderAttack() {
	var cur uint64
	var round uint32
	for _, nd := range w.nodes {
		if nd.honest() && nd.rep != nil && nd.rep.Height() >= cur {
			cur, round = nd.rep.Height(), nd.rep.State().Round
		}
	}
	if cur == 0 {
		return
	}
	for _, t := range []uint64{cur, cur + 1} {
		if t > uint64(len(w.decided))+effectDelay {
			continue // the reference does not know this height's set yet
		}
		vals := w.ref.at(t)
		keys := w.outside(vals)
		if len(keys) == 0 {
			continue
		}
		w.rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		keys = keys[:min(len(keys), 2)]
		r := round
		if t != cur || w.rng.IntN(4) == 0 {
			r = uint32(w.rng.IntN(3))
		}
		blocks := w.proposed[t]
		var target *ledger.Hash
		switch x := w.rng.IntN(4); {
		case x < 2 && len(blocks) > 0:
			h := blocks[w.rng.IntN(len(blocks))].Hash()
			target = &h
		case x < 3:
			h := w.randomHash()
			target = &h
		}
		idx := map[int]ledger.PrivateKey{}
		for _, k := range keys {
			i := w.formerIndex(k.PublicKey())
			if i < 0 || w.rng.IntN(2) == 0 {
				i = w.rng.IntN(vals.Size() + 1) // one past the end, too
			}
			idx[i] = k
			for _, typ := range []ledger.VoteType{ledger.Prevote, ledger.Precommit} {
				v := &ledger.Vote{Type: typ, Height: t, Round: r, BlockHash: target, Validator: uint16(i)}
				_ = v.Sign(w.chain, k)
				w.outsiderSend(wire.Encode(&wire.Vote{Vote: v}))
			}
		}
		if len(blocks) > 0 && w.rng.IntN(4) == 0 {
			blk := blocks[w.rng.IntN(len(blocks))]
			p := &ledger.Proposal{Height: t, Round: r + 1, POLRound: -1, BlockHash: blk.Hash(), Proposer: uint16(consensus.Proposer(vals, t, r+1))}
			_ = p.Sign(w.chain, keys[0])
			w.outsiderSend(wire.Encode(&wire.Proposal{Proposal: p, Block: blk}))
		}
		if len(blocks) > 0 && w.rng.IntN(4) == 0 {
			blk := blocks[w.rng.IntN(len(blocks))]
			bh := blk.Hash()
			c := &ledger.Commit{Height: t, Round: r, BlockHash: bh}
			order := make([]int, 0, len(idx))
			for i := range idx {
				order = append(order, i)
			}
			sort.Ints(order)
			for _, i := range order {
				v := &ledger.Vote{Type: ledger.Precommit, Height: t, Round: r, BlockHash: &bh, Validator: uint16(i)}
				_ = v.Sign(w.chain, idx[i])
				c.Sigs = append(c.Sigs, ledger.CommitSig{Validator: uint16(i), Sig: v.Sig})
			}
			w.outsiderSend(wire.Encode(&wire.Decided{Block: blk, Commit: c}))
		}
	}
}

func (w *world) outsiderSend(data []byte) {
	w.res.Outsider++
	w.deliver(w.ghost, w.peers(w.ghost), data)
}

// formerIndex is the index key held in the latest reference set that had
// it, or -1.
func (w *world) formerIndex(key ledger.PublicKey) int {
	for i := len(w.ref.records) - 1; i >= 0; i-- {
		if j := w.ref.records[i].vals.IndexOf(key); j >= 0 {
			return j
		}
	}
	return -1
}
