package sim

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/ledger"
)

// invalidMarker in a transaction payload makes a block invalid for every
// honest host: byzantine proposers use it to test validity.
const invalidMarker = "INVALID"

// chainStore is a node's durable chain: what survives its crashes (the node
// stores each decided block in one synced batch before starting the next
// height, so a crash never loses a stored block), with the validator sets
// its blocks made.
type chainStore struct {
	blocks  []*ledger.Block // blocks[h-1]
	commits []*ledger.Commit
	apps    []ledger.Hash // app hash after executing block h: apps[h-1]
	sets    *setHistory   // derived from blocks: the set of each height up to height()+2
}

func (s *chainStore) height() uint64 { return uint64(len(s.blocks)) }

func (s *chainStore) appHash() ledger.Hash {
	if len(s.apps) == 0 {
		return ledger.ZeroHash
	}
	return s.apps[len(s.apps)-1]
}

// host is a node's application and store, as the driver sees it.
type host struct {
	w     *world
	n     *node
	store *chainStore
}

func (h *host) ValidateBlock(b *ledger.Block) error {
	return h.w.validate(h.store, b)
}

// validate is the chain's validity rule, the same at every honest node:
// the header must extend this store's chain, carry its app hash and the
// hashes of the validator sets of its height and the next (as this store's
// blocks made them), a later time than its parent, a validator of its
// height as proposer, and a last commit that verifies against the set of
// the previous height; no transaction may carry the invalid marker.
func (w *world) validate(s *chainStore, b *ledger.Block) error {
	hd := &b.Header
	if hd.Height != s.height()+1 {
		return fmt.Errorf("block for height %d, chain at %d", hd.Height, s.height())
	}
	vals := s.sets.at(hd.Height)
	if hd.ValidatorsHash != vals.Hash() {
		return errors.New("wrong validators hash")
	}
	if hd.NextValidatorsHash != s.sets.at(hd.Height+1).Hash() {
		return errors.New("wrong next validators hash")
	}
	if hd.AppHash != s.appHash() {
		return errors.New("wrong app hash")
	}
	if vals.IndexOf(hd.Proposer) < 0 {
		return errors.New("proposer is not a validator")
	}
	if hd.Height > 1 {
		prev := s.blocks[hd.Height-2]
		if hd.PrevBlockHash != prev.Hash() {
			return errors.New("wrong previous block hash")
		}
		if hd.Time <= prev.Header.Time {
			return errors.New("time does not increase")
		}
		if !w.verifier.verifyCommit(w.chain, s.sets.at(hd.Height-1), b.LastCommit, hd.Height-1, hd.PrevBlockHash) {
			return errors.New("last commit does not verify")
		}
	}
	for _, tx := range b.Txs {
		if string(tx.Payload) == invalidMarker {
			return errors.New("transaction marked invalid")
		}
	}
	return nil
}

// buildBlock makes the block that the validator with key proposer, on node
// n, proposes at (height, round) on store s: txs filler transactions, after
// the validator-set changes governance asks for that s's chain has not
// accepted yet. Different nodes and rounds give different blocks.
func (w *world) buildBlock(s *chainStore, n *node, proposer ledger.PublicKey, height uint64, round uint32, txs int) *ledger.Block {
	b := &ledger.Block{Header: ledger.Header{
		ChainID:            w.chain.ChainID(),
		Height:             height,
		Time:               int64(w.now) + 1,
		AppHash:            s.appHash(),
		ValidatorsHash:     s.sets.at(height).Hash(),
		NextValidatorsHash: s.sets.at(height + 1).Hash(),
		Proposer:           proposer,
	}}
	if height > 1 {
		prev := s.blocks[height-2]
		b.Header.PrevBlockHash = prev.Hash()
		if b.Header.Time <= prev.Header.Time {
			b.Header.Time = prev.Header.Time + 1
		}
		b.LastCommit = s.commits[height-2]
	}
	for _, c := range w.askedFor(s, height) {
		b.Txs = append(b.Txs, c.tx(w.chain.ChainID(), height))
	}
	for i := range txs {
		var p [16]byte
		binary.BigEndian.PutUint64(p[:8], uint64(n.id)<<32|uint64(round))
		binary.BigEndian.PutUint64(p[8:], uint64(i))
		b.Txs = append(b.Txs, &ledger.Tx{ChainID: w.chain.ChainID(), Nonce: height, Contract: "notary", Method: "anchor", Payload: p[:]})
	}
	b.FillHeader()
	return b
}

func (h *host) ProposeBlock(height uint64, round uint32) (*ledger.Block, error) {
	if height != h.store.height()+1 {
		return nil, fmt.Errorf("asked for height %d at %d", height, h.store.height())
	}
	i, key := h.w.selfAt(h.n, height)
	if i < 0 {
		return nil, fmt.Errorf("asked to propose at height %d, not a validator of it", height)
	}
	return h.w.buildBlock(h.store, h.n, key.PublicKey(), height, round, 1+int(round%3)), nil
}

func (h *host) Commit(d *consensus.Decision) (*ledger.ValidatorSet, error) {
	h.w.checkDecision(h.n, d, h.store)
	if d.Height != h.store.height()+1 {
		return nil, fmt.Errorf("commit of height %d on a store at %d", d.Height, h.store.height())
	}
	prev, blk := h.store.appHash(), d.Block.Hash()
	app := ledger.TaggedHash("sim/app", append(prev[:], blk[:]...))
	h.store.blocks = append(h.store.blocks, d.Block)
	h.store.commits = append(h.store.commits, d.Commit)
	h.store.apps = append(h.store.apps, app)
	h.store.sets.execute(d.Block, h.w.byzantine)
	return h.store.sets.at(d.Height + 1), nil
}

func (h *host) Decided(height uint64) (*ledger.Block, *ledger.Commit, error) {
	if height == 0 || height > h.store.height() {
		return nil, nil, errors.New("not stored")
	}
	return h.store.blocks[height-1], h.store.commits[height-1], nil
}

func (h *host) Evidence(ev *ledger.DuplicateVoteEvidence) {
	h.w.checkEvidence(h.n, ev)
}
