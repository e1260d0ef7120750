package view

import (
	"errors"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
)

// Verification says, in terms a reader can check, what was verified about
// a transaction: that it is in block Height (its Merkle path leads to the
// header's transaction root) and that the block carries a commit
// certificate signed by SignerCount of the Validators validators of its
// height (the genesis set followed through Transitions set changes)
// holding SignedPower of TotalPower voting power. ProofURL serves the proof
// bundle to check the same offline with `qian verify`.
type Verification struct {
	TxHash      ledger.Hash `json:"tx_hash"`
	Verified    bool        `json:"verified"`
	Error       string      `json:"error,omitempty"`
	Height      uint64      `json:"height"`
	Time        string      `json:"time"` // block time, UTC
	BlockHash   ledger.Hash `json:"block_hash"`
	Signers     []int       `json:"signers"` // validator indexes in the set of the block's height
	Transitions int         `json:"transitions"`
	SignerCount int         `json:"signer_count"`
	Validators  int         `json:"validators"`
	SignedPower uint64      `json:"signed_power"`
	TotalPower  uint64      `json:"total_power"`
	ProofURL    string      `json:"proof_url"`
	SignerNames []string    `json:"signer_names,omitempty"`
	// InChain: the certificate checked is the one the chain itself
	// recorded (the next block's last commit), not only this node's copy.
	InChain bool `json:"in_chain"`
	// ResultProven: the transaction's result (code, events) is tied to a
	// certified app hash, not only this node's word.
	ResultProven bool `json:"result_proven"`
	// Records and Failed summarise a lot: how many of its timeline's
	// transactions were verified the same way, and how many failed.
	// Pruned counts apart those committed below this node's first block
	// (a snapshot-joined or pruning node): not failed, not forged, only
	// not held here, so that they cannot be proven by this node.
	Records int `json:"records,omitempty"`
	Failed  int `json:"failed,omitempty"`
	Pruned  int `json:"pruned,omitempty"`
	// Code is ERR_PRUNED on a lot whose latest record's block this node
	// does not hold, and on a notary anchor whose block it does not hold (Verified false, Error the reason, Height and Time the
	// record's own, from the state; BlockHash unknown here). FirstHeight
	// and Archive come with it, and with Pruned records: the lowest height
	// this node holds and the archive nodes (storage.archive_urls) whose
	// API and pages prove the same records (docs/bad-input.md,
	// ERR_PRUNED). Archive is empty, not absent, when none is configured.
	Code        string    `json:"code,omitempty"`
	FirstHeight uint64    `json:"first_height,omitempty"`
	Archive     *[]string `json:"archive,omitempty"`
}

// Verify checks one committed transaction the way `qian verify` does: it
// builds the transaction's proof bundle from the store (ledger/proof.Build)
// and verifies it against the genesis anchor (ledger/proof.Verify) — the
// Merkle path to the header's transaction root, the validator-set
// transitions from genesis, the commit certificate against the set of the
// block's height, and, when the next block exists, the result through the
// app hash. A transaction that is not committed is an
// ERR_NOT_FOUND error; a check that fails is a Verification with Verified
// false and the reason. A final verification is remembered (verifiedCache)
// and not repeated.
func (r *Reader) Verify(txHash ledger.Hash) (*Verification, error) {
	if v, ok := r.verified.get(txHash); ok {
		return v, nil
	}
	v := &Verification{TxHash: txHash, ProofURL: "/v1/txs/" + txHash.String() + "/proof", Signers: []int{}}
	b, err := proof.Build(r.st, txHash)
	if proof.CodeOf(err) == proof.ErrNotFound {
		return nil, notFound("transaction %s is not committed on this node", txHash)
	}
	if perr, ok := r.pruned(err); ok {
		return nil, perr
	}
	if err != nil {
		v.Error = err.Error()
		return v, nil
	}
	rep, err := proof.Verify(b, r.anchor)
	if err != nil {
		v.Error = err.Error()
		if at, e := r.st.Tx(txHash); e == nil {
			v.Height, v.BlockHash, v.Time = at.Height, at.Block.Hash(), at.Block.Header.Timestamp().Format(time.RFC3339Nano)
		}
		return v, nil
	}
	v.Verified = true
	v.Height, v.BlockHash, v.Time = rep.Height, rep.BlockHash, rep.Time.UTC().Format(time.RFC3339Nano)
	v.Signers, v.SignerCount, v.SignerNames = rep.Signers, len(rep.Signers), rep.SignerNames
	v.SignedPower, v.TotalPower, v.Validators, v.Transitions = rep.SignedPower, rep.TotalPower, rep.Validators, rep.Transitions
	v.InChain = rep.InChain
	v.ResultProven = rep.Result != nil && rep.Result.Proven
	r.verified.put(v)
	return v, nil
}

