package node

import (
	"sync"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/schnorrbatch"
)

// voteSigs verifies the signatures of consensus messages and certificates
// and remembers the ones that verified, so that each is checked once by this
// node: a precommit counted as a vote comes back in the next block's last
// commit (and in the certificate block sync stores), and without the record
// those three or more signatures per height were verified a second time,
// about a seventh of a validator's CPU per height. Misses go through
// schnorrbatch, whose key cache spares lifting the validators' keys at
// every signature (ledger.PublicKey.Verify lifts the key each time); for
// one signature its verdict is exactly BIP-340 Verify's.
//
// Entries are (key, message, signature): a remembered signature counts only
// for the same key and message. Safe for concurrent use (the consensus
// driver, block sync and the API's proof checks may all verify).
type voteSigs struct {
	batch *schnorrbatch.Verifier

	mu   sync.Mutex
	set  map[voteSig]struct{}
	ring []voteSig // insertion order, for eviction
	next int
}

type voteSig struct {
	key ledger.PublicKey
	msg ledger.Hash
	sig ledger.Signature
}

// voteSigsKept is how many signatures are remembered: a few heights' votes
// of a large validator set.
const voteSigsKept = 4096

func newVoteSigs() *voteSigs {
	return &voteSigs{batch: schnorrbatch.NewVerifier(256), set: make(map[voteSig]struct{}, voteSigsKept), ring: make([]voteSig, voteSigsKept)}
}

// Verify implements consensus.Verifier and ledger.SigVerifier.
func (v *voteSigs) Verify(key ledger.PublicKey, msg ledger.Hash, sig ledger.Signature) bool {
	e := voteSig{key, msg, sig}
	v.mu.Lock()
	_, ok := v.set[e]
	v.mu.Unlock()
	if ok {
		return true
	}
	if !v.batch.Verify([]schnorrbatch.Item{{Key: key, Msg: msg, Sig: sig}}) {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.set[e]; ok {
		return true
	}
	if old := v.ring[v.next]; old != (voteSig{}) {
		delete(v.set, old)
	}
	v.ring[v.next] = e
	v.set[e] = struct{}{}
	v.next = (v.next + 1) % len(v.ring)
	return true
}
