package node_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qianchain/qianchain/consensus/signer"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/nodekey"
	"github.com/qianchain/qianchain/node/nodetest"
)

// signsAfter reports whether some block after height from, in st, records
// a precommit of the validator at index self.
func signsAfter(t *testing.T, st *store.Store, from uint64, self int) bool {
	t.Helper()
	for h := from + 1; h <= st.Height(); h++ {
		c, err := st.Commit(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range c.Sigs {
			if int(s.Validator) == self {
				return true
			}
		}
	}
	return false
}

// The double-sign guard: a validator restarted with its own signer state
// starts; one whose signer state was rolled back behind precommits the
// chain holds is refused before it signs anything (ErrSignerBehind, naming
// both heights); qian validator signer-advance's AdvanceSigner moves the
// state past the tip, after which the validator starts and signs again.
func TestSignerGuard(t *testing.T) {
	nw := nodetest.New(t, nodetest.Options{Validators: 4})
	nw.StartAll()
	nw.WaitHeight(4, 60*time.Second)
	m := nw.Members[3]
	self := nw.Genesis.Validators[3].PubKey
	vals, err := nw.Genesis.ValidatorSet()
	if err != nil {
		t.Fatal(err)
	}
	idx := vals.IndexOf(self)
	path := filepath.Join(m.Config.Paths().DataDir(), node.SignerStateFile)

	// A plain restart: the guard lets it through.
	nw.Stop(3)
	nw.Start(3)
	tip := nw.Members[0].Node.Store.Height()
	nw.WaitHeight(tip+3, 60*time.Second)
	select {
	case err := <-m.Node.Done():
		t.Fatalf("a plain restart stopped: %v", err)
	default:
	}

	// Rolled back to height 1: refused.
	nw.Stop(3)
	rolled, err := json.Marshal(signer.LastSigned{Height: 1, Round: 0, Step: signer.StepPrecommit, PubKey: self})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, rolled, 0o600); err != nil {
		t.Fatal(err)
	}
	nw.Start(3)
	var refused error
	select {
	case refused = <-m.Node.Done():
	case <-time.After(60 * time.Second):
		t.Fatal("a validator with a rolled-back signer state kept running")
	}
	var sb *node.SignerBehindError
	if !errors.Is(refused, node.ErrSignerBehind) || !errors.As(refused, &sb) || sb.Last != 1 || sb.Height <= 1 || sb.Key != self {
		t.Fatalf("refusal: %v", refused)
	}
	if last, err := node.ReadSignerState(path); err != nil || last.Height != 1 {
		t.Fatalf("the refused validator signed: state %+v %v", last, err)
	}
	nw.Stop(3)

	// signer-advance: the key is read from the home, as qian does.
	if err := os.MkdirAll(m.Config.Paths().KeysDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := nodekey.WriteValidatorKey(m.Config.Paths().ValidatorKeyFile(), m.ValKey); err != nil {
		t.Fatal(err)
	}
	l, err := node.AdvanceSigner(m.Config)
	if err != nil {
		t.Fatal(err)
	}
	if l.Height <= sb.Height || l.PubKey != self {
		t.Fatalf("advanced to %+v, the chain holds a precommit at %d", l, sb.Height)
	}
	nw.Start(3)
	nw.WaitHeight(l.Height+3, 60*time.Second)
	select {
	case err := <-m.Node.Done():
		t.Fatalf("the advanced validator stopped: %v", err)
	default:
	}
	// The three others are a quorum without it, so a certificate may leave
	// its precommit out for a few heights; at the latest, a block it
	// proposes carries its own precommit of the height before.
	for deadline := time.Now().Add(60 * time.Second); !signsAfter(t, nw.Members[0].Node.Store, l.Height, idx); {
		if time.Now().After(deadline) {
			t.Fatalf("the advanced validator's precommits appear in no commit after height %d (tip %d)", l.Height, nw.Members[0].Node.Store.Height())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
