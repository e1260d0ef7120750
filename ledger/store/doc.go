// Package store keeps a node's chain in one Pebble database: blocks by
// height and by hash, the commit certificate of each height, the
// transaction index, per-transaction results, the app hash after each
// height, and the contracts' key-value state.
//
// # Durability
//
// A height becomes visible all at once: CommitBlock writes the block, its
// commit, the index entries, the results, the state writes, their writes root
// and the new app hash in one Pebble batch committed with pebble.Sync, and updates the tip
// last, in the same batch. Pebble applies a batch atomically, so after a
// crash at any instant (SIGKILL, power loss after the sync returns) a reopened
// store holds every height up to some tip, each whole, and nothing of the
// next. Nothing is written for a height before the caller has verified its
// block and commit: the store trusts its caller for that, and checks only
// that heights arrive in order.
//
// # Key layout
//
// Every key starts with a one-byte table prefix; numbers are fixed-width
// big-endian, so byte order is numeric order and a height range is a key
// range.
//
//	'm' name               meta: "tip" (u64 height), "genesis" (hash),
//	                       "format" (u64, see format.go), "statesum" (the state
//	                       digest's Sum after the tip, see writesroot.go), "base"
//	                       (the height a store restored from a snapshot starts at,
//	                       see base.go), "migrate5" (how far a conversion from
//	                       format 4 got, see migrate.go)
//	'b' height             block hash (32) ‖ block encoding
//	'H' height             block hash (32) ‖ header encoding (cheap reads of the tip)
//	'h' block hash         height
//	'c' height             commit encoding (this node's certificate)
//	'a' height             app hash after executing the block at height
//	't' tx hash            height ‖ u32 position
//	'r' height ‖ position  transaction result without its leading 32-byte
//	                       transaction hash (results.go)
//	'w' height             writes tree ‖ state digest: the writes root's inputs (see writesroot.go)
//	'v' height             validator set that signs from that height on: height 1 (genesis)
//	                       and each height where the set changes (see validators.go)
//	's' state key          state value
//
// # Verified reads
//
// Reads check what they return: a block must hash to the hash stored beside
// it and sit at the height it is stored under; a commit must be for the block
// at its height; an index entry must point at a transaction with that hash.
// A mismatch is an *CorruptionError naming the height, never wrong data.
//
// # Snapshots
//
// StateView reads the state and transaction index after the tip from a
// Pebble snapshot, consistent while the node commits; Restore writes a
// verified snapshot into an empty store in one batch and records its height
// as the store's base: blocks at or below it are *PrunedError (snapshot.go,
// base.go; ledger/snapshot verifies).
package store
