package proof

import (
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// Source is the committed chain Build reads; *store.Store (ledger/store) is
// one. Reads must return verified data (the store checks hashes on read)
// and report a missing entry with an error matching ledger.ErrNotFound.
// The package imports no store: an offline verifier built from it (a
// browser's, compiled to WebAssembly) carries no database.
type Source interface {
	Height() uint64
	GenesisHash() (ledger.Hash, error)
	TxLocation(h ledger.Hash) (height uint64, pos uint32, err error)
	Block(height uint64) (*ledger.Block, error)
	Commit(height uint64) (*ledger.Commit, error)
	// TxResult is the result leaf of the transaction at (height, pos),
	// whose hash txHash the caller read from the block.
	TxResult(height uint64, pos uint32, txHash ledger.Hash) ([]byte, error)
	// ValidatorSet is the set that signs height; ValidatorChanges the
	// heights in [from, to] at which a new set takes effect.
	ValidatorSet(height uint64) (*ledger.ValidatorSet, error)
	ValidatorChanges(from, to uint64) ([]uint64, error)
}

// HeaderSource is implemented by a Source that can read a header without
// its block: a store restored from a snapshot, or pruned, keeps the header
// (and its certificate) before each validator-set change but not the
// block, and Build then takes the transition from them.
type HeaderSource interface {
	Header(height uint64) (*ledger.Header, error)
}

// WritesRootSource is implemented by a Source that keeps each height's
// writes root (docs/state.md). Without it Build cannot prove an outcome,
// and the bundle then carries none.
type WritesRootSource interface {
	WritesRoot(height uint64) (ledger.Hash, error)
}

// Build assembles the bundle for the committed transaction txHash from st.
// A transaction st does not hold gives an *Error with code ErrNotFound.
//
// The bundle carries every validator-set transition from genesis up to the
// last header it holds (the block's, or the next block's), each with the
// header before it and that header's certificate: what a verifier holding
// only genesis follows to the set that signed the block.
//
// The certificate is the chain's own when block h+1 exists (its last
// commit), else st's stored commit. Block h+1's header and certificate (the
// chain's own from block h+2 when that exists) come along when h+1 exists,
// and with them the outcome and its proof when st keeps writes roots. An
// outcome that cannot be proven (the newest block, or a height without a
// writes root) is left out: Verify refuses an unproven outcome.
func Build(st Source, txHash ledger.Hash) (*Bundle, error) {
	height, pos, err := st.TxLocation(txHash)
	if errors.Is(err, ledger.ErrNotFound) {
		return nil, fail(ErrNotFound, "transaction %s is not committed on this node", txHash)
	}
	if err != nil {
		return nil, fmt.Errorf("locate tx %s: %w", txHash.Short(), err)
	}
	gh, err := st.GenesisHash()
	if err != nil {
		return nil, fmt.Errorf("read genesis hash: %w", err)
	}
	blk, err := st.Block(height)
	if err != nil {
		return nil, fmt.Errorf("read block %d: %w", height, err)
	}
	if int(pos) >= len(blk.Txs) || blk.Txs[pos].Hash() != txHash {
		return nil, fmt.Errorf("tx index for %s points at block %d position %d, which holds another transaction", txHash.Short(), height, pos)
	}
	tx := blk.Txs[pos]
	leaves := make([]merkle.Hash, len(blk.Txs))
	for i, t := range blk.Txs {
		leaves[i] = merkle.LeafHash(t.Encode())
	}
	incl, err := merkle.Prove(leaves, uint64(pos))
	if err != nil {
		return nil, err
	}
	vals, err := st.ValidatorSet(height)
	if err != nil {
		return nil, fmt.Errorf("read the validator set of height %d: %w", height, err)
	}
	b := &Bundle{
		Version: Version, ChainID: blk.Header.ChainID, GenesisHash: gh,
		Tx:         txPart(tx),
		Inclusion:  Inclusion{Index: pos, Size: blk.Header.TxCount, Siblings: fromMerkle(incl.Path)},
		Header:     headerPart(&blk.Header),
		Validators: validatorsPart(vals),
	}

	tip := st.Height()
	last := height
	if height < tip {
		last = height + 1
	}
	if b.Transitions, err = transitions(st, last, tip); err != nil {
		return nil, err
	}
	var next *ledger.Block
	cmt, err := certificate(st, height, tip)
	if err != nil {
		return nil, err
	}
	b.Commit = commitPart(cmt)
	if height < tip {
		if next, err = st.Block(height + 1); err != nil {
			return nil, fmt.Errorf("read block %d: %w", height+1, err)
		}
		nextCmt, err := certificate(st, height+1, tip)
		if err != nil {
			return nil, err
		}
		b.Next = &NextPart{Header: headerPart(&next.Header), Commit: commitPart(nextCmt)}
	}

	wr, ok := st.(WritesRootSource)
	if !ok || next == nil {
		return b, nil
	}
	root, err := wr.WritesRoot(height)
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		return b, nil // a store that began keeping writes roots after this height
	case err != nil:
		return nil, fmt.Errorf("read writes root %d: %w", height, err)
	}
	leaf, err := st.TxResult(height, pos, txHash)
	if err != nil {
		return nil, fmt.Errorf("read result of %s: %w", txHash.Short(), err)
	}
	if b.Outcome, _, err = outcomePart(leaf); err != nil {
		return nil, fmt.Errorf("stored result of %s: %w", txHash.Short(), err)
	}
	if b.Outcome.Proof, err = outcomeProof(st, blk, pos, root, next); err != nil {
		return nil, err
	}
	return b, nil
}

