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
// the bench sees the committing block, polling the first node's latest
// height every 10 ms: the figure includes up to 10 ms of polling delay.
package bench
