package sim

import (
	"strings"
	"testing"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/ledger"
)

func testSet(t *testing.T, powers ...uint64) (*ledger.ValidatorSet, []ledger.PrivateKey) {
	t.Helper()
	var vals []ledger.Validator
	var keys []ledger.PrivateKey
	for i, p := range powers {
		keys = append(keys, keyCache[i])
		vals = append(vals, ledger.Validator{PubKey: keyCache[i].PublicKey(), Power: p})
	}
	vs, err := ledger.NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	return vs, keys
}

func blockWith(h uint64, cs ...change) *ledger.Block {
	b := &ledger.Block{Header: ledger.Header{ChainID: simChain.ChainID(), Height: h}}
	for _, c := range cs {
		b.Txs = append(b.Txs, c.tx(simChain.ChainID(), h))
	}
	b.FillHeader()
	return b
}

// The simulated contract follows membership's rules: a change approved by
// block h is the set of h+2 (not h+1), removal shifts the indexes, a
// rotation keeps its place; refused are a pending validator's second
// change, a move of a third of the power, a reused key, an empty set, and
// (the simulation's assumption) byzantine power reaching a third.
func TestSetHistoryFollowsTheContractRules(t *testing.T) {
	genesis, keys := testSet(t, 10, 10, 10, 10)
	honest := func(ledger.PublicKey) bool { return false }
	s := newSetHistory(genesis)
	fresh := keyCache[50].PublicKey()
	acc, ref := s.execute(blockWith(1,
		change{id: 1, kind: changeRemove, key: keys[1].PublicKey()},
		change{id: 2, kind: changeRotate, key: keys[2].PublicKey(), newKey: fresh},
	), honest)
	if len(acc) != 1 || acc[0].id != 1 || len(ref) != 1 || !strings.Contains(ref[0], "power shift") {
		t.Fatalf("remove then rotate in one block (together a half of the power): accepted %v, refused %v", acc, ref)
	}
	if s.at(2) != genesis || s.at(3).Size() != 3 || s.at(3).IndexOf(keys[2].PublicKey()) != 1 {
		t.Fatalf("the removal approved at 1: set of 2 %v, of 3 %v", s.at(2).Validators, s.at(3).Validators)
	}
	acc, ref = s.execute(blockWith(2,
		change{id: 3, kind: changeRemove, key: keys[1].PublicKey()},                // unknown now
		change{id: 4, kind: changeRotate, key: keys[2].PublicKey(), newKey: fresh}, // a quarter of 40 and a third of 30: refused
	), honest)
	if len(acc) != 0 || len(ref) != 2 {
		t.Fatalf("block 2: accepted %v, refused %v", acc, ref)
	}
	acc, ref = s.execute(blockWith(3,
		change{id: 5, kind: changeAdd, key: fresh, power: 10},
		change{id: 6, kind: changePower, key: fresh, power: 12}, // pending: added in this block
		change{id: 7, kind: changeAdd, key: keys[1].PublicKey(), power: 1},
	), honest)
	if len(acc) != 1 || acc[0].id != 5 || len(ref) != 2 {
		t.Fatalf("block 3: accepted %v, refused %v", acc, ref)
	}
	if s.at(4).Size() != 3 || s.at(5).Size() != 4 || s.at(5).IndexOf(fresh) != 3 {
		t.Fatalf("the addition approved at 3: %d at 4, %d at 5", s.at(4).Size(), s.at(5).Size())
	}
	acc, _ = s.execute(blockWith(4, change{id: 8, kind: changePower, key: fresh, power: 12}), honest)
	if len(acc) != 0 {
		t.Fatal("a change of a validator whose addition takes effect at 5 was accepted at 4")
	}
	acc, _ = s.execute(blockWith(5, change{id: 9, kind: changeRotate, key: keys[0].PublicKey(), newKey: keyCache[51].PublicKey()}), honest)
	if len(acc) != 1 || s.at(7).IndexOf(keyCache[51].PublicKey()) != 0 || s.at(7).IndexOf(keys[0].PublicKey()) != -1 {
		t.Fatalf("rotation at 5: accepted %v, set of 7 %v", acc, s.at(7).Validators)
	}
	acc, _ = s.execute(blockWith(6, change{id: 10, kind: changeAdd, key: keys[0].PublicKey(), power: 1}), honest)
	if len(acc) != 0 {
		t.Fatal("a rotated-away key was voted in again")
	}
	byz := func(k ledger.PublicKey) bool { return k == keys[3].PublicKey() }
	acc, _ = s.execute(blockWith(7, change{id: 11, kind: changePower, key: keys[3].PublicKey(), power: 19}), byz)
	if len(acc) != 0 {
		t.Fatal("byzantine power reached a third")
	}
	one, _ := testSet(t, 5)
	s = newSetHistory(one)
	if acc, _ = s.execute(blockWith(1, change{id: 1, kind: changeRemove, key: keyCache[0].PublicKey()}), honest); len(acc) != 0 {
		t.Fatal("the last validator was removed")
	}
	if s.applied != 0 {
		t.Fatalf("applied %d", s.applied)
	}
}

