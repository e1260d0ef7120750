package proof

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
)

// Proofs that survive validator-set changes: a chain whose set changes four
// times (a validator added, one removed, a key rotated, a power changed),
// each change approved by a block and in force two heights later, and
// bundles of transactions before, at and after each change verified from
// genesis alone; then the forgeries docs/verification.md names.

// history makes 14 blocks of two transactions each. Sets:
//
//	1..3   A = k0 k1 k2 k3            (genesis, power 10 each)
//	4..6   B = k0 k1 k2 k3 k4         (k4 added; approved by block 2)
//	7..8   C = k0 k2 k3 k4            (k1 removed; block 5)
//	9..10  D = k0 k5 k3 k4            (k2 rotated to k5; block 7)
//	11..   E = k0(12) k5 k3 k4        (k0's power 10 -> 12; block 9)
func history(t testing.TB) (*chain, map[string]*ledger.ValidatorSet) {
	t.Helper()
	c := newChain(t, 4)
	k := func(i int) ledger.PrivateKey { return ledgertest.Key(uint64(1000 + i)) }
	sets := map[string]*ledger.ValidatorSet{"A": c.c.Validators}
	changes := map[uint64]*setChange{
		2: {keys: []ledger.PrivateKey{k(0), k(1), k(2), k(3), k(4)}},
		5: {keys: []ledger.PrivateKey{k(0), k(2), k(3), k(4)}},
		7: {keys: []ledger.PrivateKey{k(0), k(5), k(3), k(4)}},
		9: {keys: []ledger.PrivateKey{k(0), k(5), k(3), k(4)}, powers: []uint64{12, 10, 10, 10}},
	}
	names := map[uint64]string{2: "B", 5: "C", 7: "D", 9: "E"}
	for h := uint64(1); h <= 14; h++ {
		c.change = changes[h]
		c.block(t, 2, false)
		if name, ok := names[h]; ok {
			s, err := c.Store.ValidatorSet(h + 2)
			if err != nil {
				t.Fatal(err)
			}
			sets[name] = s
		}
	}
	return c, sets
}

func TestProofsVerifyFromGenesisAcrossSetChanges(t *testing.T) {
	c, sets := history(t)
	// The set of each height, and how many transitions a bundle of that
	// height follows (those up to its last header, h+1).
	want := []struct {
		set         string
		transitions int
	}{
		1: {"A", 0}, 2: {"A", 0}, 3: {"A", 1}, 4: {"B", 1}, 5: {"B", 1}, 6: {"B", 2}, 7: {"C", 2},
		8: {"C", 3}, 9: {"D", 3}, 10: {"D", 4}, 11: {"E", 4}, 12: {"E", 4}, 13: {"E", 4},
	}
	for h := uint64(1); h <= 13; h++ {
		for _, tx := range c.txs[h] {
			b, err := Build(c, tx.Hash())
			if err != nil {
				t.Fatalf("height %d: build: %v", h, err)
			}
			rep, err := VerifyJSON(b.Marshal(), c.anchor)
			if err != nil {
				t.Fatalf("height %d: %v", h, err)
			}
			w := want[h]
			if rep.ValidatorsHash != sets[w.set].Hash() || rep.Transitions != w.transitions || len(b.Transitions) != w.transitions ||
				rep.TotalPower != sets[w.set].TotalPower() || rep.Result == nil || !rep.InChain {
				t.Fatalf("height %d: set %s, %d transitions; report %+v", h, w.set, w.transitions, rep)
			}
		}
	}
	// Every bundle's signatures are accounted for by the set of their
	// height: the one of height 4 names 5 validators, and its certificate
	// (all of B signed) holds 50 of 50.
	b, _ := Build(c, c.txs[4][0].Hash())
	rep, err := Verify(b, c.anchor)
	if err != nil || rep.Validators != 5 || rep.SignedPower != 50 {
		t.Fatalf("height 4: %+v %v", rep, err)
	}
}

// forge edits a genuine bundle and expects code.
func forge(t *testing.T, c *chain, b *Bundle, code string, edit func(b *Bundle)) {
	t.Helper()
	var cp Bundle
	if err := json.Unmarshal(b.Marshal(), &cp); err != nil {
		t.Fatal(err)
	}
	edit(&cp)
	_, err := VerifyJSON(cp.Marshal(), c.anchor)
	if CodeOf(err) != code {
		t.Fatalf("got %v (code %q), want %s", err, CodeOf(err), code)
	}
}

// commitBy signs header h at round 0 with keys, which a set indexes as
// given: each key i signs as validator index[i].
func commitBy(c *chain, h *ledger.Header, keys []ledger.PrivateKey, index []uint16) *ledger.Commit {
	hash := h.Hash()
	cmt := &ledger.Commit{Height: h.Height, BlockHash: hash}
	for i, k := range keys {
		v := &ledger.Vote{Type: ledger.Precommit, Height: h.Height, BlockHash: &hash, Validator: index[i]}
		if err := v.Sign(c.c.Identity, k); err != nil {
			panic(err)
		}
		cmt.Sigs = append(cmt.Sigs, ledger.CommitSig{Validator: index[i], Sig: v.Sig})
	}
	return cmt
}

