package sim

import (
	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
)

// checkOutgoing enforces, on every proposal and vote an honest node sends:
//
//   - it verifies against the validator set of its height (the reference
//     history's): an honest node signs with the key that height's set
//     names, and relays only messages it counted, so a relayed message
//     signed outside the set is proof that it counted one;
//   - no honest validator ever signs two different messages for one
//     height, round and step, nor one message with two keys (across its
//     restarts and its key rotation): messages in its own name are
//     remembered by identity, sign bytes and key.
func (w *world) checkOutgoing(nd *node, data []byte) {
	if !nd.honest() {
		return
	}
	m, err := wire.Decode(data)
	if err != nil {
		w.violate("node %d sent undecodable bytes: %v", nd.id, err)
		return
	}
	var k signKey
	var sb ledger.Hash
	var sig ledger.Signature
	var index int
	switch m := m.(type) {
	case *wire.Proposal:
		p := m.Proposal
		k = signKey{step: 0, height: p.Height, round: p.Round}
		sb, sig, index = p.SignBytes(w.chain), p.Sig, int(p.Proposer)
	case *wire.Vote:
		v := m.Vote
		k = signKey{step: uint8(v.Type), height: v.Height, round: v.Round}
		sb, sig, index = v.SignBytes(w.chain), v.Sig, int(v.Validator)
	default:
		return
	}
	if k.height > uint64(len(w.decided))+effectDelay {
		w.violate("node %d sent a message for height %d, with %d heights decided", nd.id, k.height, len(w.decided))
		return
	}
	v, ok := w.ref.at(k.height).Get(index)
	if !ok || !w.verifier.Verify(v.PubKey, sb, sig) {
		w.violate("node %d sent a step-%d message of height %d round %d in the name of validator %d that the set of that height does not sign", nd.id, k.step, k.height, k.round, index)
		return
	}
	k.ident = w.owner[v.PubKey]
	if k.ident != nd.ident {
		return // a relayed message
	}
	s := signed{msg: sb, key: v.PubKey}
	if prev, ok := w.signed[k]; ok && prev != s {
		w.violate("honest validator identity %d (node %d) double-signed step %d at height %d round %d (keys %s and %s)", k.ident, nd.id, k.step, k.height, k.round, prev.key.Short(), s.key.Short())
		return
	}
	w.signed[k] = s
}

// checkDecision enforces agreement, validity and a commit that verifies
// against the set of the decided height for every decision of an honest
// node; s is the node's store before the block. The first decision of
// each height extends the reference set history.
func (w *world) checkDecision(nd *node, d *consensus.Decision, s *chainStore) {
	if !nd.honest() {
		return
	}
	h := d.Block.Hash()
	if d.Height <= uint64(len(w.decided))+effectDelay && !w.verifier.verifyCommit(w.chain, w.ref.at(d.Height), d.Commit, d.Height, h) {
		w.violate("node %d decided height %d with a commit that does not verify against the set of that height", nd.id, d.Height)
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
		accepted, refused := w.ref.execute(d.Block, w.byzantine)
		for _, c := range accepted {
			w.tracef("height %d approves %s, effective at %d", d.Height, c, d.Height+effectDelay)
		}
		for _, r := range refused {
			w.tracef("height %d refuses %s", d.Height, r)
		}
	default:
		w.violate("node %d decided height %d before anyone decided height %d", nd.id, d.Height, len(w.decided)+1)
	}
	w.tracef("node %d decided height %d round %d block %s", nd.id, d.Height, d.Round, h.Short())
}

// checkEvidence: evidence must verify against the set of the votes'
// height, name the key that signed them, and never name an honest
// validator.
func (w *world) checkEvidence(nd *node, ev *ledger.DuplicateVoteEvidence) {
	if err := ev.Validate(); err != nil {
		w.violate("node %d produced malformed evidence: %v", nd.id, err)
		return
	}
	if ev.A.Height > uint64(len(w.decided))+effectDelay {
		w.violate("node %d produced evidence for height %d, with %d heights decided", nd.id, ev.A.Height, len(w.decided))
		return
	}
	v, ok := w.ref.at(ev.A.Height).Get(int(ev.A.Validator))
	if !ok || ev.Signer != v.PubKey || !w.verifier.Verify(v.PubKey, ev.A.SignBytes(w.chain), ev.A.Sig) || !w.verifier.Verify(v.PubKey, ev.B.SignBytes(w.chain), ev.B.Sig) {
		w.violate("node %d produced evidence that does not verify against the set of height %d", nd.id, ev.A.Height)
		return
	}
	if !w.byzantine(v.PubKey) {
		w.violate("evidence of a double vote by honest validator %d (key %s) at height %d", ev.A.Validator, v.PubKey.Short(), ev.A.Height)
	}
}

func encodeVote(v *ledger.Vote) []byte { return wire.Encode(&wire.Vote{Vote: v}) }