// MaxLotChecks bounds how many of a lot's timeline transactions VerifyLot
// checks (each is a proof bundle built and verified).
const MaxLotChecks = 200

// VerifyLot verifies the transaction of the lot's latest event in detail,
// and the timeline's transactions (up to MaxLotChecks) the same way. A
// transaction below this node's first block (ERR_PRUNED) fails nothing:
// the lot's state is whole on such a node, only the blocks that prove it
// are elsewhere. The head's then gives a Verification with Code ERR_PRUNED
// built from the event (its height and block time are in the state), and
// such timeline records are counted in Pruned, not Failed. Other errors
// (a store failure) are returned.
func (r *Reader) VerifyLot(l *Lot) error {
	if len(l.Timeline) == 0 {
		return nil
	}
	headEv := l.Timeline[len(l.Timeline)-1]
	for _, ev := range l.History {
		if ev.Hash == l.Head {
			headEv = ev
		}
	}
	head := headEv.TxHash
	v, err := r.Verify(head)
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != ErrPruned {
			return err
		}
		v = prunedVerification(head, headEv.Height, headEv.RecordTime, pe)
	}
	seen := map[ledger.Hash]bool{}
	for _, ev := range l.Timeline {
		if seen[ev.TxHash] {
			continue
		}
		if v.Records == MaxLotChecks {
			break // a page view stays cheap; the head and the first records are checked
		}
		seen[ev.TxHash] = true
		v.Records++
		if ev.TxHash == head {
			switch {
			case v.Code == ErrPruned:
				v.Pruned++
			case !v.Verified:
				v.Failed++
			}
			continue
		}
		w, err := r.Verify(ev.TxHash)
		var pe *Error
		switch {
		case errors.As(err, &pe) && pe.Code == ErrPruned:
			v.Pruned++
			v.prunedAt(pe)
		case err != nil || !w.Verified:
			v.Failed++
		}
	}
	l.Verification = v
	return nil
}

// prunedVerification is the verification of a transaction committed at
// height (at time, both known from the state) in a block this node does not
// hold: Code ERR_PRUNED, the reason, this node's first height and the
// archive nodes that prove it (a lot's latest record, a notary anchor).
func prunedVerification(tx ledger.Hash, height uint64, time string, pe *Error) *Verification {
	v := &Verification{TxHash: tx, Code: ErrPruned, Error: pe.Message, Height: height, Time: time,
		ProofURL: "/v1/txs/" + tx.String() + "/proof", Signers: []int{}}
	v.prunedAt(pe)
	return v
}

// prunedAt records on a lot's verification where the blocks it could not
// check are: this node's first height and the archive nodes. v is the
// lot's own: VerifyLot built it, or Verify returned it (a copy of a cached
// one, verifiedCache.get, is the caller's to change).
func (v *Verification) prunedAt(pe *Error) {
	archive := append([]string{}, pe.Archive...)
	v.FirstHeight, v.Archive = pe.First, &archive
}
