package audit

import (
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/schnorrbatch"
)

// checker runs the checks of one height that need nothing but the height's
// own data, genesis and the validator sets already known: they run on the
// read-ahead workers, in parallel.
type checker struct {
	doc   *genesis.Doc
	chain ledger.ChainIdentity // doc's: what every certificate must sign
	book  *setBook
	src   Source
	index TxLocator // nil when the source keeps no index
}

// certCheck is a worker's verdict on a certificate, checked against the set
// whose hash is Set (the one the block's header names); the in-order
// replay keeps it when that is the set of the certificate's height, and
// checks the certificate itself otherwise.
type certCheck struct {
	Checked bool
	Set     ledger.Hash
	Err     error
	Sigs    uint64
}

func (c *checker) certify(cmt *ledger.Commit, setHash ledger.Hash, height uint64, block ledger.Hash) certCheck {
	set := c.book.get(setHash)
	if set == nil {
		return certCheck{}
	}
	return certCheck{Checked: true, Set: setHash, Err: cmt.Verify(c.chain, set, height, block), Sigs: uint64(len(cmt.Sigs))}
}

func (c *checker) stateless(s *slot) {
	h := s.height
	st, err := c.src.Read(h)
	if err != nil {
		s.err = err
		return
	}
	s.stored = st
	s.problem = c.check(h, st, &s.sigs)
	if s.problem == nil {
		b := st.Block
		if h > 1 {
			// Signed by the set of h-1: the header's own set unless the
			// set changed at h (the replay re-checks then).
			s.lastCert = c.certify(b.LastCommit, b.Header.ValidatorsHash, h-1, b.Header.PrevBlockHash)
		}
		s.ownCert = c.certify(st.Commit, b.Header.ValidatorsHash, h, b.Hash())
	}
}

func (c *checker) check(h uint64, st *Stored, sigs *uint64) *Problem {
	b := st.Block
	hdr := &b.Header
	chainID := c.chain.ChainID()
	params := c.doc.Consensus
	switch {
	case hdr.Height != h:
		return problem(h, ErrBlock, "the block stored at height %d says height %d", h, hdr.Height)
	case hdr.ChainID != chainID:
		return problem(h, ErrBlock, "the block is for chain %q, genesis is %q", hdr.ChainID, chainID)
	}
	if err := b.ValidateContents(); err != nil {
		return problem(h, ErrBlock, "%v", err)
	}
	if uint64(len(b.Txs)) > params.MaxBlockTxs {
		return problem(h, ErrBlock, "%d transactions, genesis allows %d", len(b.Txs), params.MaxBlockTxs)
	}
	size := 0
	for i, tx := range b.Txs {
		n := tx.EncodedLen()
		if uint64(n) > params.MaxTxBytes {
			return problem(h, ErrBlock, "transaction %d is %d bytes, genesis allows %d", i, n, params.MaxTxBytes)
		}
		size += n
	}
	if uint64(size) > params.MaxBlockBytes {
		return problem(h, ErrBlock, "transactions total %d bytes, genesis allows %d", size, params.MaxBlockBytes)
	}
	if len(st.Results) != len(b.Txs) {
		return problem(h, ErrStore, "%d stored results for %d transactions", len(st.Results), len(b.Txs))
	}
	for i, ev := range b.Evidence {
		if ev.A.Height > h {
			return problem(h, ErrEvidence, "evidence %d is from height %d, in the future", i, ev.A.Height)
		}
	}
	// Transaction signatures, verified as one batch (ledger/schnorrbatch:
	// the same verdict as one by one, several times faster); the readers
	// run on all cores, one block each.
	items := make([]schnorrbatch.Item, len(b.Txs))
	for i, tx := range b.Txs {
		items[i] = schnorrbatch.Item{Key: tx.Sender, Msg: tx.Hash(), Sig: tx.Sig}
	}
	if !schnorrbatch.Verify(items) {
		i := 0
		if bad := schnorrbatch.VerifyEach(items); len(bad) > 0 {
			i = bad[0]
		}
		return problem(h, ErrTxSignature, "transaction %d (%s): %v", i, items[i].Msg, ledger.ErrBadSignature)
	}
	*sigs += uint64(len(items))
	if c.index != nil {
		for i, it := range items {
			th, pos, err := c.index.TxLocation(it.Msg)
			if err != nil || th != h || pos != uint32(i) {
				return problem(h, ErrTxIndex, "the index entry of transaction %d (%s) points at height %d position %d (%v)", i, it.Msg, th, pos, err)
			}
		}
	}
	return nil
}
