// Package snapshot makes and restores snapshots of a node's state: the
// contract state and the transaction index after a height H, in key order,
// cut into chunks, with a manifest that names every chunk's hash and the
// inputs of AppHash(H) (docs/architecture.md, "Snapshots and state sync").
//
// Nothing in a snapshot is trusted. A restorer holds the genesis file only;
// the snapshot's proof (header H+1 and its certificate) and the manifest's
// chain material (header H and its certificate, the validator-set history
// and the transitions that lead to it) are followed from the genesis set
// with ledger.SetFollower and their signatures checked in one batch; the
// manifest's app-hash inputs must give the app hash header H+1 carries;
// each chunk must have the hash the manifest names; the state digest
// (ledger/statedigest) of everything restored must be the one the app hash
// commits to. Only then is the state written, in one batch (store.Restore).
//
// A chunk is a concatenation of element data as ledger/statedigest defines
// it (StateData, TxData): state entries in ascending key order, then
// transaction index entries in ascending hash order; no entry spans two
// chunks.
//
// The package imports the store (it reads a consistent StateView and
// writes a Restore) but no node, consensus or contracts code.
package snapshot
