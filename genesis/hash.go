package genesis

import (
	"encoding/binary"

	"github.com/qianchain/qianchain/ledger"
)

// HashTag is the BIP-340 tag of the genesis hash.
const HashTag = "qian/genesis/v1"

// Hash identifies the chain: TaggedHash("qian/genesis/v1", Encode()). It
// is defined on the validated document, not on the JSON text, so white
// space, key order, time-zone offset and duration spelling ("1s" or
// "1000ms") do not change it; every list keeps its file order, so
// reordering validators or organisations (which changes validator indices
// and founding order) makes another chain. Call it on a validated Doc.
func (d *Doc) Hash() ledger.Hash { return ledger.TaggedHash(HashTag, d.Encode()) }

// Identity is the chain's identity, which every vote, proposal and commit
// certificate signs: the chain id and this document's hash. It is the one
// place nodes and verifiers get theirs from (ledger.ChainIdentity). Call it
// on a validated Doc.
func (d *Doc) Identity() ledger.ChainIdentity { return ledger.NewChainIdentity(d.ChainID, d.Hash()) }

// Encode is the canonical binary form of the document, built from the
// primitives of docs/encoding.md (big-endian fixed-width integers, strings
// and byte strings prefixed by their length as a shortest-form unsigned
// LEB128 varint, lists prefixed by their count the same way):
//
//	string  chain_id
//	u64     genesis_time          Unix time in nanoseconds
//	u64 x7  timeout_propose, timeout_propose_delta, timeout_prevote,
//	        timeout_prevote_delta, timeout_precommit,
//	        timeout_precommit_delta, empty_block_interval   (nanoseconds)
//	u64 x3  max_block_bytes, max_block_txs, max_tx_bytes
//	list    validators:    string name, [32] pub_key,
//	                       bytes peer_id (the binary multihash), u64 power,
//	                       string org
//	list    organisations: string id, string name, string name_en,
//	                       list of string roles,
//	                       list of string gs1_company_prefixes,
//	                       list of string glns,
//	                       list of [32] admins
func (d *Doc) Encode() []byte {
	var b []byte
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	u64 := func(v uint64) { b = binary.BigEndian.AppendUint64(b, v) }
	count := func(n int) { b = binary.AppendUvarint(b, uint64(n)) }

	str(d.ChainID)
	u64(uint64(d.GenesisTime.UnixNano()))
	c := d.Consensus
	for _, t := range []int64{
		int64(c.TimeoutPropose), int64(c.TimeoutProposeDelta),
		int64(c.TimeoutPrevote), int64(c.TimeoutPrevoteDelta),
		int64(c.TimeoutPrecommit), int64(c.TimeoutPrecommitDelta),
		int64(c.EmptyBlockInterval),
	} {
		u64(uint64(t))
	}
	u64(c.MaxBlockBytes)
	u64(c.MaxBlockTxs)
	u64(c.MaxTxBytes)

	count(len(d.Validators))
	for _, v := range d.Validators {
		str(v.Name)
		b = append(b, v.PubKey[:]...)
		str(string(v.PeerID))
		u64(v.Power)
		str(v.Org)
	}
	count(len(d.Organisations))
	for _, o := range d.Organisations {
		str(o.ID)
		str(o.Name)
		str(o.NameEN)
		count(len(o.Roles))
		for _, r := range o.Roles {
			str(string(r))
		}
		count(len(o.GS1Prefixes))
		for _, p := range o.GS1Prefixes {
			str(p)
		}
		count(len(o.GLNs))
		for _, g := range o.GLNs {
			str(g)
		}
		count(len(o.Admins))
		for _, a := range o.Admins {
			b = append(b, a[:]...)
		}
	}
	return b
}
