package membership

import (
	"fmt"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/contracts/upgrade"
)

// checkUpgrade checks an upgrade proposal against the state at height (the
// block proposing or approving it), with the rules of docs/state.md
// section 8. The contract never asks whether this binary knows the
// upgrade: scheduling one comes before the binaries that carry it, and
// every node must judge the proposal alike.
func checkUpgrade(t *state.Tx, height uint64, kind ProposalKind, u *UpgradeSpec) error {
	if err := upgrade.ValidName(u.Name); err != nil {
		return call.Errorf(call.ErrInvalid, "%v", err)
	}
	plan, err := upgrade.GetPlan(t)
	if err != nil {
		return err
	}
	if kind == CancelUpgrade {
		if plan == nil || plan.Name != u.Name {
			return call.Errorf(call.ErrNoUpgrade, "no upgrade %q is scheduled", u.Name)
		}
		return nil
	}
	if u.Height <= height {
		return call.Errorf(call.ErrUpgradeHeight, "upgrade %s at height %d: the chain is already at height %d; schedule a later height", u.Name, u.Height, height)
	}
	if plan != nil {
		return call.Errorf(call.ErrUpgradePending, "upgrade %s is already scheduled at height %d; cancel it first (one upgrade at a time)", plan.Name, plan.Height)
	}
	done, err := upgrade.Done(t, u.Name)
	if err != nil {
		return err
	}
	if done != 0 {
		return call.Errorf(call.ErrUpgradeDone, "upgrade %s was applied at height %d; an upgrade's name is used once", u.Name, done)
	}
	return nil
}

// executeUpgrade schedules or cancels the upgrade of a passed proposal
// (checked by checkProposal in the same block).
func executeUpgrade(c *call.Context, p *Proposal) {
	if p.Kind == CancelUpgrade {
		upgrade.ClearPlan(c.State)
		c.Emit("membership.upgrade_cancelled", "proposal", p.ID.String(), "name", p.Upgrade.Name)
		return
	}
	upgrade.SetPlan(c.State, &upgrade.Plan{Name: p.Upgrade.Name, Height: p.Upgrade.Height, Proposal: p.ID})
	c.Emit("membership.upgrade_scheduled", "proposal", p.ID.String(), "name", p.Upgrade.Name,
		"height", fmt.Sprint(p.Upgrade.Height))
}