func TestForgedTransitionsAreRefused(t *testing.T) {
	c, sets := history(t)
	k := func(i int) ledger.PrivateKey { return ledgertest.Key(uint64(1000 + i)) }
	b, err := Build(c, c.txs[12][0].Hash()) // four transitions: B C D E
	if err != nil || len(b.Transitions) != 4 {
		t.Fatalf("%v %d", err, len(b.Transitions))
	}

	t.Run("a transition signed by the new set only", func(t *testing.T) {
		// The transition to B (height 4) re-certified by B's five keys
		// alone, as B indexes them: the verifier counts them as A's.
		forge(t, c, b, ErrTransition, func(b *Bundle) {
			h, _ := ledger.DecodeHeader(b.Transitions[0].Header.Encoding)
			b.Transitions[0].Commit = commitPart(commitBy(c, h, []ledger.PrivateKey{k(4)}, []uint16{4}))
		})
		forge(t, c, b, ErrTransition, func(b *Bundle) {
			h, _ := ledger.DecodeHeader(b.Transitions[1].Header.Encoding)
			// C's keys sign the header that moved B to C, in C's order.
			b.Transitions[1].Commit = commitPart(commitBy(c, h, []ledger.PrivateKey{k(0), k(2), k(3), k(4)}, []uint16{0, 1, 2, 3}))
		})
	})

	t.Run("a certificate counting a removed validator", func(t *testing.T) {
		// After k1's removal (C, height 7 on), the block of height 12 (set
		// E: k0 k5 k3 k4) certified by k0 and k3 and by k1's precommit
		// under the index it held before: not E's key there.
		forge(t, c, b, ErrCommit, func(b *Bundle) {
			h, _ := ledger.DecodeHeader(b.Header.Encoding)
			b.Commit = commitPart(commitBy(c, h, []ledger.PrivateKey{k(0), k(1), k(3)}, []uint16{0, 1, 2}))
			b.Next, b.Outcome = nil, nil
		})
	})

	t.Run("a rotated-away key signs nothing that counts", func(t *testing.T) {
		// k2 was rotated to k5 at height 9; its precommit at index 1 of E
		// (k5's place) does not verify against k5.
		forge(t, c, b, ErrCommit, func(b *Bundle) {
			h, _ := ledger.DecodeHeader(b.Header.Encoding)
			b.Commit = commitPart(commitBy(c, h, []ledger.PrivateKey{k(0), k(2), k(3)}, []uint16{0, 1, 2}))
			b.Next, b.Outcome = nil, nil
		})
	})

	t.Run("an old set signing after it was replaced", func(t *testing.T) {
		// A (genesis) keys fabricate header 12 naming A as its set, with a
		// transaction of their own, and certify it; the genuine
		// transitions in the bundle say A was replaced at height 4.
		_, fb := fabricate(t, c, 12, sets["A"], []ledger.PrivateKey{k(0), k(1), k(2), k(3)})
		fb.Transitions = b.Transitions
		if _, err := Verify(fb, c.anchor); CodeOf(err) != ErrValidators {
			t.Fatalf("got %v, want %s", err, ErrValidators)
		}
		// A transition the old set certifies after its replacement is
		// refused as well: A signs a header 7 that names A and moves to a
		// set of its choosing, placed after the genuine move to B.
		forged, _ := fabricate(t, c, 7, sets["A"], []ledger.PrivateKey{k(0), k(1), k(2), k(3)})
		forged.NextValidatorsHash = sets["C"].Hash()
		forge(t, c, b, ErrTransition, func(b *Bundle) {
			tr := ledger.Transition{Header: forged, Commit: commitBy(c, forged, []ledger.PrivateKey{k(0), k(1), k(2), k(3)}, []uint16{0, 1, 2, 3}), Validators: sets["C"]}
			b.Transitions = append([]TransitionPart{b.Transitions[0], transitionPart(&tr)}, b.Transitions[2:]...)
		})
	})

	t.Run("a skipped transition", func(t *testing.T) {
		forge(t, c, b, ErrTransition, func(b *Bundle) { b.Transitions = append(b.Transitions[:1], b.Transitions[2:]...) })
		forge(t, c, b, ErrValidators, func(b *Bundle) { b.Transitions = b.Transitions[:3] })
		forge(t, c, b, ErrValidators, func(b *Bundle) { b.Transitions = []TransitionPart{} })
	})

	t.Run("transitions out of order", func(t *testing.T) {
		forge(t, c, b, ErrTransition, func(b *Bundle) { b.Transitions[1], b.Transitions[2] = b.Transitions[2], b.Transitions[1] })
		forge(t, c, b, ErrTransition, func(b *Bundle) { b.Transitions = append(b.Transitions[:2], b.Transitions[1:]...) })
	})

	t.Run("a doctored new set", func(t *testing.T) {
		// B with k4's power raised: its hash is not the one header 3 names.
		doctored, _ := ledger.NewValidatorSet(append(append([]ledger.Validator(nil), sets["B"].Validators[:4]...), ledger.Validator{PubKey: k(4).PublicKey(), Power: 1000}))
		forge(t, c, b, ErrTransition, func(b *Bundle) { b.Transitions[0].Validators = validatorsPart(doctored) })
		// Another key in B's place.
		other, _ := ledger.NewValidatorSet(append(append([]ledger.Validator(nil), sets["B"].Validators[:4]...), ledger.Validator{PubKey: k(9).PublicKey(), Power: 10}))
		forge(t, c, b, ErrTransition, func(b *Bundle) { b.Transitions[0].Validators = validatorsPart(other) })
		// The readable copy changed alone.
		forge(t, c, b, ErrMismatch, func(b *Bundle) { b.Transitions[0].Validators.TotalPower++ })
		forge(t, c, b, ErrMismatch, func(b *Bundle) { b.Transitions[0].Height++ })
	})

	t.Run("a transition beyond the bundle", func(t *testing.T) {
		early, _ := Build(c, c.txs[5][0].Hash()) // one transition (B, at 4)
		forge(t, c, early, ErrTransition, func(x *Bundle) { x.Transitions = b.Transitions[:2] })
	})
}

