package genesis

import "github.com/qianchain/qianchain/ledger"

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
// primitives of docs/encoding.md (encoder.go):
//
//	string  chain_id
//	u64     genesis_time          Unix time in nanoseconds
//	u64 x7  timeout_propose, timeout_propose_delta, timeout_prevote,
//	        timeout_prevote_delta, timeout_precommit,
//	        timeout_precommit_delta, empty_block_interval   (nanoseconds)
//	u64 x3  max_block_bytes, max_block_txs, max_tx_bytes
//	list    validators:    string name, [32] pub_key,
//	                       bytes peer_id (the binary multihash), u64 power
//	list    organisations: string id, string name, string name_en,
//	                       list of string roles,
//	                       list of string gs1_company_prefixes,
//	                       list of string glns,
//	                       list of [32] admins
//
// followed, when the document sets any of the fields that came with
// validator organisations and the founding ceremony (a validator's org or
// addresses, an observer, an organisation's join signatures), by the
// extension
//
//	u8      01
//	list    validators:    string org, list of string addresses
//	list    observers:     string name, string org,
//	                       bytes peer_id, list of string addresses
//	list    organisations: option of join signatures:
//	                       [64] admin, option of [64] validator, [64] node
//
// Every field is encoded once. A genesis with organisations names an org
// for each validator (Validate), so its hash always covers the extension;
// a document that sets none of those fields (no organisations, addresses
// or observers) is the first part alone. The two cannot share an encoding:
// the first part ends where its own counts say. (The ceremony made these
// fields an extension so that older files kept their hash; since store
// format 3 such files are refused anyway.)
func (d *Doc) Encode() []byte {
	e := &encoder{}
	e.str(d.ChainID)
	e.u64(uint64(d.GenesisTime.UnixNano()))
	c := d.Consensus
	for _, t := range []int64{
		int64(c.TimeoutPropose), int64(c.TimeoutProposeDelta),
		int64(c.TimeoutPrevote), int64(c.TimeoutPrevoteDelta),
		int64(c.TimeoutPrecommit), int64(c.TimeoutPrecommitDelta),
		int64(c.EmptyBlockInterval),
	} {
		e.u64(uint64(t))
	}
	e.u64(c.MaxBlockBytes)
	e.u64(c.MaxBlockTxs)
	e.u64(c.MaxTxBytes)

	e.count(len(d.Validators))
	for _, v := range d.Validators {
		e.str(v.Name)
		e.raw(v.PubKey[:])
		e.str(string(v.PeerID))
		e.u64(v.Power)
	}
	e.count(len(d.Organisations))
	for i := range d.Organisations {
		e.organisation(&d.Organisations[i])
	}
	if !d.usesCeremonyFields() {
		return e.b
	}
	e.u8(1)
	e.count(len(d.Validators))
	for _, v := range d.Validators {
		e.str(v.Org)
		e.strs(v.Addresses)
	}
	e.count(len(d.Observers))
	for _, o := range d.Observers {
		e.str(o.Name)
		e.str(o.Org)
		e.str(string(o.PeerID))
		e.strs(o.Addresses)
	}
	e.count(len(d.Organisations))
	for _, o := range d.Organisations {
		e.option(o.Join != nil)
		if j := o.Join; j != nil {
			e.raw(j.Admin[:])
			e.option(j.Validator != nil)
			if j.Validator != nil {
				e.raw(j.Validator[:])
			}
			e.raw(j.Node[:])
		}
	}
	return e.b
}

// usesCeremonyFields reports whether the document sets a field of the
// encoding's extension.
func (d *Doc) usesCeremonyFields() bool {
	if len(d.Observers) > 0 {
		return true
	}
	for _, v := range d.Validators {
		if v.Org != "" || len(v.Addresses) > 0 {
			return true
		}
	}
	for _, o := range d.Organisations {
		if o.Join != nil {
			return true
		}
	}
	return false
}
