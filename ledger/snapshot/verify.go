package snapshot

import (
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/schnorrbatch"
	"github.com/qianchain/qianchain/ledger/statedigest"
	"github.com/qianchain/qianchain/ledger/store"
)

// Anchor is what a restorer trusts: the chain's identity and genesis
// validator set, from its genesis file.
type Anchor struct {
	Chain      ledger.ChainIdentity
	Validators *ledger.ValidatorSet
}

// Verified is a manifest whose chain material and app-hash inputs are
// proven from genesis: its chunk hashes are what remains to check, chunk by
// chunk (CheckChunk), and its state digest, over the whole state (Restorer).
type Verified struct {
	Manifest *Manifest
	Next     *ledger.Header // header H+1, which carries AppHash(H)
	base     store.Base
}

// Verify checks m and p against a: the transitions from genesis, header H
// and its certificate, header H+1 and its certificate (every signature, in
// one batch), header H+1's app hash against m's app-hash inputs, and the
// validator-set history against the transitions and header H+1. It reads
// no chunk.
func Verify(m *Manifest, p *Proof, a Anchor) (*Verified, error) {
	if a.Validators == nil || a.Chain.Validate() != nil {
		return nil, fail(ErrChain, "the restorer has no chain identity or validator set: load the genesis file")
	}
	if m.ChainID != a.Chain.ChainID() || m.GenesisHash != a.Chain.GenesisHash() {
		return nil, fail(ErrChain, "the snapshot is for chain %q (genesis %s), the genesis file for %q (%s)", m.ChainID, m.GenesisHash.Short(), a.Chain.ChainID(), a.Chain.GenesisHash().Short())
	}
	if p == nil {
		return nil, fail(ErrProof, "the snapshot of height %d carries no header %d to prove it: attach one (qian snapshot create on a node that has committed height %d)", m.Height, m.Height+1, m.Height+1)
	}
	h := m.Height
	hdr, err := ledger.DecodeHeader(m.Base.Header)
	if err != nil {
		return nil, fail(ErrManifest, "base header: %v", err)
	}
	cmt, err := ledger.DecodeCommit(m.Base.Commit)
	if err != nil {
		return nil, fail(ErrManifest, "base certificate: %v", err)
	}
	next, err := ledger.DecodeHeader(p.Header)
	if err != nil {
		return nil, fail(ErrProof, "header: %v", err)
	}
	nextCmt, err := ledger.DecodeCommit(p.Commit)
	if err != nil {
		return nil, fail(ErrProof, "certificate: %v", err)
	}
	if hdr.Height != h || next.Height != h+1 {
		return nil, fail(ErrManifest, "the snapshot of height %d carries header %d and proves it with header %d", h, hdr.Height, next.Height)
	}

	// The validator-set history: from the genesis set, one span per
	// transition, and possibly the set of H+2 that header H+1 names.
	sets := make([]store.SetSpan, len(m.Base.Sets))
	for i, sp := range m.Base.Sets {
		set, err := ledger.DecodeValidatorSet(sp.Validators)
		if err != nil {
			return nil, fail(ErrManifest, "validator_sets[%d]: %v", i, err)
		}
		if i > 0 && sp.From <= sets[i-1].From || sp.From > h+2 {
			return nil, fail(ErrManifest, "validator_sets[%d]: from height %d, out of order or beyond %d", i, sp.From, h+2)
		}
		sets[i] = store.SetSpan{From: sp.From, Set: set}
	}
	if len(sets) == 0 || sets[0].From != 1 || sets[0].Set.Hash() != a.Validators.Hash() {
		return nil, fail(ErrManifest, "the validator-set history does not start with the genesis set at height 1")
	}
	f := ledger.NewSetFollower(a.Chain, a.Validators)
	var sigs []ledger.SignedMessage
	ti := 0
	trans := make([]store.HeaderCert, 0, len(m.Base.Transitions))
	baseChecked := false
	for _, sp := range sets[1:] {
		if sp.From == h+2 {
			break // named by header H+1, checked below
		}
		if ti >= len(m.Base.Transitions) {
			return nil, fail(ErrManifest, "the set change at height %d has no transition header", sp.From)
		}
		tp := m.Base.Transitions[ti]
		ti++
		th, err := ledger.DecodeHeader(tp.Header)
		if err != nil {
			return nil, fail(ErrManifest, "transitions[%d].header: %v", ti-1, err)
		}
		tc, err := ledger.DecodeCommit(tp.Commit)
		if err != nil {
			return nil, fail(ErrManifest, "transitions[%d].commit: %v", ti-1, err)
		}
		if th.Height+1 != sp.From {
			return nil, fail(ErrManifest, "transitions[%d]: header %d for the set change at %d", ti-1, th.Height, sp.From)
		}
		ss, err := f.Transition(&ledger.Transition{Header: th, Commit: tc, Validators: sp.Set})
		if err != nil {
			return nil, fail(ErrProof, "transitions[%d]: %v", ti-1, err)
		}
		sigs = append(sigs, ss...)
		trans = append(trans, store.HeaderCert{Header: th, Commit: tc})
		if th.Height == h { // the set changes at H+1: header H is this transition's
			if th.Hash() != hdr.Hash() {
				return nil, fail(ErrManifest, "the transition at %d has another header %d than the base's", sp.From, h)
			}
			baseChecked = true
		}
	}
	if ti != len(m.Base.Transitions) {
		return nil, fail(ErrManifest, "%d transitions for %d set changes", len(m.Base.Transitions), ti)
	}
	if !baseChecked {
		ss, err := f.Header(hdr, cmt)
		if err != nil {
			return nil, fail(ErrProof, "header %d: %v", h, err)
		}
		sigs = append(sigs, ss...)
	} else if err := cmt.Verify(a.Chain, f.SetAt(h), h, hdr.Hash()); err != nil {
		// Header H is the transition's: its certificate there was
		// checked against the set in force; so is the base's own copy.
		return nil, fail(ErrProof, "certificate of header %d: %v", h, err)
	}
	ss, err := f.Header(next, nextCmt)
	if err != nil {
		return nil, fail(ErrProof, "header %d: %v", h+1, err)
	}
	sigs = append(sigs, ss...)
	items := make([]schnorrbatch.Item, len(sigs))
	for i, s := range sigs {
		items[i] = schnorrbatch.Item{Key: s.Key, Msg: s.Msg, Sig: s.Sig}
	}
	if !schnorrbatch.Verify(items) {
		return nil, fail(ErrProof, "a signature of the snapshot's certificates does not verify")
	}

	// Header H+1 follows header H and carries AppHash(H), which the
	// manifest's inputs must give.
	switch {
	case next.PrevBlockHash != hdr.Hash():
		return nil, fail(ErrManifest, "header %d does not follow the snapshot's header %d", h+1, h)
	case next.AppHash != m.AppHash:
		return nil, fail(ErrManifest, "header %d carries app hash %s, the manifest says %s", h+1, next.AppHash, m.AppHash)
	}
	wr := statedigest.WritesRoot(m.WritesTree, m.StateDigest)
	if got := proof.AppHashLink(hdr.AppHash, h, wr, m.ResultsRoot); got != m.AppHash {
		return nil, fail(ErrManifest, "the manifest's writes tree, state digest and results root give app hash %s, header %d carries %s", got, h+1, m.AppHash)
	}
	last := sets[len(sets)-1]
	want := f.Current().Hash() // the set of H+2 when no change is scheduled
	if last.From == h+2 {
		want = last.Set.Hash()
	}
	if next.NextValidatorsHash != want {
		return nil, fail(ErrManifest, "header %d names next validator set %s, the snapshot's history gives %s", h+1, next.NextValidatorsHash.Short(), want.Short())
	}
	v := &Verified{Manifest: m, Next: next}
	v.base = store.Base{
		GenesisHash: m.GenesisHash, Header: hdr, Commit: cmt, AppHash: m.AppHash,
		WritesTree: m.WritesTree, Sets: sets, Transitions: trans,
	}
	return v, nil
}

// CheckChunk checks chunk i against the manifest: what a fetcher does as
// each chunk arrives, to refuse it (and penalise its sender) at once.
func (v *Verified) CheckChunk(i int, data []byte) error {
	m := v.Manifest
	if i < 0 || i >= len(m.Chunks) {
		return fail(ErrChunk, "chunk %d: the manifest names %d chunks", i, len(m.Chunks))
	}
	if len(data) != int(m.Chunks[i].Size) || ChunkHash(data) != m.Chunks[i].Hash {
		return fail(ErrChunk, "chunk %d (%d bytes) does not have the size and hash the manifest names", i, len(data))
	}
	return nil
}
