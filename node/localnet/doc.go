// Package localnet writes node homes: a founding organisation's home and
// join request for `qian consortium request` (CreateMember), a
// single-organisation chain's home for `qian init` (the same, assembled
// into a genesis of one), and a whole local network for `qian testnet`
// (validator homes, observer homes, a shared genesis and a keyring of demo
// organisation admins).
//
// It only writes files; nothing here starts a node. Every file that holds
// a key is created once and never replaced, and an output directory that
// already holds anything is refused, so running a command twice never
// destroys keys. CreateMember and Init check everything before writing; a
// testnet run that fails part-way leaves what it wrote; remove the
// directory and run again.
//
// Port layout of a testnet with base port P: node i (validators first, then
// observers) listens for libp2p on P+10i, TCP and QUIC (UDP) alike, and for
// HTTP on P+10i+1, all on 127.0.0.1. With the default P = 26656, node0 uses
// the same ports as a home made by `qian init`, so client defaults reach it.
package localnet
