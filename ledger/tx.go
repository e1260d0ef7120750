package ledger

import (
	"bytes"
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

	// enc is the encoding a decoded transaction was read from and hash its
	// hash, kept because a transaction is read many times after it is
	// decoded (the transaction root, the block's encoding for the store and
	// for peers, validation, execution, the index), and encoding it afresh
	// for each allocated as much as the rest of a decided block's ledger
	// work (BenchmarkDecidedBlock: 14.1 MB and 85,000 allocations per block
	// of 5,000 before, 6.1 MB and 45,000 after). They are used only while
	// enc still encodes the fields (see kept), so a transaction changed after
	// decoding is encoded and hashed afresh. Payload is a copy of its own,
	// not a part of enc, so that a change of its bytes in place is seen too.
	enc  []byte
	hash Hash
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

// Encode returns the canonical encoding: the body, then the signature. The
// caller owns the returned bytes.
func (tx *Tx) Encode() []byte {
	if enc := tx.kept(); enc != nil {
		return bytes.Clone(enc)
	}
	return tx.encode()
}

func (tx *Tx) encode() []byte {
	e := encoder{buf: make([]byte, 0, 160+len(tx.Payload))}
	tx.encodeBody(&e)
	e.fixed(tx.Sig[:])
	return e.buf
}

// encoding is the canonical encoding for reading only: the kept encoding
// of a decoded transaction, not copied.
func (tx *Tx) encoding() []byte {
	if enc := tx.kept(); enc != nil {
		return enc
	}
	return tx.encode()
}

// EncodedLen is len(tx.Encode()), without a copy for a decoded transaction.
func (tx *Tx) EncodedLen() int { return len(tx.encoding()) }

// Hash identifies the transaction and is the message its signature signs.
func (tx *Tx) Hash() Hash {
	if tx.kept() != nil {
		return tx.hash
	}
	e := encoder{buf: make([]byte, 0, 96+len(tx.Payload))}
	tx.encodeBody(&e)
	return TaggedHash(domainTx, e.buf)
}

// keep records enc, which decodes to tx, as tx's encoding.
func (tx *Tx) keep(enc []byte) {
	tx.enc = enc
	tx.hash = TaggedHash(domainTx, enc[:len(enc)-SignatureSize])
}

// kept returns the kept encoding if it still encodes tx's fields, nil if tx
// was built in memory or has changed since it was decoded. The check reads
// the encoding once and allocates nothing. It lists the fields of
// encodeBody again, on purpose: one list behind an interface would make the
// matcher escape and allocate. A field added to one list and not the other
// turns every kept encoding stale, which TestReadingADecodedTxAllocatesNothing
// catches.
func (tx *Tx) kept() []byte {
	if tx.enc == nil {
		return nil
	}
	m := matcher{b: tx.enc}
	m.u8(uint8(TagTx))
	m.string(tx.ChainID)
	m.fixed(tx.Sender[:])
	m.u64(tx.Nonce)
	m.string(tx.Contract)
	m.string(tx.Method)
	m.bytes(tx.Payload)
	m.fixed(tx.Sig[:])
	if !m.done() {
		return nil
	}
	return tx.enc
}

// Sign sets Sender to k's public key and Sig to k's signature.
func (tx *Tx) Sign(k PrivateKey) error {
	tx.enc = nil
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
	tx := decodeTx(d, nil)
	if err := d.finish(); err != nil {
		return nil, err
	}
	// The transaction keeps a copy of its encoding (see Tx.enc); the caller
	// keeps b.
	tx.keep(bytes.Clone(b))
	return tx, nil
}

// decodeTx decodes a transaction's fields; the caller checks d and keeps
// the encoding. Strings equal to like's (the previous transaction of a
// block, or nil) are shared with it rather than allocated again.
func decodeTx(d *decoder, like *Tx) *Tx {
	if like == nil {
		like = &Tx{}
	}
	tx := &Tx{}
	d.tag(TagTx)
	tx.ChainID = d.chainID("chain_id", like.ChainID)
	d.fixed("sender", tx.Sender[:])
	tx.Nonce = d.u64("nonce")
	tx.Contract = d.name("contract", like.Contract)
	tx.Method = d.name("method", like.Method)
	tx.Payload = d.bytes("payload", MaxPayloadBytes)
	d.fixed("signature", tx.Sig[:])
	return tx
}

// chainID reads a chain ID; like is returned instead of a copy when equal.
func (d *decoder) chainID(field, like string) string {
	s := d.stringLike(field, MaxChainIDLen, like)
	if d.err == nil && !validChainID(s) {
		d.fail(field, "%v", errChainID(s))
	}
	return s
}

// name reads a contract or method name; like is returned instead of a copy
// when equal.
func (d *decoder) name(field, like string) string {
	s := d.stringLike(field, MaxNameLen, like)
	if d.err == nil && !validName(s) {
		d.fail(field, "%q must be 1-%d characters of [a-z0-9_] starting with a letter", s, MaxNameLen)
	}
	return s
}