// fabricate makes a bundle for a header of height that keys (as set)
// certify, holding one transaction of their own: what a set's corrupted
// keys could make after it was replaced. The bundle has no transitions.
func fabricate(t *testing.T, c *chain, height uint64, set *ledger.ValidatorSet, keys []ledger.PrivateKey) (*ledger.Header, *Bundle) {
	t.Helper()
	tx := c.c.Tx(9, 999, []byte("a record that never was"))
	blk := &ledger.Block{Header: ledger.Header{ChainID: testChainID, Height: height, Time: c.c.Time + 77, PrevBlockHash: ledger.Hash{7},
		LastCommitHash: ledger.Hash{8}, ValidatorsHash: set.Hash(), NextValidatorsHash: set.Hash(), Proposer: keys[0].PublicKey()}, Txs: []*ledger.Tx{tx}}
	blk.FillHeader()
	blk.Header.LastCommitHash = ledger.Hash{8}
	idx := make([]uint16, len(keys))
	for i := range idx {
		idx[i] = uint16(i)
	}
	b := &Bundle{Version: Version, ChainID: testChainID, GenesisHash: c.c.Identity.GenesisHash(), Tx: txPart(tx),
		Inclusion: Inclusion{Index: 0, Size: 1, Siblings: []ledger.Hash{}}, Header: headerPart(&blk.Header),
		Commit: commitPart(commitBy(c, &blk.Header, keys, idx)), Validators: validatorsPart(set), Transitions: []TransitionPart{}}
	return &blk.Header, b
}

// The limit every genesis-only verifier has, and what closes it: the
// genesis set's keys, all corrupted after the set was replaced, fabricate a
// block and withhold the transitions. The bundle verifies from genesis
// alone; a trust point at a height after the first change refuses it, as
// `qian verify --trust` does, and the genuine bundle passes the same trust
// point.
func TestWithheldTransitionsAndTrustPoints(t *testing.T) {
	c, sets := history(t)
	k := func(i int) ledger.PrivateKey { return ledgertest.Key(uint64(1000 + i)) }
	_, fb := fabricate(t, c, 12, sets["A"], []ledger.PrivateKey{k(0), k(1), k(2), k(3)})
	if _, err := Verify(fb, c.anchor); err != nil {
		t.Fatalf("the fabricated history should verify from genesis alone (the documented limit): %v", err)
	}
	trusted := c.anchor
	trusted.Trust = []TrustPoint{{Height: 9, SetHash: sets["D"].Hash()}}
	if _, err := Verify(fb, trusted); CodeOf(err) != ErrTrust {
		t.Fatalf("with a trust point: %v", err)
	}
	genuine, _ := Build(c, c.txs[12][0].Hash())
	rep, err := Verify(genuine, trusted)
	if err != nil || len(rep.Trusted) != 1 || len(rep.TrustBeyond) != 0 {
		t.Fatalf("the genuine bundle with the trust point: %+v %v", rep, err)
	}
	// A trust point beyond the bundle's last header is reported, not
	// checked: the bundle cannot speak for it.
	trusted.Trust = append(trusted.Trust, TrustPoint{Height: 99, SetHash: ledger.Hash{1}})
	rep, err = Verify(genuine, trusted)
	if err != nil || len(rep.TrustBeyond) != 1 {
		t.Fatalf("a trust point beyond: %+v %v", rep, err)
	}
	if !strings.Contains(genesisOnlyLimit, "withheld") {
		t.Fatal("the limit is named")
	}
}

const genesisOnlyLimit = "a transition withheld and an old set's keys misused"
