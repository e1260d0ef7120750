// Package blocksync brings a node that is behind (new, or back after
// downtime) up to its peers' height before it joins consensus.
//
// Two request/response protocols over libp2p:
//
//	/qian/status/1   request: empty; response: genesis hash (32) ‖ height (u64)
//	/qian/blocks/1   request: from (u64) ‖ count (u32, ≤ MaxBatch);
//	                 response: for each height in order, a frame with the
//	                 block's encoding then a frame with its commit's
//
// The syncer trusts nothing it receives: the node's Apply verifies each
// block against the chain it holds (previous hash, app hash, validator set
// hash), the commit's signatures against the validator set, and every
// transaction's signature, then executes and stores the height. A peer that
// serves a block that fails verification is penalised and the batch is
// fetched again from another peer.
package blocksync