// The checkers hold every message to the set of its height: after a
// rotation and a removal take effect, a commit counting the removed
// validator, a relayed vote signed with the rotated-away key in its old
// place, the rotated validator signing one height with both keys, and
// evidence made of outside votes are all reported; the same messages with
// the keys of the height are not.
func TestCheckersUseTheSetOfEachHeight(t *testing.T) {
	w := newTestWorld(4)
	oldKey, newKey := w.idents[1].keys[0], w.idents[1].keys[1]
	removed := w.idents[3].keys[0]
	w.plan = []plannedChange{
		{from: 1, change: change{id: 1, kind: changeRotate, key: oldKey.PublicKey(), newKey: newKey.PublicKey()}},
		{from: 2, change: change{id: 2, kind: changeRemove, key: removed.PublicKey()}},
	}
	n0 := w.nodes[0]
	sign := func(h uint64, bh ledger.Hash, signers map[int]ledger.PrivateKey) *ledger.Commit {
		c := &ledger.Commit{Height: h, BlockHash: bh}
		for i := range 4 {
			k, ok := signers[i]
			if !ok {
				continue
			}
			v := &ledger.Vote{Type: ledger.Precommit, Height: h, BlockHash: &bh, Validator: uint16(i)}
			_ = v.Sign(w.chain, k)
			c.Sigs = append(c.Sigs, ledger.CommitSig{Validator: uint16(i), Sig: v.Sig})
		}
		return c
	}
	keysAt := func(h uint64) map[int]ledger.PrivateKey {
		m := map[int]ledger.PrivateKey{}
		for i, v := range w.ref.at(h).Validators {
			for _, id := range w.idents {
				for _, k := range id.keys {
					if k.PublicKey() == v.PubKey {
						m[i] = k
					}
				}
			}
		}
		return m
	}
	decide := func(h uint64, c func(ledger.Hash) *ledger.Commit) *ledger.Block {
		t.Helper()
		_, key := w.selfAt(n0, h)
		b := w.buildBlock(n0.store, n0, key.PublicKey(), h, 0, 1)
		if _, err := n0.host.Commit(&consensus.Decision{Height: h, Block: b, Commit: c(b.Hash())}); err != nil {
			t.Fatal(err)
		}
		return b
	}
	for h := uint64(1); h <= 3; h++ {
		decide(h, func(bh ledger.Hash) *ledger.Commit { return sign(h, bh, keysAt(h)) })
	}
	if len(w.res.Violations) != 0 {
		t.Fatalf("a correct chain was reported: %v", w.res.Violations)
	}
	if w.ref.at(3).IndexOf(newKey.PublicKey()) != 1 || w.ref.at(4).Size() != 3 || n0.store.sets.at(4).Hash() != w.ref.at(4).Hash() {
		t.Fatalf("sets: 3 %v, 4 %v", w.ref.at(3).Validators, w.ref.at(4).Validators)
	}
	expect := func(what string, f func()) {
		t.Helper()
		before := len(w.res.Violations)
		f()
		if len(w.res.Violations) == before {
			t.Fatalf("%s was not reported", what)
		}
	}
	// Height 4: validator 1 signs with its new key; validator 3 is gone.
	expect("a commit counting the removed validator", func() {
		decide(4, func(bh ledger.Hash) *ledger.Commit {
			return sign(4, bh, map[int]ledger.PrivateKey{0: keysAt(4)[0], 1: newKey, 3: removed})
		})
	})
	bh := w.randomHash()
	vote := func(k ledger.PrivateKey, i uint16, h uint64) []byte {
		v := &ledger.Vote{Type: ledger.Prevote, Height: h, Round: 0, BlockHash: &bh, Validator: i}
		_ = v.Sign(w.chain, k)
		return encodeVote(v)
	}
	expect("a relayed vote of the rotated-away key in its old place", func() { w.checkOutgoing(n0, vote(oldKey, 1, 4)) })
	before := len(w.res.Violations)
	w.checkOutgoing(n0, vote(newKey, 1, 4)) // relaying the new key's vote is fine
	n1 := w.nodes[1]
	w.checkOutgoing(n1, vote(oldKey, 1, 2))
	w.checkOutgoing(n1, vote(newKey, 1, 4))
	if len(w.res.Violations) != before {
		t.Fatalf("correct messages reported: %v", w.res.Violations[before:])
	}
	expect("one height signed with both keys", func() { w.checkOutgoing(n1, vote(oldKey, 1, 3)); w.checkOutgoing(n1, vote(newKey, 1, 3)) })
	a := &ledger.Vote{Type: ledger.Prevote, Height: 4, Round: 1, BlockHash: &bh, Validator: 1}
	b := &ledger.Vote{Type: ledger.Prevote, Height: 4, Round: 1, Validator: 1}
	_ = a.Sign(w.chain, oldKey)
	_ = b.Sign(w.chain, oldKey)
	expect("evidence made of the rotated-away key's votes", func() {
		w.checkEvidence(n0, ledger.NewDuplicateVoteEvidence(oldKey.PublicKey(), a, b))
	})
}

// Seeds with validator-set changes apply every kind of change, twins
// among the candidates, with outsiders' messages injected, and violate
// nothing.
func TestSimulationChangesTheSet(t *testing.T) {
	yes := true
	kinds := map[changeKind]int{}
	var outsider, twins int
	for seed := uint64(1); seed <= 40; seed++ {
		r, w := run(Options{Seed: seed, Changes: &yes})
		for _, v := range r.Violations {
			t.Errorf("seed %d: %s\nreplay: %s", seed, v, replayCommand(seed))
		}
		for _, rec := range w.ref.records[1:] {
			for _, c := range rec.changes {
				kinds[c.kind]++
			}
		}
		outsider += r.Outsider
		for _, b := range r.Byzantine {
			if strings.HasPrefix(b, "candidate") && strings.HasSuffix(b, "twin") {
				twins++
			}
		}
	}
	t.Logf("changes applied by kind %v; %d outsider messages; %d twin candidates", kinds, outsider, twins)
	for _, k := range []changeKind{changeAdd, changeRemove, changePower, changeRotate} {
		if kinds[k] == 0 {
			t.Errorf("no %s applied in 40 seeds", k)
		}
	}
	if outsider == 0 || twins == 0 {
		t.Errorf("%d outsider messages, %d twin candidates", outsider, twins)
	}
}
