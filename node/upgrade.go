package node

import (
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/contracts/upgrade"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
)

// Upgrader is an Application that takes part in upgrades at an agreed
// height (contracts/upgrade): it says which upgrades this binary knows.
// An Application without it (tests) never halts for an upgrade.
type Upgrader interface {
	Upgrades() upgrade.Registry
}

// Upgrades is the registry of the contracts' executor.
func (a *ContractsApp) Upgrades() upgrade.Registry { return a.x.Upgrades() }

// ErrUpgradeNeeded is matched (errors.Is) by *UpgradeNeededError: the chain
// needs software this binary is not.
var ErrUpgradeNeeded = errors.New("the chain needs an upgraded qian")

// UpgradeNeededError says why this binary stops or refuses to start: the
// chain scheduled an upgrade it does not know and has committed the
// upgrade's height (Plan set), or the chain already runs a protocol version
// newer than this binary's (Plan nil).
type UpgradeNeededError struct {
	Plan      *upgrade.Plan
	Committed uint64 // the node's last committed height
	Software  string
	Version   uint64 // the chain's protocol version
	Supported uint64 // the highest protocol version this binary runs
}

func (e *UpgradeNeededError) Error() string {
	if e.Plan != nil {
		return fmt.Sprintf("upgrade %q was scheduled at height %d and this node has committed it (height %d): this qian (%s, protocol versions up to %d) does not know %q and executes nothing after height %d. "+
			"Install a qian that knows %q and start the node again with the same home (docs/operations.md, \"Upgrading at an agreed height\")",
			e.Plan.Name, e.Plan.Height, e.Committed, e.Software, e.Supported, e.Plan.Name, e.Plan.Height, e.Plan.Name)
	}
	return fmt.Sprintf("the chain runs protocol version %d and this qian (%s) runs versions up to %d: it was upgraded past this binary. Install the qian the other organisations run and start again",
		e.Version, e.Software, e.Supported)
}

func (e *UpgradeNeededError) Is(target error) bool { return target == ErrUpgradeNeeded }

// supported is the highest protocol version reg brings.
func supported(reg upgrade.Registry) uint64 {
	v := upgrade.Genesis
	for _, n := range reg.Names() {
		k, _ := reg.Known(n)
		v = max(v, k)
	}
	return v
}

// checkUpgrade says whether a node may go on after committing tip: not when
// the chain's scheduled upgrade is at tip (or before: a store written by a
// binary that knew an upgrade this one does not) and this binary does not
// know it, nor when the chain runs a protocol version this binary does not.
// Checked at start and after every stored block, so a node that knows
// nothing of an upgrade stops right after committing its height, before it
// proposes, votes for or syncs anything past it.
func checkUpgrade(app Application, st *store.Store, software string, tip uint64) error {
	u, ok := app.(Upgrader)
	if !ok {
		return nil
	}
	reg := u.Upgrades()
	plan, err := upgrade.GetPlan(st)
	if err != nil {
		return err
	}
	if plan != nil && plan.Height <= tip {
		if _, known := reg.Known(plan.Name); !known {
			return &UpgradeNeededError{Plan: plan, Committed: tip, Software: software, Supported: supported(reg)}
		}
	}
	v, err := upgrade.StoredVersion(st)
	if err != nil {
		return err
	}
	if v > supported(reg) {
		return &UpgradeNeededError{Committed: tip, Software: software, Version: v, Supported: supported(reg)}
	}
	return nil
}

// Protocol is this node's software and the chain's protocol, as status,
// metrics and pages show them.
type Protocol struct {
	// Software is the qian version (set with -ldflags at build time).
	Software string `json:"software_version"`
	// Version is the chain's protocol version after the last committed
	// block; Supported the highest this binary runs.
	Version   uint64 `json:"protocol_version"`
	Supported uint64 `json:"supported_protocol_version"`
	// Known lists the upgrades compiled into this binary.
	Known []string `json:"known_upgrades"`
	// Planned is the upgrade governance scheduled, if any.
	Planned *PlannedUpgrade `json:"planned_upgrade,omitempty"`
	// Applied lists the upgrades the chain went through.
	Applied []upgrade.Applied `json:"applied_upgrades"`
}

// PlannedUpgrade is a scheduled upgrade and whether this binary can go past
// it: nodes commit Height and execute Height+1 with the upgrade's rules.
type PlannedUpgrade struct {
	Name     string      `json:"name"`
	Height   uint64      `json:"height"`
	Proposal ledger.Hash `json:"proposal"`
	// Known: this binary knows the upgrade and goes on past Height (to
	// protocol version Brings); otherwise it stops after committing
	// Height.
	Known  bool   `json:"known"`
	Brings uint64 `json:"brings_protocol_version,omitempty"`
}

// Protocol reads the chain's protocol version and plan from the store.
func (n *Node) Protocol() (*Protocol, error) {
	p := &Protocol{Software: n.software, Version: upgrade.Genesis, Supported: upgrade.Genesis, Known: []string{}, Applied: []upgrade.Applied{}}
	u, ok := n.app.(Upgrader)
	if !ok {
		return p, nil
	}
	reg := u.Upgrades()
	p.Supported, p.Known = supported(reg), reg.Names()
	var err error
	if p.Version, err = upgrade.StoredVersion(n.Store); err != nil {
		return nil, err
	}
	plan, err := upgrade.GetPlan(n.Store)
	if err != nil {
		return nil, err
	}
	if plan != nil {
		v, known := reg.Known(plan.Name)
		p.Planned = &PlannedUpgrade{Name: plan.Name, Height: plan.Height, Proposal: plan.Proposal, Known: known, Brings: v}
	}
	if applied, err := upgrade.History(n.Store); err != nil {
		return nil, err
	} else if applied != nil {
		p.Applied = applied
	}
	return p, nil
}

// afterUpgrades runs after block h is stored: it logs an upgrade the block
// applied or scheduled, updates the metrics, and returns
// *UpgradeNeededError when this binary must not go past h. The caller (the
// consensus driver's Commit, or block sync) stops on it: nothing is
// proposed, signed or synced after h.
func (c *Chain) afterUpgrades(h uint64, ex *Execution) error {
	if ex.Upgrade != nil {
		c.log.Warn("upgrade applied: this block executed with the new protocol version", "upgrade", ex.Upgrade.Name, "height", ex.Upgrade.Height)
	}
	u, ok := c.app.(Upgrader)
	if !ok {
		return nil
	}
	plan, err := upgrade.GetPlan(c.st)
	if err != nil {
		return err
	}
	v, err := upgrade.StoredVersion(c.st)
	if err != nil {
		return err
	}
	c.metrics.protocol(v, plan, u.Upgrades())
	if plan != nil && plan.Height > h && c.announced != *plan {
		c.announced = *plan
		_, known := u.Upgrades().Known(plan.Name)
		c.log.Warn("upgrade scheduled: every node commits its height, then executes the next with the upgrade's rules or stops",
			"upgrade", plan.Name, "height", plan.Height, "this_binary_knows_it", known, "heights_left", plan.Height-h)
	}
	err = checkUpgrade(c.app, c.st, c.software, h)
	if err != nil {
		c.log.Error("stopping: the chain needs a qian this is not", "height", h, "software", c.software, "err", err)
	}
	return err
}
