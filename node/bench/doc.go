// Package bench is the load generator behind `qian bench`: it registers
// operator accounts for the demo organisations, signs transactions from
// many accounts ahead of time, spreads them over a network's nodes at a
// fixed rate (or as fast as the nodes admit them), and measures what the
// chain commits: throughput from the blocks, latency from submission to
// commit, rejections by code, block intervals. It also measures this
// machine's signature-verification rate, the ceiling that every validator
// verifying every transaction implies, so that figures from different
// machines compare.
//
// Latency is measured from just before the HTTP submission to the moment
// the bench has read the committing block's transaction hashes (GET
// /v1/blocks/{h}/txhashes) from the first node, which tells it of each
// block on its event stream (GET /v1/events); while the stream is down it
// asks for the next height every 10 ms, and the figure then includes up to
// 10 ms of polling delay (watch.go says why it no longer always polls).
// The hashes alone, not the block's view: the bench shares the machine
// with the validators it measures, and decoding views cost it a fifth more
// CPU (docs/benchmarks.md, "The bench's footprint").
package bench
