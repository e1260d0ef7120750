package ledger

import (
	"errors"
	"fmt"
)

// Tx is a signed transaction: a call of one method of one contract, by the
// holder of Sender's private key, on one chain.
//
// Its hash (Hash) is the BIP-340 tagged hash of every field but the
// signature, and the signature is made over that hash. Two transactions with
// the same fields are therefore the same transaction, whatever signature they
// carry, and a transaction executes at most once: the ledger's transaction
// index refuses a hash it has seen. Nonce lets one sender make otherwise
// identical calls distinct; it carries no ordering.
type Tx struct {
	ChainID  string    `json:"chain_id"`
	Sender   PublicKey `json:"sender"`
	Nonce    uint64    `json:"nonce"`
	Contract string    `json:"contract"`
	Method   string    `json:"method"`
	Payload  []byte    `json:"payload"`
	Sig      Signature `json:"signature"`
}

func (tx *Tx) encodeBody(e *encoder) {
	e.u8(uint8(TagTx))
	e.string(tx.ChainID)
	e.fixed(tx.Sender[:])
	e.u64(tx.Nonce)
	e.string(tx.Contract)
	e.string(tx.Method)
	e.bytes(tx.Payload)
}

// Encode returns the canonical encoding: the body, then the signature.
func (tx *Tx) Encode() []byte {
	e := encoder{buf: make([]byte, 0, 160+len(tx.Payload))}
	tx.encodeBody(&e)
	e.fixed(tx.Sig[:])
	return e.buf
}

// Hash identifies the transaction and is the message its signature signs.
func (tx *Tx) Hash() Hash {
	e := encoder{buf: make([]byte, 0, 96+len(tx.Payload))}
	tx.encodeBody(&e)
	return TaggedHash(domainTx, e.buf)
}

// Sign sets Sender to k's public key and Sig to k's signature.
func (tx *Tx) Sign(k PrivateKey) error {
	tx.Sender = k.PublicKey()
	sig, err := k.Sign(tx.Hash())
	if err != nil {
		return err
	}
	tx.Sig = sig
	return nil
}

// VerifySignature checks Sig against Sender. It is the expensive part of
// admitting a transaction (about 100 us); callers verify once and remember.
func (tx *Tx) VerifySignature() error {
	if !tx.Sender.Verify(tx.Hash(), tx.Sig) {
		return ErrBadSignature
	}
	return nil
}

// ErrBadSignature is returned for a signature that does not verify.
var ErrBadSignature = errors.New("signature does not verify against the sender's public key")

// Validate checks the fields' syntax: what DecodeTx enforces, for a Tx built
// in memory.
func (tx *Tx) Validate() error {
	switch {
	case !validChainID(tx.ChainID):
		return errChainID(tx.ChainID)
	case !validName(tx.Contract):
		return fmt.Errorf("tx: contract name %q must be 1-%d characters of [a-z0-9_] starting with a letter", tx.Contract, MaxNameLen)
	case !validName(tx.Method):
		return fmt.Errorf("tx: method name %q must be 1-%d characters of [a-z0-9_] starting with a letter", tx.Method, MaxNameLen)
	case len(tx.Payload) > MaxPayloadBytes:
		return fmt.Errorf("tx: payload of %d bytes exceeds limit %d", len(tx.Payload), MaxPayloadBytes)
	}
	return nil
}

func errChainID(s string) error {
	return fmt.Errorf("chain id %q must be 1-%d characters of [a-z0-9._-] starting with a letter or digit", s, MaxChainIDLen)
}

// DecodeTx decodes the canonical encoding of a transaction. It checks syntax
// only; the signature is checked by VerifySignature.
func DecodeTx(b []byte) (*Tx, error) {
	if len(b) > MaxTxBytes {
		return nil, &DecodeError{Type: "tx", Field: "(whole)", Reason: fmt.Sprintf("%d bytes exceeds limit %d", len(b), MaxTxBytes)}
	}
	d := newDecoder("tx", b)
	tx := decodeTx(d)
	if err := d.finish(); err != nil {
		return nil, err
	}
	return tx, nil
}

func decodeTx(d *decoder) *Tx {
	tx := &Tx{}
	d.tag(TagTx)
	tx.ChainID = d.chainID("chain_id")
	d.fixed("sender", tx.Sender[:])
	tx.Nonce = d.u64("nonce")
	tx.Contract = d.name("contract")
	tx.Method = d.name("method")
	tx.Payload = d.bytes("payload", MaxPayloadBytes)
	d.fixed("signature", tx.Sig[:])
	return tx
}

func (d *decoder) chainID(field string) string {
	s := d.string(field, MaxChainIDLen)
	if d.err == nil && !validChainID(s) {
		d.fail(field, "%v", errChainID(s))
	}
	return s
}

func (d *decoder) name(field string) string {
	s := d.string(field, MaxNameLen)
	if d.err == nil && !validName(s) {
		d.fail(field, "%q must be 1-%d characters of [a-z0-9_] starting with a letter", s, MaxNameLen)
	}
	return s
}
