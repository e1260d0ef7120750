// Package p2p is the node's libp2p layer for a permissioned network: a host
// whose connection gater admits only named peers, long-lived framed streams
// for broadcast protocols (consensus messages, transactions), request and
// response streams (block sync, status), and penalties for peers that send
// invalid data.
//
// Why direct streams and not gossipsub: the validator set is small and
// fixed, so every validator connects to every other and a broadcast is one
// frame per peer. Gossipsub would add mesh formation, duplicate suppression
// and validation throttling that can drop messages silently, with no
// ordering; consensus tolerates loss (it retransmits), but paying for a mesh
// buys nothing in a full mesh. See docs/architecture.md for the measurements.
//
// Frames are a varint length then the payload; every protocol has a size
// cap, checked before the payload is read. The payload's buffer grows as
// bytes arrive, and what one peer's unfinished frames hold together is
// bounded by a per-peer budget. Reads and writes carry deadlines.
// A handler that returns an error marked Invalid penalises the sender; a peer
// that keeps sending invalid data is disconnected and banned for a while.
package p2p
