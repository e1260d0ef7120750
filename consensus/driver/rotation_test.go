package driver

import (
	"testing"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/disk"
	"github.com/qianchain/qianchain/consensus/signer"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
)

// rotatingHost is testHost whose validator set is the old one up to height
// `at`-1 and the new one from `at` on: a governance rotation, as the node's
// chain returns the next height's set from Commit.
type rotatingHost struct {
	testHost
	at       uint64
	old, new *ledger.ValidatorSet
}

func (h *rotatingHost) set(height uint64) *ledger.ValidatorSet {
	if height >= h.at {
		return h.new
	}
	return h.old
}

func (h *rotatingHost) Commit(d *consensus.Decision) (*ledger.ValidatorSet, error) {
	h.vals = h.set(d.Height)
	if _, err := h.testHost.Commit(d); err != nil {
		return nil, err
	}
	return h.set(d.Height + 1), nil
}

// A validator holding its next key signs every height with the key of that
// height's set: the old key up to the rotation, the new one from it on,
// never both at one height; its signer state follows, and a restart holding
// only the old key is refused rather than signing from a forgotten state.
func TestReplicaSwitchesToTheNextKeyAtTheRotation(t *testing.T) {
	oldKey, newKey := key(0), key(9)
	one := func(k ledger.PrivateKey) *ledger.ValidatorSet {
		s, err := ledger.NewValidatorSet([]ledger.Validator{{PubKey: k.PublicKey(), Power: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	h := &rotatingHost{at: 4, old: one(oldKey), new: one(newKey)}
	fs := disk.NewMem()
	cfg := Config{Chain: chain, Timeouts: fastTimeouts(), Key: oldKey, NextKey: newKey, WALPath: "data/cs.wal", SignerPath: "data/state.json", FS: fs}
	r, err := NewReplica(cfg, h, 1, h.set(1))
	if err != nil {
		t.Fatal(err)
	}
	signedBy := map[uint64]map[ledger.PublicKey]bool{}
	collect := func() {
		out, _ := r.Outbox()
		for _, o := range out {
			m, err := wire.Decode(o.Data)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := m.(*wire.Vote)
			if !ok {
				continue
			}
			for _, k := range []ledger.PrivateKey{oldKey, newKey} {
				if v.Vote.Verify(chain, k.PublicKey()) == nil {
					if signedBy[v.Vote.Height] == nil {
						signedBy[v.Vote.Height] = map[ledger.PublicKey]bool{}
					}
					signedBy[v.Vote.Height][k.PublicKey()] = true
				}
			}
		}
	}
	collect()
	for h.height() < 7 {
		if err := r.Resume(); err != nil {
			t.Fatal(err)
		}
		collect()
	}
	for height := uint64(1); height <= 7; height++ {
		want := oldKey.PublicKey()
		if height >= 4 {
			want = newKey.PublicKey()
		}
		if len(signedBy[height]) != 1 || !signedBy[height][want] {
			t.Fatalf("height %d signed by %v, want only %s", height, signedBy[height], want.Short())
		}
	}
	r.Close()
	// The signer state now belongs to the new key: a restart that holds
	// both keys resumes; one holding only the old key is refused.
	if _, err := signer.OpenKeys(fs, "data/state.json", []ledger.PrivateKey{oldKey, newKey}, chain); err != nil {
		t.Fatalf("both keys: %v", err)
	}
	if _, err := signer.Open(fs, "data/state.json", oldKey, chain); err == nil {
		t.Fatal("the old key alone opened a state the new key wrote")
	}
}
