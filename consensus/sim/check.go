package sim

import (
	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
)

// checkOutgoing enforces "no honest validator ever signs two different
// messages for one height, round and step": every proposal and vote an
// honest node sends in its own name is remembered by its sign bytes.
func (w *world) checkOutgoing(nd *node, data []byte) {
	if !nd.honest() || nd.val < 0 {
		return
	}
	m, err := wire.Decode(data)
	if err != nil {
		w.violate("node %d sent undecodable bytes: %v", nd.id, err)
		return
	}
	var k signKey
	var sb ledger.Hash
	switch m := m.(type) {
	case *wire.Proposal:
		if int(m.Proposal.Proposer) != nd.val {
			return
		}
		k = signKey{val: nd.val, step: 0, height: m.Proposal.Height, round: m.Proposal.Round}
		sb = m.Proposal.SignBytes(w.chain)
	case *wire.Vote:
		if int(m.Vote.Validator) != nd.val {
			return // a relayed vote
		}
		k = signKey{val: nd.val, step: uint8(m.Vote.Type), height: m.Vote.Height, round: m.Vote.Round}
		sb = m.Vote.SignBytes(w.chain)
	default:
		return
	}
	if prev, ok := w.signed[k]; ok && prev != sb {
		w.violate("honest validator %d (node %d) double-signed step %d at height %d round %d", nd.val, nd.id, k.step, k.height, k.round)
		return
	}
	w.signed[k] = sb
}

// checkDecision enforces agreement, validity and a verifying commit for
// every decision of an honest node; s is the node's store before the block.
func (w *world) checkDecision(nd *node, d *consensus.Decision, s *chainStore) {
	if !nd.honest() {
		return
	}
	h := d.Block.Hash()
	if !w.verifier.verifyCommit(w.chain, w.vals, d.Commit, d.Height, h) {
		w.violate("node %d decided height %d with a commit that does not verify", nd.id, d.Height)
	}
	if err := w.validate(s, d.Block); err != nil {
		w.violate("validity: node %d decided an invalid block at height %d: %v", nd.id, d.Height, err)
	}
	i := int(d.Height) - 1
	switch {
	case i < len(w.decided):
		if w.decided[i] != h {
			w.violate("agreement: node %d decided %s at height %d, another honest node decided %s", nd.id, h.Short(), d.Height, w.decided[i].Short())
		}
	case i == len(w.decided):
		w.decided = append(w.decided, h)
		w.decidedRound = append(w.decidedRound, d.Round)
	default:
		w.violate("node %d decided height %d before anyone decided height %d", nd.id, d.Height, len(w.decided)+1)
	}
	w.tracef("node %d decided height %d round %d block %s", nd.id, d.Height, d.Round, h.Short())
}

// checkEvidence: evidence must verify, and must never name an honest
// validator.
func (w *world) checkEvidence(nd *node, ev *ledger.DuplicateVoteEvidence) {
	if err := ev.Validate(); err != nil {
		w.violate("node %d produced malformed evidence: %v", nd.id, err)
		return
	}
	v, ok := w.vals.Get(int(ev.A.Validator))
	if !ok || ev.Signer != v.PubKey || !w.verifier.Verify(v.PubKey, ev.A.SignBytes(w.chain), ev.A.Sig) || !w.verifier.Verify(v.PubKey, ev.B.SignBytes(w.chain), ev.B.Sig) {
		w.violate("node %d produced evidence that does not verify", nd.id)
		return
	}
	if !w.byzVal[ev.A.Validator] {
		w.violate("evidence of a double vote by honest validator %d", ev.A.Validator)
	}
}

func encodeVote(v *ledger.Vote) []byte { return wire.Encode(&wire.Vote{Vote: v}) }
