// Package contracts executes Qianchain's transactions: native Go contracts
// (membership, trace, notary) over the key-value state, deterministically.
//
// The node calls, for each committed block and in height order:
//
//	res, err := executor.ExecuteBlock(store, prior, ctx, block.Txs)
//
// where store is the committed state as of the previous block and prior
// the app hash after it and the state digest's Sum of that state (Genesis
// returns the first). It then persists res.Writes (sorted, Value nil =
// delete), res.Results, res.AppHash and res.State in the same synced batch
// as the block, and the next header carries res.AppHash. ExecuteBlock never verifies signatures — the node has
// verified every transaction before execution, so tx.Sender is
// authenticated — and never fails because of a bad transaction: a rejected
// transaction gets a failed TxResult (a stable code and a sentence) and
// changes nothing. An error return means the Store failed; nothing of the
// block may then be persisted.
//
// Execution is deterministic: same store contents, prior, ctx and
// transactions give the same BlockResult byte for byte, whatever the
// machine or GOMAXPROCS. No clock, randomness, goroutine, floating point or
// map iteration order reaches a result.
//
// ExecuteBlockDecoded is ExecuteBlock for a node that already decoded the
// payloads at admission: a method with an Apply runs from that value (found
// by the transaction's hash) instead of decoding again, with the same
// result.
//
// CheckTx is the mempool's cheap read-only pre-check. Genesis turns the
// founding organisations into the initial writes and app hash. docs/state.md
// specifies the state layout and how an auditor recomputes the app hash.
package contracts
