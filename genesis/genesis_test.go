package genesis

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestValidatorSetInFileOrder(t *testing.T) {
	d := testDoc(t)
	vs, err := d.ValidatorSet()
	if err != nil {
		t.Fatal(err)
	}
	if vs.Size() != len(d.Validators) {
		t.Fatalf("size %d, want %d", vs.Size(), len(d.Validators))
	}
	var total uint64
	for i, v := range d.Validators {
		got, _ := vs.Get(i)
		if got.PubKey != v.PubKey || got.Power != v.Power {
			t.Errorf("validator %d = %+v, want %s power %d", i, got, v.PubKey, v.Power)
		}
		total += v.Power
	}
	if vs.TotalPower() != total {
		t.Errorf("total power %d, want %d", vs.TotalPower(), total)
	}
}

func TestTimeout(t *testing.T) {
	c := DefaultConsensusParams()
	cases := []struct {
		step  Step
		round uint32
		want  time.Duration
	}{
		{StepPropose, 0, 3 * time.Second},
		{StepPropose, 2, 4 * time.Second},
		{StepPrevote, 0, time.Second},
		{StepPrevote, 3, 2500 * time.Millisecond},
		{StepPrecommit, 1, 1500 * time.Millisecond},
		{StepPrecommit, 1 << 30, MaxRoundTimeout}, // capped, no overflow
		{StepPropose, 7193, MaxRoundTimeout - 500*time.Millisecond},
		{StepPropose, 7194, MaxRoundTimeout},
	}
	for _, c2 := range cases {
		if got := c.Timeout(c2.step, c2.round); got != c2.want {
			t.Errorf("Timeout(%d, %d) = %s, want %s", c2.step, c2.round, got, c2.want)
		}
	}
	c.TimeoutPrevoteDelta = 0
	if got := c.Timeout(StepPrevote, 1<<30); got != time.Second {
		t.Errorf("zero delta: %s", got)
	}
}

func TestSaveLoad(t *testing.T) {
	d := testDoc(t)
	p := filepath.Join(t.TempDir(), "genesis.json")
	if err := d.Save(p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %04o, want 0644", fi.Mode().Perm())
	}
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != d.Hash() {
		t.Fatal("hash differs after Save and Load")
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load missing: %v", err)
	}
	d.Validators = nil
	if err := d.Save(p); err == nil {
		t.Fatal("Save wrote an invalid document")
	}
}

func TestJSONShape(t *testing.T) {
	d := testDoc(t)
	d.Organisations[0].GLNs = nil
	var m map[string]any
	if err := json.Unmarshal(d.JSON(), &m); err != nil {
		t.Fatal(err)
	}
	o := m["organisations"].([]any)[0].(map[string]any)
	if g, ok := o["glns"].([]any); !ok || len(g) != 0 {
		t.Errorf("empty GLN list rendered as %v, want []", o["glns"])
	}
	if m["genesis_time"] != "2026-11-25T00:00:00Z" {
		t.Errorf("genesis_time = %v", m["genesis_time"])
	}
}
