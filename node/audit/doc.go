// Package audit re-checks a whole chain from genesis, trusting nothing but
// the genesis file: it is what `qian audit` runs, against a stopped node's
// data (OpenHome, read-only) or a running node's API (NewRemote).
//
// For every height, in order, Run checks:
//
//   - the block decodes canonically, sits at its height on the genesis chain,
//     and its header matches its contents (tx_count, tx_root, evidence root,
//     last commit hash) and the operational limits of genesis;
//   - the hash chain: prev_block_hash is the previous block's hash, and time
//     strictly increases;
//   - validators_hash is the genesis set's, and the proposer is in it;
//   - the certificates: the last commit inside block h certifies block h-1,
//     and the source's own stored commit certifies block h, each with valid
//     precommits of more than two thirds of the genesis power;
//   - every transaction's signature, and that no transaction repeats;
//   - the source's transaction index points at each transaction (OpenHome);
//   - the contracts re-executed from genesis (node.ContractsApp on a fresh
//     temporary Pebble store) give, for each block, exactly the stored
//     results and the app hash that the source stored and that the next
//     header carries.
//
// Stateless checks, signatures above all, run on all cores, several heights
// ahead; the hash chain and re-execution run in height order on one
// goroutine. Run stops at the first discrepancy and names its height, a
// stable code and the reason (Problem); an error from Run means the audit
// could not run (I/O), not that the chain is wrong.
package audit