// transitions returns the chain's validator-set transitions at heights 2 to
// last, each with the header before it and that header's certificate.
func transitions(st Source, last, tip uint64) ([]TransitionPart, error) {
	hs, err := st.ValidatorChanges(2, last)
	if err != nil {
		return nil, fmt.Errorf("read the validator-set changes: %w", err)
	}
	out := []TransitionPart{}
	for _, t := range hs {
		hdr, err := transitionHeader(st, t-1)
		if err != nil {
			return nil, err
		}
		cmt, err := certificate(st, t-1, tip)
		if err != nil {
			return nil, err
		}
		set, err := st.ValidatorSet(t)
		if err != nil {
			return nil, fmt.Errorf("read the validator set of height %d: %w", t, err)
		}
		if hdr.NextValidatorsHash != set.Hash() {
			return nil, fmt.Errorf("the stored set of height %d hashes to %s; header %d names %s", t, set.Hash().Short(), t-1, hdr.NextValidatorsHash.Short())
		}
		out = append(out, transitionPart(&ledger.Transition{Header: hdr, Commit: cmt, Validators: set}))
	}
	return out, nil
}

// transitionHeader reads header h, from its block or, when st holds only
// the header (HeaderSource), from that.
func transitionHeader(st Source, h uint64) (*ledger.Header, error) {
	blk, err := st.Block(h)
	if err == nil {
		return &blk.Header, nil
	}
	if hs, ok := st.(HeaderSource); ok && errors.Is(err, ledger.ErrNotFound) {
		if hdr, herr := hs.Header(h); herr == nil {
			return hdr, nil
		}
	}
	return nil, fmt.Errorf("read block %d: %w", h, err)
}

// certificate returns the chain's own commit for height (block height+1's
// last commit) when that block exists, else the stored one (all a store
// that starts above height holds).
func certificate(st Source, height, tip uint64) (*ledger.Commit, error) {
	if height < tip {
		nb, err := st.Block(height + 1)
		if err == nil {
			return nb.LastCommit, nil
		}
		if !errors.Is(err, ledger.ErrNotFound) {
			return nil, fmt.Errorf("read block %d: %w", height+1, err)
		}
	}
	c, err := st.Commit(height)
	if err != nil {
		return nil, fmt.Errorf("read commit %d: %w", height, err)
	}
	return c, nil
}

// outcomeProof builds the result's path into block h's results root and
// checks that the roots give the app hash header h+1 carries.
func outcomeProof(st Source, blk *ledger.Block, pos uint32, writesRoot ledger.Hash, next *ledger.Block) (*OutcomeProof, error) {
	h := blk.Header.Height
	leaves := make([]merkle.Hash, len(blk.Txs))
	for i := range blk.Txs {
		leaf, err := st.TxResult(h, uint32(i), blk.Txs[i].Hash())
		if err != nil {
			return nil, fmt.Errorf("read result %d/%d: %w", h, i, err)
		}
		leaves[i] = merkle.LeafHash(leaf)
	}
	p, err := merkle.Prove(leaves, uint64(pos))
	if err != nil {
		return nil, err
	}
	resultsRoot := ledger.Hash(merkle.Root(leaves))
	if got := AppHashLink(blk.Header.AppHash, h, writesRoot, resultsRoot); got != next.Header.AppHash {
		return nil, fmt.Errorf("stored results and writes root of block %d give app hash %s, header %d carries %s", h, got.Short(), h+1, next.Header.AppHash.Short())
	}
	return &OutcomeProof{Siblings: fromMerkle(p.Path), WritesRoot: writesRoot, ResultsRoot: resultsRoot}, nil
}

// AttachBatchItem adds to b the proof that item is leaf p.Index of the batch
// b's transaction anchors (a notary.anchor_batch). It checks the path first;
// p.Size must be the anchored batch's size.
func AttachBatchItem(b *Bundle, item ledger.Hash, p merkle.Proof) error {
	tx, err := ledger.DecodeTx(b.Tx.Encoding)
	if err != nil {
		return fail(ErrEncoding, "tx.encoding: %v", err)
	}
	root, size, err := anchoredBatch(tx)
	if err != nil {
		return err
	}
	if p.Size != size {
		return fail(ErrBatchItem, "the item's proof is for a batch of %d items; the transaction anchors %d", p.Size, size)
	}
	if err := merkle.Verify(merkle.LeafHash(item[:]), p, root); err != nil {
		return fail(ErrBatchItem, "item %s is not leaf %d of the batch with root %s: %v", item, p.Index, root, err)
	}
	b.BatchItem = &BatchItem{Item: item, Index: p.Index, Size: size, Root: root, Siblings: fromMerkle(p.Path)}
	return nil
}
