// Package merkle implements the Merkle tree hash of RFC 6962 (Certificate
// Transparency, section 2.1) over SHA-256, with inclusion proofs.
//
// The tree of n leaves d[0..n) hashes each leaf as SHA-256(0x00 || d[i]) and
// each interior node as SHA-256(0x01 || left || right). The root of the empty
// tree is SHA-256 of the empty string. For n > 1 the left subtree holds the
// first k leaves, k the largest power of two smaller than n. The distinct
// leaf and node prefixes stop a leaf from being passed off as an interior
// node (a second-preimage attack).
//
// Qianchain uses these trees for a block's transaction root and for notary
// batches; docs/encoding.md specifies them for outside verifiers.
package merkle
