package audit_test

import (
	"crypto/sha256"
	"testing"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/audit"
	"github.com/qianchain/qianchain/node/audit/audittest"
)

// changing is a chain whose validator set changes four times by governance
// (a fifth validator added, a power changed, a key rotated, a validator
// removed), with anchors before and after each change. It returns the chain
// (closed), the removed validator's key, and the first height without it.
func changing(t *testing.T) (*audittest.Chain, ledger.PrivateKey, uint64) {
	t.Helper()
	c := audittest.New(t, 4)
	c.Block(c.Anchors(3), nil)
	newcomer, rotated := audittest.Key("newcomer"), audittest.Key("rotated v2")
	c.AddKey(newcomer)
	c.AddKey(rotated)
	peer := func(s string) membership.PeerID {
		sum := sha256.Sum256([]byte(s))
		return append(membership.PeerID{0x00, 0x24, 0x08, 0x01, 0x12, 0x20}, sum[:]...)
	}
	c.Govern(membership.ValidatorChange{Kind: membership.AddValidator, Org: "inspector", Name: "inspector-node",
		Key: newcomer.PublicKey(), Power: 10, PeerID: peer("inspector-node")})
	c.Block(c.Anchors(2), nil)
	c.Block(c.Anchors(2), nil)
	c.Govern(membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: c.ValKeys[1].PublicKey(), Power: 12})
	c.Block(c.Anchors(2), nil)
	c.Block(nil, nil)
	c.Govern(membership.ValidatorChange{Kind: membership.RotateValidator, Key: c.ValKeys[2].PublicKey(), NewKey: rotated.PublicKey()})
	c.Block(c.Anchors(2), nil)
	c.Block(nil, nil)
	h := c.Govern(membership.ValidatorChange{Kind: membership.RemoveValidator, Key: c.ValKeys[3].PublicKey()})
	for i := 0; i < 4; i++ {
		c.Block(c.Anchors(2), nil)
	}
	c.Close()
	return c, c.ValKeys[3], h + 2
}

func TestAuditFollowsValidatorSetChanges(t *testing.T) {
	c, _, _ := changing(t)
	sum := run(t, c, c.Home)
	if !sum.OK || sum.ValidatorSetChanges != 4 || sum.Height != sum.Tip {
		t.Fatalf("the genuine chain: %+v %v", sum, sum.Problem)
	}
	// So does a remote-like source, without the index.
	sum = runWith(t, c, c.Home, func(s audit.Source) audit.Source { return noIndex{s} })
	if !sum.OK || sum.ValidatorSetChanges != 4 {
		t.Fatalf("without index: %+v", sum.Problem)
	}
}

// Chains a faulty set (or a store) could present around a change of set;
// the audit refuses each at its height.
func TestAuditRefusesForgedSetHistories(t *testing.T) {
	t.Run("a header that names another next set", func(t *testing.T) {
		c := audittest.New(t, 4)
		c.Block(c.Anchors(2), nil)
		other := audittest.New(t, 5).SetAt(1)
		b := c.Block(nil, func(b *ledger.Block) { b.Header.NextValidatorsHash = other.Hash() })
		c.Block(nil, nil)
		c.Close()
		expect(t, run(t, c, c.Home), b.Header.Height, audit.ErrValidators, "next_validators_hash")
	})
	t.Run("a header that hides a scheduled change", func(t *testing.T) {
		c := audittest.New(t, 4)
		newcomer := audittest.Key("newcomer")
		c.AddKey(newcomer)
		h := c.Govern(membership.ValidatorChange{Kind: membership.AddValidator, Org: "inspector", Name: "n",
			Key: newcomer.PublicKey(), Power: 10, PeerID: append(membership.PeerID{0x00, 0x24, 0x08, 0x01, 0x12, 0x20}, make([]byte, 32)...)})
		// Block h+1 should name the new set as next; it names the old one.
		b := c.Block(nil, func(b *ledger.Block) { b.Header.NextValidatorsHash = c.SetAt(h).Hash() })
		c.Block(nil, nil)
		c.Close()
		expect(t, run(t, c, c.Home), b.Header.Height, audit.ErrValidators, "next_validators_hash")
	})
	t.Run("a certificate counting a removed validator", func(t *testing.T) {
		c, removed, from := changing(t)
		// The source's certificate of the first block without the removed
		// validator: two of the three remaining (k0, k1) and the removed
		// key at index 2, where the set holds another.
		blk := blockAt(t, c.Home, from)
		h := blk.Hash()
		cmt := &ledger.Commit{Height: from, BlockHash: h}
		keys := []ledger.PrivateKey{c.ValKeys[0], c.ValKeys[1], removed}
		for i, k := range keys {
			v := &ledger.Vote{Type: ledger.Precommit, Height: from, BlockHash: &h, Validator: uint16(i)}
			if err := v.Sign(c.Doc.Identity(), k); err != nil {
				t.Fatal(err)
			}
			cmt.Sigs = append(cmt.Sigs, ledger.CommitSig{Validator: uint16(i), Sig: v.Sig})
		}
		home := copyDir(t, c.Home)
		edit(t, home, heightKey('c', from), func([]byte) []byte { return cmt.Encode() })
		expect(t, run(t, c, home), from, audit.ErrCommit, "stored certificate")
	})
}
