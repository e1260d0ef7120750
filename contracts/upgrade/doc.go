// Package upgrade is how the chain moves to new software together: the
// protocol version in state, the upgrade plan governance schedules, and the
// registry of upgrades compiled into this binary.
//
// A membership proposal of kind schedule_upgrade (contracts/membership)
// writes a Plan: a name and a height H. Every node commits H with the rules
// it has, then, before it executes H+1, looks the name up in its Registry:
//
//   - a binary that knows the name (name -> the protocol version it brings)
//     applies the upgrade as the first writes of block H+1 (Begin): the
//     protocol version becomes the registered one, the plan is cleared and
//     the upgrade recorded as done at H+1. Those writes are state, so the
//     app hash commits to them and every node derives the same version;
//   - a binary that does not know it cannot execute H+1 (Begin returns
//     ErrUnknownUpgrade) and the node stops after committing H, naming the
//     upgrade it waits for (node/upgrade.go).
//
// Behaviour that changes with an upgrade is keyed on the protocol version
// the state holds at the height being executed (Version), never on the
// binary alone: a binary that carries a new rule still runs the old one
// until the chain reaches the upgrade height, so old and new binaries agree
// on every height before it, and only new binaries execute after it.
//
// Deterministic like every contract: no clock, no map order (the registry
// is looked up by name, never iterated into a result).
package upgrade
