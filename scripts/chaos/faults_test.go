package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/qianchain/qianchain/consensus/signer"
	qnode "github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/config"
)

// TestSignsAgain: a wiped validator counts as recovered only once its
// signer state shows a signature above the height at the clear: not while
// the state file is gone (wiped), nor while it holds the state
// `qian validator signer-advance` writes (the height after the synced tip,
// largest round), which it signs nothing under.
func TestSignsAgain(t *testing.T) {
	home := t.TempDir()
	data := config.Paths{Home: home}.DataDir()
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	keys, _ := testValidators(t, 1)
	write := func(h uint64, round uint32) {
		t.Helper()
		b, err := json.Marshal(signer.LastSigned{Height: h, Round: round, Step: signer.StepPrecommit, PubKey: keys[0].PublicKey()})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, qnode.SignerStateFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const clear = 246
	steps := []struct {
		what  string
		set   func()
		wants bool
	}{
		{"wiped: no signer state", func() {}, false},
		{"advanced past the synced tip 249", func() { write(250, math.MaxUint32) }, false},
		{"signed at 251, round 0", func() { write(251, 0) }, true},
		{"signed only at the clear's height", func() { write(clear, 1) }, false},
		{"not wiped after all: signed at 247, round 2", func() { write(247, 2) }, true},
	}
	for _, s := range steps {
		s.set()
		if got := signsAgain(home, clear); got != s.wants {
			t.Errorf("%s: signsAgain = %v, want %v", s.what, got, s.wants)
		}
	}
}
