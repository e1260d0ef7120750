package node

import "github.com/qianchain/qianchain/consensus/wire"

// The largest frames a peer may send on each protocol follow from the
// genesis block size, not from the ledger's absolute limit (64 MiB): a
// chain of 8 MiB blocks has no use for a 64 MiB consensus message, and a
// peer that announces one is refused before anything is read.
//
// consensusFrameCap bounds a consensus message: a proposal carries one
// block, plus the proposal's fields and, for a lagging peer, a commit.
func consensusFrameCap(maxBlockBytes uint64) int {
	return int(min(maxBlockBytes+256<<10, wire.MaxMessageBytes))
}

// syncFrameCap bounds a block sync response: a block and its commit.
func syncFrameCap(maxBlockBytes uint64) int { return int(maxBlockBytes) + 1<<20 }

// txFrameCap bounds a transaction gossip batch.
const txFrameCap = gossipMaxBatchBytes + 64<<10

// peerBudget is what one peer's unfinished inbound frames may hold at once
// (p2p.Config.PeerBudget): twice the largest frames an honest peer can have
// in flight together, one on each protocol (a proposal, a block sync
// response, a transaction batch). 37 MiB with 8 MiB blocks, 261 MiB with
// the ledger's 64 MiB.
func peerBudget(maxBlockBytes uint64) int {
	return 2 * (consensusFrameCap(maxBlockBytes) + syncFrameCap(maxBlockBytes) + txFrameCap)
}
