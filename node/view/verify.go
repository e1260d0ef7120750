package view

import (
	"errors"
	"fmt"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
	"github.com/qianchain/qianchain/ledger/store"
)

// Verification says, in terms a reader can check, what was verified about
// a transaction: that it is in block Height (its Merkle path leads to the
// header's transaction root) and that the block carries a commit
// certificate signed by SignerCount of Validators genesis validators
// holding SignedPower of TotalPower voting power. ProofURL serves the proof
// bundle to check the same offline with `qian verify`.
type Verification struct {
	TxHash      ledger.Hash `json:"tx_hash"`
	Verified    bool        `json:"verified"`
	Error       string      `json:"error,omitempty"`
	Height      uint64      `json:"height"`
	Time        string      `json:"time"` // block time, UTC
	BlockHash   ledger.Hash `json:"block_hash"`
	Signers     []int       `json:"signers"` // validator indexes in genesis order
	SignerCount int         `json:"signer_count"`
	Validators  int         `json:"validators"`
	SignedPower uint64      `json:"signed_power"`
	TotalPower  uint64      `json:"total_power"`
	ProofURL    string      `json:"proof_url"`
	// Records and Failed summarise a lot: how many of its timeline's
	// transactions were verified the same way, and how many failed.
	Records int `json:"records,omitempty"`
	Failed  int `json:"failed,omitempty"`
}

// Verify checks one committed transaction against the genesis validator
// set. A transaction that is not committed is an ERR_NOT_FOUND error; a
// check that fails is a Verification with Verified false and the reason.
func (r *Reader) Verify(txHash ledger.Hash) (*Verification, error) {
	v := &Verification{TxHash: txHash, ProofURL: "/v1/txs/" + txHash.String() + "/proof", Validators: r.vals.Size(),
		TotalPower: r.vals.TotalPower(), Signers: []int{}}
	at, err := r.st.Tx(txHash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("transaction %s is not committed on this node", txHash)
	}
	if err != nil {
		v.Error = err.Error()
		return v, nil
	}
	v.Height, v.BlockHash, v.Time = at.Height, at.Block.Hash(), at.Block.Header.Timestamp().Format(time.RFC3339Nano)
	if err := r.check(at, v); err != nil {
		v.Error = err.Error()
		return v, nil
	}
	v.Verified = true
	return v, nil
}

// check proves at's transaction is in its block and the block is certified
// by the genesis validators.
func (r *Reader) check(at *store.TxAt, v *Verification) error {
	b := at.Block
	leaves := make([]merkle.Hash, len(b.Txs))
	for i, tx := range b.Txs {
		leaves[i] = merkle.LeafHash(tx.Encode())
	}
	p, err := merkle.Prove(leaves, uint64(at.Pos))
	if err != nil {
		return err
	}
	if err := merkle.Verify(merkle.LeafHash(at.Tx.Encode()), p, b.Header.TxRoot); err != nil {
		return fmt.Errorf("transaction is not under the block's transaction root: %w", err)
	}
	if b.Header.ChainID != r.doc.ChainID {
		return fmt.Errorf("block names chain %q, genesis says %q", b.Header.ChainID, r.doc.ChainID)
	}
	if b.Header.ValidatorsHash != r.vals.Hash() {
		return fmt.Errorf("block names validator set %s, genesis has %s", b.Header.ValidatorsHash.Short(), r.vals.Hash().Short())
	}
	c, err := r.st.Commit(at.Height)
	if err != nil {
		return fmt.Errorf("commit certificate of height %d: %w", at.Height, err)
	}
	if err := c.Verify(r.doc.ChainID, r.vals, at.Height, v.BlockHash); err != nil {
		return err
	}
	v.Signers = c.Signers()
	v.SignerCount = len(v.Signers)
	v.SignedPower = c.SignedPower(r.vals)
	return nil
}

// verifyLot verifies the transaction of the lot's latest event in detail,
// and every timeline transaction the same way.
func (r *Reader) VerifyLot(l *Lot) error {
	if len(l.Timeline) == 0 {
		return nil
	}
	head := l.Timeline[len(l.Timeline)-1].TxHash
	for _, ev := range l.History {
		if ev.Hash == l.Head {
			head = ev.TxHash
		}
	}
	v, err := r.Verify(head)
	if err != nil {
		return err
	}
	seen := map[ledger.Hash]bool{}
	for _, ev := range l.Timeline {
		if seen[ev.TxHash] {
			continue
		}
		seen[ev.TxHash] = true
		v.Records++
		ok := ev.TxHash == head && v.Verified
		if ev.TxHash != head {
			w, err := r.Verify(ev.TxHash)
			ok = err == nil && w.Verified
		}
		if !ok {
			v.Failed++
		}
	}
	l.Verification = v
	return nil
}
