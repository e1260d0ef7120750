package contracts_test

import (
	"errors"
	"testing"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/upgrade"
)

// pingMethod is a method an upgrade to protocol version 2 brings.
var pingMethod = &contracts.Method{Contract: "notary", Name: "ping",
	Decode: func([]byte) (any, error) { return struct{}{}, nil },
	Run: func(c *call.Context, _ *membership.Caller, _ []byte) error {
		c.Emit("notary.ping")
		return nil
	}}

// An upgrade scheduled by governance at height H changes behaviour exactly
// at H+1, keyed on the chain's protocol version in state: the method it
// brings is refused in every block up to H (the binary has it all along)
// and runs from H+1; the upgrade is recorded and the plan cleared by block
// H+1's writes, so the app hash commits to it; a binary that does not know
// the upgrade executes H but refuses H+1.
func TestUpgradeAtAgreedHeight(t *testing.T) {
	c, ks := demoWorld(t)
	c.Exec.WithUpgrades(upgrade.Registry{"v2": 2}).Introduce(pingMethod, 2)
	at := c.Height + 8
	if code := pass(t, c, ks, upgradeAt("v2", at)); code != call.OK {
		t.Fatalf("schedule: %s", code)
	}
	plan, err := upgrade.GetPlan(c.Store)
	if err != nil || plan == nil || plan.Name != "v2" || plan.Height != at {
		t.Fatalf("plan %+v, %v", plan, err)
	}
	ping := func() string {
		return c.Do(ks[membership.Farm], "notary", "ping", nil).Code
	}
	for c.Height < at {
		if code := ping(); code != call.ErrUnknownMethod {
			t.Fatalf("ping at height %d (before the upgrade): %s", c.Height, code)
		}
	}
	if c.Height != at {
		t.Fatalf("at height %d, want %d", c.Height, at)
	}
	if v, err := upgrade.StoredVersion(c.Store); err != nil || v != upgrade.Genesis {
		t.Fatalf("version at height %d: %d %v", c.Height, v, err)
	}
	// Admission for the next block already sees the new version.
	tx := c.Tx(ks[membership.Farm], "notary", "ping", nil)
	if err := c.Exec.CheckVersion(c.Store, c.Height+1, "notary", "ping"); err != nil {
		t.Fatalf("admission for height %d: %v", c.Height+1, err)
	}
	if err := c.Exec.CheckVersion(c.Store, c.Height, "notary", "ping"); call.CodeOf(err) != call.ErrUnknownMethod {
		t.Fatalf("admission for height %d: %v", c.Height, err)
	}
	// A binary without the upgrade stops here.
	old := contracts.NewExecutorWith(contracts.Methods()).WithUpgrades(upgrade.Registry{})
	_, err = old.ExecuteBlock(c.Store, contracts.Prior{AppHash: c.AppHash, State: c.State}, contracts.BlockContext{ChainID: "qian-test", Height: c.Height + 1}, nil)
	var unknown *upgrade.UnknownError
	if !errors.As(err, &unknown) || !errors.Is(err, upgrade.ErrUnknownUpgrade) || unknown.Plan.Name != "v2" || unknown.Plan.Height != at {
		t.Fatalf("old binary at height %d: %v", c.Height+1, err)
	}
	res, err := c.Block(tx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Upgrade == nil || res.Upgrade.Name != "v2" || res.Upgrade.Height != at+1 {
		t.Fatalf("block %d applied %+v", c.Height, res.Upgrade)
	}
	if r := res.Results[0]; !r.OK() {
		t.Fatalf("ping at height %d (the first after the upgrade): %s %s", c.Height, r.Code, r.Message)
	}
	if v, _ := upgrade.StoredVersion(c.Store); v != 2 {
		t.Fatalf("version after the upgrade: %d", v)
	}
	if p, _ := upgrade.GetPlan(c.Store); p != nil {
		t.Fatalf("plan left after the upgrade: %+v", p)
	}
	if h, _ := upgrade.Done(c.Store, "v2"); h != at+1 {
		t.Fatalf("done at %d, want %d", h, at+1)
	}
	hist, err := upgrade.History(c.Store)
	if err != nil || len(hist) != 1 || hist[0] != (upgrade.Applied{Name: "v2", Height: at + 1}) {
		t.Fatalf("history %+v %v", hist, err)
	}
	// The next block runs without applying anything again.
	res, err = c.Block(c.Tx(ks[membership.Farm], "notary", "ping", nil))
	if err != nil || res.Upgrade != nil || !res.Results[0].OK() {
		t.Fatalf("block after the upgrade: %+v %v", res, err)
	}
}

// A scheduled upgrade can be cancelled by governance; nothing applies at
// its height then, and another may be scheduled.
func TestUpgradeCancelled(t *testing.T) {
	c, ks := demoWorld(t)
	c.Exec.WithUpgrades(upgrade.Registry{})
	at := c.Height + 20
	if code := pass(t, c, ks, upgradeAt("v2", at)); code != call.OK {
		t.Fatalf("schedule: %s", code)
	}
	cancel := propose(&membership.Propose{Kind: membership.CancelUpgrade, Upgrade: &membership.UpgradeSpec{Name: "v2"}, Reason: "not ready"})
	if code := pass(t, c, ks, cancel); code != call.OK {
		t.Fatalf("cancel: %s", code)
	}
	for c.Height <= at+1 {
		if _, err := c.Block(); err != nil {
			t.Fatalf("height %d after the cancelled upgrade's: %v", c.Height, err)
		}
	}
	if v, _ := upgrade.StoredVersion(c.Store); v != upgrade.Genesis {
		t.Fatalf("version %d after a cancelled upgrade", v)
	}
	if code := pass(t, c, ks, upgradeAt("v2", c.Height+10)); code != call.OK {
		t.Fatalf("schedule again: %s", code)
	}
}
