package proof

import (
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
)

// The readable parts of a bundle, computed from canonical encodings. Build
// writes them; Verify recomputes them and compares (strictJSON.go), so each
// readable field is checked against the bytes it copies.

func txPart(tx *ledger.Tx) TxPart {
	return TxPart{Encoding: tx.Encode(), Hash: tx.Hash(), Sender: tx.Sender, Nonce: tx.Nonce, Contract: tx.Contract, Method: tx.Method}
}

func formatTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

func headerPart(h *ledger.Header) HeaderPart {
	return HeaderPart{
		Encoding: h.Encode(), Hash: h.Hash(), Height: h.Height, Time: formatTime(h.Time),
		PrevBlockHash: h.PrevBlockHash, TxCount: h.TxCount, TxRoot: h.TxRoot, AppHash: h.AppHash,
		ValidatorsHash: h.ValidatorsHash, NextValidatorsHash: h.NextValidatorsHash, Proposer: h.Proposer,
		LastCommitHash: h.LastCommitHash, EvidenceHash: h.EvidenceHash,
	}
}

func commitPart(c *ledger.Commit) CommitPart {
	return CommitPart{Encoding: c.Encode(), Hash: c.Hash(), Height: c.Height, Round: c.Round, BlockHash: c.BlockHash, Signers: c.Signers()}
}

func validatorsPart(vals *ledger.ValidatorSet) ValidatorsPart {
	return ValidatorsPart{Encoding: vals.Encode(), Hash: vals.Hash(),
		Validators: append([]ledger.Validator{}, vals.Validators...), TotalPower: vals.TotalPower()}
}

func transitionPart(t *ledger.Transition) TransitionPart {
	return TransitionPart{Height: t.Height(), Header: headerPart(t.Header), Commit: commitPart(t.Commit), Validators: validatorsPart(t.Validators)}
}

func outcomePart(leaf []byte) (*OutcomePart, ledger.Hash, error) {
	r, err := DecodeResult(leaf)
	if err != nil {
		return nil, ledger.Hash{}, err
	}
	return &OutcomePart{Result: append(Hex{}, leaf...), Code: r.Code, Message: r.Message, Events: r.Events}, r.TxHash, nil
}

func toMerkle(hs []ledger.Hash) []merkle.Hash {
	out := make([]merkle.Hash, len(hs))
	for i, h := range hs {
		out[i] = h
	}
	return out
}

func fromMerkle(hs []merkle.Hash) []ledger.Hash {
	out := make([]ledger.Hash, len(hs))
	for i, h := range hs {
		out[i] = h
	}
	return out
}
