// Package statedigest commits to a node's whole state in 32 bytes that
// every block updates at a cost proportional to what the block changed, not
// to the size of the state. It is what lets a node that starts from a
// snapshot check, against a header proven from genesis, that the state it
// was handed is the chain's (docs/state.md section 2; docs/architecture.md,
// "Snapshots and state sync").
//
// # What it commits to
//
// The state is a set of elements:
//
//   - every contract state entry (key, value);
//   - every committed transaction (hash, height, position in its block):
//     the transaction index, which is the ledger's replay protection and so
//     part of what a node needs to judge the next blocks.
//
// # How: LtHash
//
// The digest is a homomorphic multiset hash, LtHash (Bellare and
// Micciancio's AdHash as vectors; Lewi, Kim, Maykov and Weis, "Securing
// update propagation with homomorphic hashing", 2019, the lthash16
// parameters): each element is expanded by an extendable-output hash
// (BLAKE3, keyed with the domain) to 1,024 16-bit lanes, and the Sum of a
// set is the lane-wise sum modulo 2^16 of its elements' expansions. Adding
// or removing an element is one expansion and one vector addition or
// subtraction, in any order: the Sum of a set does not depend on the order
// its elements were added in, which is what lets a snapshot be rebuilt from
// chunks in any order and lets a block update the Sum from its writes
// alone. Finding two different sets with the same Sum is believed as hard as
// a lattice problem of about 200-bit security for these parameters.
//
// Digest is TaggedHash("qian/state/v1", the Sum's 2,048 bytes): the 32 bytes
// the app hash commits to.
//
// Everything here is deterministic and single-goroutine: the executor
// (contracts) and the snapshot restorer (ledger/snapshot) compute the same
// Sum from the same set.
package statedigest
