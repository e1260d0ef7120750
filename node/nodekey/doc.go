// Package nodekey stores the two unencrypted keys of a node home:
//
//   - keys/node.key, the node's libp2p identity (Ed25519); its peer id is
//     how other nodes name and admit it;
//   - keys/validator.key, the validator's consensus key (ledger.PrivateKey,
//     BIP-340), which signs proposals and votes.
//
// A node must start unattended, so like CometBFT's node_key.json and
// priv_validator_key.json these files are not encrypted: the operating
// system's file permissions protect them. Files are written once, with mode
// 0600, through a temporary file, a sync and a link, and never replaced:
// regenerating a validator key by accident would change the validator.
// Loaders refuse a file that the group or others can read, a file that is
// not a regular file, and any malformed content, with errors naming the
// file and the field; they never panic.
//
// File formats (docs/operations.md, "Node keys"):
//
//	node.key       {"type": "qian-node-key", "version": 1, "key_type": "ed25519",
//	                "private_key": "<64 hex: Ed25519 seed>", "peer_id": "12D3KooW..."}
//	validator.key  {"type": "qian-validator-key", "version": 1,
//	                "public_key": "<64 hex>", "private_key": "<64 hex: secret scalar>"}
//
// The peer id and public key are stored beside the secrets so that an
// operator can read them without tools; the loaders check that they match.
package nodekey
