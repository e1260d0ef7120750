package sim

import "github.com/qianchain/qianchain/ledger"

// cachingVerifier remembers the result of every signature check. A check's
// result depends only on (key, message, signature), so answering a repeat
// from memory is exactly what checking again would answer; it keeps seeds
// cheap when every node of the simulated network checks the same vote.
type cachingVerifier struct {
	seen         map[verifyKey]bool
	hits, misses int
}

type verifyKey struct {
	key ledger.PublicKey
	msg ledger.Hash
	sig ledger.Signature
}

func newCachingVerifier() *cachingVerifier { return &cachingVerifier{seen: make(map[verifyKey]bool)} }

func (c *cachingVerifier) Verify(key ledger.PublicKey, msg ledger.Hash, sig ledger.Signature) bool {
	k := verifyKey{key, msg, sig}
	if ok, found := c.seen[k]; found {
		c.hits++
		return ok
	}
	c.misses++
	ok := key.Verify(msg, sig)
	c.seen[k] = ok
	return ok
}

// verifyCommit is ledger.Commit.Verify through the cache.
func (c *cachingVerifier) verifyCommit(chain ledger.ChainIdentity, vals *ledger.ValidatorSet, cm *ledger.Commit, height uint64, block ledger.Hash) bool {
	if cm == nil || cm.Height != height || cm.BlockHash != block {
		return false
	}
	var power uint64
	last := -1
	for k, s := range cm.Sigs {
		i := int(s.Validator)
		v, ok := vals.Get(i)
		if i <= last || !ok {
			return false
		}
		last = i
		if !c.Verify(v.PubKey, cm.Precommit(k).SignBytes(chain), s.Sig) {
			return false
		}
		power += v.Power
	}
	return power >= vals.QuorumPower()
}
