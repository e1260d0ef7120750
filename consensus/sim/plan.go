package sim

import (
	"fmt"

	"github.com/qianchain/qianchain/ledger"
)

// plannedChange is a change governance asks for from height from on: the
// simulator's stand-in for a proposal whose approvals are waiting in the
// mempool. Every proposer from that height on puts it in its block until
// its own chain has accepted it; whether it is accepted, refused or
// accepted twice over is for each replica's execution of the decided
// blocks (setHistory.execute), as for any transaction.
type plannedChange struct {
	from uint64
	change
}

// setupChanges adds one or two candidate identities (their nodes follow as
// observers until a set names them: in the twins mix a candidate may be a
// twin, in the chaos mix byzantine) and the adversary holding the keys
// outside each height's set, and plans 1 to 4 changes of distinct
// validators, each asked for from a height early enough to take effect
// before the last target height.
func (w *world) setupChanges(heights int, weighted bool) {
	var cands []int
	for range 1 + w.rng.IntN(2) {
		id := w.addIdent()
		kind := Honest
		switch {
		case w.mix.Name == "twins" && w.rng.IntN(2) == 0:
			kind = Twin
		case w.mix.Name == "chaos" && w.rng.IntN(3) == 0:
			kind = w.mix.Byzantine[w.rng.IntN(len(w.mix.Byzantine))]
		}
		w.idents[id].kind, w.idents[id].byz = kind, kind != Honest
		w.addNode(id, kind)
		if kind == Twin {
			w.addNode(id, Twin)
		}
		if kind != Honest {
			w.res.Byzantine = append(w.res.Byzantine, fmt.Sprintf("candidate %d: %s", id, kind))
		}
		cands = append(cands, id)
	}
	w.ghost = w.addNode(-1, Ghost)

	power := func() uint64 {
		if weighted {
			return uint64(1 + w.rng.IntN(30))
		}
		return 10
	}
	targets := w.rng.Perm(w.genesis.Size())
	for i := range 1 + w.rng.IntN(4) {
		c := change{id: uint16(i + 1)}
		kind := changeKind(1 + w.rng.IntN(4))
		if kind == changeAdd && len(cands) == 0 {
			kind = changePower
		}
		if kind != changeAdd && len(targets) == 0 {
			break
		}
		switch kind {
		case changeAdd:
			c.kind, c.key, c.power = changeAdd, w.idents[cands[0]].keys[0].PublicKey(), power()
			cands = cands[1:]
		default:
			t := w.idents[targets[0]]
			targets = targets[1:]
			c.kind, c.key = kind, t.keys[0].PublicKey()
			switch kind {
			case changePower:
				c.power = uint64(1 + w.rng.IntN(30))
			case changeRotate:
				c.newKey = t.keys[1].PublicKey()
			}
		}
		w.plan = append(w.plan, plannedChange{from: uint64(1 + w.rng.IntN(max(1, heights-3))), change: c})
	}
}

// askedFor returns the planned changes a proposer at height puts in its
// block on store s: those asked for by then that s's chain has not
// accepted.
func (w *world) askedFor(s *chainStore, height uint64) []change {
	var out []change
	for _, p := range w.plan {
		if p.from <= height && !s.sets.accepted(p.id) {
			out = append(out, p.change)
		}
	}
	return out
}

// accepted reports whether the change with this id was accepted.
func (s *setHistory) accepted(id uint16) bool {
	for _, r := range s.records[1:] {
		for _, c := range r.changes {
			if c.id == id {
				return true
			}
		}
	}
	return false
}

// outside returns, in identity order, the keys of every identity that are
// not in vals: the keys whose messages must count for nothing at a height
// whose set is vals.
func (w *world) outside(vals *ledger.ValidatorSet) []ledger.PrivateKey {
	var out []ledger.PrivateKey
	for _, id := range w.idents {
		for _, k := range id.keys {
			if vals.IndexOf(k.PublicKey()) < 0 {
				out = append(out, k)
			}
		}
	}
	return out
}
