package genesis

import (
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

// JoinTag is the BIP-340 tag of the message a join request's keys sign.
const JoinTag = "qian/join/v1"

// NodeSignatureSize is the size of an Ed25519 signature.
const NodeSignatureSize = 64

// NodeSignature is an Ed25519 signature by a node key (the key its peer id
// embeds).
type NodeSignature [NodeSignatureSize]byte

// JoinSignatures prove that the organisation that asked to found the chain
// holds every key its request names: its admin key, its validator key (when
// its node votes) and its node key. Each signs the request's message
// (JoinRequest.Message).
type JoinSignatures struct {
	Admin     ledger.Signature  // BIP-340, by the organisation's one admin key
	Validator *ledger.Signature // BIP-340, by the validator key; nil for an observer
	Node      NodeSignature     // Ed25519, by the node key of the request's peer id
}

// JoinRequest is a founding organisation's public request to be part of a
// chain's genesis (`qian consortium request`): its organisation entry and
// its node's entry, exactly as they go into genesis.json, for one chain id.
// Nothing in it is secret.
type JoinRequest struct {
	ChainID string
	// Organisation has one admin key, and Join holds the request's
	// signatures.
	Organisation Organisation
	// Exactly one of Validator and Observer is set: the organisation's
	// node, which names the organisation.
	Validator *Validator
	Observer  *Observer
	// Source names where the request was read from, for messages; it is
	// not part of the request.
	Source string
}

// node returns the fields the two kinds of node share.
func (r *JoinRequest) node() (name, org string, id peer.ID, addrs []string) {
	if v := r.Validator; v != nil {
		return v.Name, v.Org, v.PeerID, v.Addresses
	}
	if o := r.Observer; o != nil {
		return o.Name, o.Org, o.PeerID, o.Addresses
	}
	return "", "", "", nil
}

// Message is what the request's keys sign: TaggedHash("qian/join/v1", m)
// where m is, in the primitives of docs/encoding.md,
//
//	string  chain_id
//	        the organisation as in the genesis encoding, without its join
//	        signatures: string id, string name, string name_en,
//	        list of string roles, list of string gs1_company_prefixes,
//	        list of string glns, list of [32] admins
//	u8      node kind: 01 validator, 02 observer
//	string  node name
//	bytes   peer_id (the binary multihash)
//	list    of string addresses
//	[32]    pub_key   } validator only
//	u64     power     }
//
// The node's organisation is the organisation's id, so it is not repeated.
// Binding the chain id keeps a request from being used for another chain.
func (r *JoinRequest) Message() ledger.Hash {
	e := &encoder{}
	e.str(r.ChainID)
	e.organisation(&r.Organisation)
	name, _, id, addrs := r.node()
	if r.Validator != nil {
		e.u8(1)
	} else {
		e.u8(2)
	}
	e.str(name)
	e.str(string(id))
	e.strs(addrs)
	if v := r.Validator; v != nil {
		e.raw(v.PubKey[:])
		e.u64(v.Power)
	}
	return ledger.TaggedHash(JoinTag, e.b)
}

// Sign signs the request with the keys it names: the organisation's admin
// key, the validator key (zero for an observer) and the node key. It
// refuses a key that is not the one the request names.
func (r *JoinRequest) Sign(admin, validator ledger.PrivateKey, node crypto.PrivKey) error {
	o := &r.Organisation
	if len(o.Admins) != 1 || admin.IsZero() || admin.PublicKey() != o.Admins[0] {
		return errors.New("join request: the admin key is not the organisation's one admin key")
	}
	if (r.Validator != nil) != !validator.IsZero() {
		return errors.New("join request: a validator key signs exactly when the request brings a validator")
	}
	if r.Validator != nil && validator.PublicKey() != r.Validator.PubKey {
		return errors.New("join request: the validator key is not the request's validator key")
	}
	_, _, id, _ := r.node()
	if node == nil {
		return errors.New("join request: no node key")
	}
	if got, err := peer.IDFromPrivateKey(node); err != nil || got != id {
		return fmt.Errorf("join request: the node key's peer id is not the request's %s", id)
	}
	msg := r.Message()
	sigs := &JoinSignatures{}
	var err error
	if sigs.Admin, err = admin.Sign(msg); err != nil {
		return fmt.Errorf("join request: admin signature: %w", err)
	}
	if r.Validator != nil {
		s, err := validator.Sign(msg)
		if err != nil {
			return fmt.Errorf("join request: validator signature: %w", err)
		}
		sigs.Validator = &s
	}
	ns, err := node.Sign(msg[:])
	if err != nil {
		return fmt.Errorf("join request: node signature: %w", err)
	}
	if len(ns) != NodeSignatureSize {
		return fmt.Errorf("join request: node signature of %d bytes: use an Ed25519 node key", len(ns))
	}
	copy(sigs.Node[:], ns)
	o.Join = sigs
	return nil
}

// verifySignatures checks the request's three (or two) signatures. The
// error names the signature that fails as a field relative to the
// organisation ("join_signatures.admin").
func (r *JoinRequest) verifySignatures() *FieldError {
	j := r.Organisation.Join
	if j == nil {
		return fieldErr("join_signatures", "missing")
	}
	bad := func(which, holder string) *FieldError {
		e := fieldErr("join_signatures."+which, "does not verify: the entries of organisation %q and its node, or the chain id, are not what %s signed in its join request, or another key signed", r.Organisation.ID, holder)
		e.Code = CodeBadSignature
		return e
	}
	msg := r.Message()
	if len(r.Organisation.Admins) != 1 || !r.Organisation.Admins[0].Verify(msg, j.Admin) {
		return bad("admin", "the admin key")
	}
	switch {
	case r.Validator != nil && j.Validator == nil:
		return fieldErr("join_signatures.validator", "missing: the organisation's node is a validator, whose key must sign")
	case r.Validator == nil && j.Validator != nil:
		return fieldErr("join_signatures.validator", "present, but the organisation's node is an observer, which has no validator key")
	case r.Validator != nil && !r.Validator.PubKey.Verify(msg, *j.Validator):
		return bad("validator", "the validator key")
	}
	_, _, id, _ := r.node()
	pub, err := id.ExtractPublicKey()
	if err != nil {
		return bad("node", "the node key")
	}
	if ok, err := pub.Verify(msg[:], j.Node[:]); err != nil || !ok {
		return bad("node", "the node key (peer id "+id.String()+")")
	}
	return nil
}
