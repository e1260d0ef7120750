package proof

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
	"github.com/qianchain/qianchain/ledger/schnorrbatch"
)

// Anchor is what a verifier trusts: the chain's identity (chain id and
// genesis hash) and its genesis validator set, taken from its genesis file.
// Certificates are checked against Chain, so the genesis hash they must
// sign is the verifier's, never the bundle's. Names, when set, are
// validators' names by key (genesis has them), for reports. Trust, when
// set, are validator-set hashes the verifier knows at later heights
// (`qian verify --trust HEIGHT:HASH`): the set a bundle leads to at each
// of them must be that one (docs/verification.md, "Limits").
type Anchor struct {
	Chain      ledger.ChainIdentity
	Validators *ledger.ValidatorSet
	Names      map[ledger.PublicKey]string
	Trust      []TrustPoint
}

// TrustPoint is a validator-set hash the verifier trusts at a height: the
// hash of the set that signs Height, from a source it trusts (its own
// node's explorer, a partner's signed letter).
type TrustPoint struct {
	Height  uint64      `json:"height"`
	SetHash ledger.Hash `json:"validators_hash"`
}

// Report is what a bundle proved.
type Report struct {
	ChainID   string      `json:"chain_id"`
	TxHash    ledger.Hash `json:"tx_hash"`
	Tx        *ledger.Tx  `json:"tx"`
	Index     uint32      `json:"index"`    // position in the block, from 0
	TxCount   uint32      `json:"tx_count"` // transactions in the block
	Height    uint64      `json:"height"`
	Time      time.Time   `json:"time"`
	BlockHash ledger.Hash `json:"block_hash"`
	// Round, Signers, SignedPower: the certificate's round, the validators
	// (indexes in the set of the block's height) whose signatures
	// verified, and their power; TotalPower and Validators describe that
	// set, ValidatorsHash names it.
	Round          uint32      `json:"round"`
	Signers        []int       `json:"signers"`
	SignerNames    []string    `json:"signer_names,omitempty"`
	SignedPower    uint64      `json:"signed_power"`
	TotalPower     uint64      `json:"total_power"`
	Validators     int         `json:"validators"`
	ValidatorsHash ledger.Hash `json:"validators_hash"`
	// Transitions is how many validator-set changes since genesis the
	// bundle followed to reach that set (each certified by the set before
	// it).
	Transitions int `json:"transitions"`
	// Trusted lists the trust points checked; TrustBeyond those above the
	// bundle's last header, which it cannot speak for.
	Trusted     []TrustPoint `json:"trusted,omitempty"`
	TrustBeyond []TrustPoint `json:"trust_beyond,omitempty"`
	// InChain reports that the certificate is the one the chain itself
	// recorded (block h+1's last commit), not only a node's own copy.
	InChain bool `json:"in_chain"`
	// Result is the transaction's outcome, nil when the bundle carries
	// none. It is always proven: Verify refuses a bundle that states an
	// outcome without tying it to a certified app hash.
	Result *Outcome `json:"result,omitempty"`
	// BatchItem is the proven batch item, nil when the bundle carries none.
	BatchItem *BatchItem `json:"batch_item,omitempty"`
}

// Outcome is a transaction's result as its app-hash leaf records it.
type Outcome struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Events  []Event `json:"events"`
	// Proven: the leaf is tied, through the block's results root, to the
	// app hash of header h+1, whose certificate verified. Always true in a
	// Report (an unproven outcome fails verification); kept so that a
	// reader of the JSON need not know that rule.
	Proven bool `json:"proven"`
	// ProvenBy is the height of the header that commits to it (h+1).
	ProvenBy uint64 `json:"proven_by,omitempty"`
}

// AppHashDomain is the BIP-340 tag of the app-hash chain (docs/state.md).
const AppHashDomain = "qian/app/v1"

// AppHashLink computes AppHash(h) from AppHash(h-1) and block h's two roots:
// TaggedHash("qian/app/v1", prev ‖ u64(h) ‖ writesRoot ‖ resultsRoot).
func AppHashLink(prev ledger.Hash, height uint64, writesRoot, resultsRoot ledger.Hash) ledger.Hash {
	msg := make([]byte, 0, 104)
	msg = append(msg, prev[:]...)
	msg = binary.BigEndian.AppendUint64(msg, height)
	msg = append(msg, writesRoot[:]...)
	msg = append(msg, resultsRoot[:]...)
	return ledger.TaggedHash(AppHashDomain, msg)
}

// Verify checks b against a and returns what it proved, or an *Error naming
// the first check that failed. It reads no file and no network. The checks
// run in the order docs/verification.md gives: cheap structural checks
// first, signatures last.
func Verify(b *Bundle, a Anchor) (*Report, error) {
	if a.Validators == nil || a.Chain.Validate() != nil {
		return nil, fail(ErrValidators, "the verifier has no chain identity or validator set: load the genesis file")
	}
	chainID, genesisHash := a.Chain.ChainID(), a.Chain.GenesisHash()
	// 1. Format and chain.
	if b.Version != Version {
		return nil, fail(ErrFormat, "bundle version %d; this verifier reads version %d", b.Version, Version)
	}
	if b.ChainID != chainID {
		return nil, fail(ErrChain, "the bundle is for chain %q, the genesis file for chain %q", b.ChainID, chainID)
	}
	// The bundle's genesis_hash is only a claim, checked here to name the
	// mistake early; what binds the bundle to this genesis is that its
	// certificates sign the genesis file's hash (step 9).
	if b.GenesisHash != genesisHash {
		return nil, fail(ErrChain, "the bundle is for genesis %s, the genesis file hashes to %s", b.GenesisHash, genesisHash)
	}

	// 2. Header, and the transitions up to it: from the genesis set, each
	// transition certified by the set before it, to the set that signs
	// the header (ledger.SetFollower).
	hdr, err := decodeHeader("header", &b.Header)
	if err != nil {
		return nil, err
	}
	if hdr.ChainID != chainID {
		return nil, fail(ErrChain, "the header is for chain %q, not %q", hdr.ChainID, chainID)
	}
	sigs := newSigList()
	follow := ledger.NewSetFollower(a.Chain, a.Validators)
	ts, err := decodeTransitions(b.Transitions)
	if err != nil {
		return nil, err
	}
	rest := ts
	for len(rest) > 0 && rest[0].Height() <= hdr.Height {
		if err := sigs.follow(follow, rest[0], len(ts)-len(rest)); err != nil {
			return nil, err
		}
		rest = rest[1:]
	}
	vals := follow.Current()
	if hdr.ValidatorsHash != vals.Hash() {
		return nil, fail(ErrValidators, "header %d names validator set %s, but genesis and the bundle's %d transitions lead to set %s (a transition missing, or a header signed by a set with no right to sign it)", hdr.Height, hdr.ValidatorsHash, follow.Transitions(), vals.Hash())
	}
	bv, err := ledger.DecodeValidatorSet(b.Validators.Encoding)
	if err != nil {
		return nil, fail(ErrEncoding, "validators.encoding: %v", err)
	}
	if err := sameAs("validators", b.Validators, validatorsPart(bv)); err != nil {
		return nil, err
	}
	if bv.Hash() != vals.Hash() {
		return nil, fail(ErrValidators, "the bundle's validator set hashes to %s; genesis and the transitions lead to %s for height %d", bv.Hash(), vals.Hash(), hdr.Height)
	}
	blockHash := hdr.Hash()

	// 4. Transaction and its path to tx_root, with the size from the header.
	tx, err := ledger.DecodeTx(b.Tx.Encoding)
	if err != nil {
		return nil, fail(ErrEncoding, "tx.encoding: %v", err)
	}
	if err := sameAs("tx", b.Tx, txPart(tx)); err != nil {
		return nil, err
	}
	if tx.ChainID != chainID {
		return nil, fail(ErrTx, "the transaction is for chain %q, not %q", tx.ChainID, chainID)
	}
	sigs.add(tx.Sender, tx.Hash(), tx.Sig, ErrTx, fmt.Sprintf("transaction %s", tx.Hash()))
	if b.Inclusion.Size != hdr.TxCount {
		return nil, fail(ErrMismatch, "inclusion.size: the bundle says %d, the header's tx_count is %d", b.Inclusion.Size, hdr.TxCount)
	}
	incl := merkle.Proof{Index: uint64(b.Inclusion.Index), Size: uint64(hdr.TxCount), Path: toMerkle(b.Inclusion.Siblings)}
	if err := merkle.Verify(merkle.LeafHash(b.Tx.Encoding), incl, hdr.TxRoot); err != nil {
		return nil, fail(ErrInclusion, "the transaction is not leaf %d of the %d under tx_root %s of block %d: %v", b.Inclusion.Index, hdr.TxCount, hdr.TxRoot, hdr.Height, err)
	}

	// 5. Certificate (structure now, signatures in step 9), by the set of
	// the header's height.
	cmt, err := decodeCommit("commit", &b.Commit)
	if err != nil {
		return nil, err
	}
	if cmt.Height != hdr.Height || cmt.BlockHash != blockHash {
		return nil, fail(ErrCommit, "the certificate is for block %s at height %d, not block %s at height %d", cmt.BlockHash, cmt.Height, blockHash, hdr.Height)
	}
	cs, err := follow.Header(hdr, cmt)
	if err != nil {
		return nil, fail(ErrCommit, "%v", err)
	}
	sigs.precommits(cs, cmt, ErrCommit, "")

	// 6. The next block: it follows this one, records this certificate,
	// and is signed by the set header h named as the next one (reached
	// through a transition at h+1 when the set changed there).
	var next *ledger.Header
	var nextCmt *ledger.Commit
	if b.Next != nil {
		if next, err = decodeHeader("next.header", &b.Next.Header); err != nil {
			return nil, err
		}
		switch {
		case next.ChainID != chainID:
			return nil, fail(ErrNext, "the next header is for chain %q, not %q", next.ChainID, chainID)
		case next.Height != hdr.Height+1:
			return nil, fail(ErrNext, "the next header is at height %d, not %d", next.Height, hdr.Height+1)
		case next.PrevBlockHash != blockHash:
			return nil, fail(ErrNext, "the next header follows block %s, not %s", next.PrevBlockHash, blockHash)
		case next.LastCommitHash != cmt.Hash():
			return nil, fail(ErrNext, "the next header records certificate %s for block %d; the bundle's certificate hashes to %s", next.LastCommitHash, hdr.Height, cmt.Hash())
		case next.Time <= hdr.Time:
			return nil, fail(ErrNext, "the next header's time %s is not after the block's %s", formatTime(next.Time), formatTime(hdr.Time))
		}
		if len(rest) > 0 && rest[0].Height() == next.Height {
			if rest[0].Header.Hash() != blockHash {
				return nil, fail(ErrTransition, "transitions[%d]: the transition at height %d must carry header %d, the bundle's block, and carries another", len(ts)-len(rest), next.Height, hdr.Height)
			}
			if err := sigs.follow(follow, rest[0], len(ts)-len(rest)); err != nil {
				return nil, err
			}
			rest = rest[1:]
		}
		if next.ValidatorsHash != hdr.NextValidatorsHash {
			return nil, fail(ErrValidators, "header %d names validator set %s; header %d named %s as its next (a transition missing at height %d, or a header signed by a set with no right to sign it)", next.Height, next.ValidatorsHash, hdr.Height, hdr.NextValidatorsHash, next.Height)
		}
		if nextCmt, err = decodeCommit("next.commit", &b.Next.Commit); err != nil {
			return nil, err
		}
		if nextCmt.Height != next.Height || nextCmt.BlockHash != next.Hash() {
			return nil, fail(ErrNext, "the next certificate is for block %s at height %d, not block %s at height %d", nextCmt.BlockHash, nextCmt.Height, next.Hash(), next.Height)
		}
		ns, err := follow.Header(next, nextCmt)
		if err != nil {
			return nil, fail(ErrNext, "next certificate: %v", err)
		}
		sigs.precommits(ns, nextCmt, ErrNext, "next certificate: ")
	}
	if len(rest) > 0 {
		last := hdr.Height
		if next != nil {
			last = next.Height
		}
		return nil, fail(ErrTransition, "transitions[%d]: the transition at height %d is beyond the bundle's last header (%d): a bundle carries the transitions up to the sets it uses, no more", len(ts)-len(rest), rest[0].Height(), last)
	}

	// 7. Outcome: the transaction's leaf, tied to header h+1's app hash.
	// Whatever a bundle states is proven or refused: an outcome without its
	// proof would be the node's word (or a forger's) reported as verified.
	var outcome *Outcome
	if o := b.Outcome; o != nil {
		if o.Proof == nil {
			return nil, fail(ErrOutcome, "the bundle states the outcome %s without outcome.proof: an unproven outcome is refused", o.Code)
		}
		want, leafTx, err := outcomePart(o.Result)
		if err != nil {
			return nil, fail(ErrEncoding, "outcome.result: %v", err)
		}
		want.Proof = o.Proof
		if err := sameAs("outcome", o, want); err != nil {
			return nil, err
		}
		if leafTx != tx.Hash() {
			return nil, fail(ErrOutcome, "the result is for transaction %s, not %s", leafTx, tx.Hash())
		}
		p := o.Proof
		if next == nil {
			return nil, fail(ErrOutcome, "the outcome's proof needs the next header, which the bundle lacks")
		}
		rp := merkle.Proof{Index: uint64(b.Inclusion.Index), Size: uint64(hdr.TxCount), Path: toMerkle(p.Siblings)}
		if err := merkle.Verify(merkle.LeafHash(o.Result), rp, p.ResultsRoot); err != nil {
			return nil, fail(ErrOutcome, "the result is not leaf %d of the %d under results root %s: %v", b.Inclusion.Index, hdr.TxCount, p.ResultsRoot, err)
		}
		if got := AppHashLink(hdr.AppHash, hdr.Height, p.WritesRoot, p.ResultsRoot); got != next.AppHash {
			return nil, fail(ErrOutcome, "the app hash after block %d computes to %s, header %d carries %s", hdr.Height, got, next.Height, next.AppHash)
		}
		outcome = &Outcome{Code: o.Code, Message: o.Message, Events: o.Events, Proven: true, ProvenBy: next.Height}
	}

	// 8. Batch item: its path leads to the root the transaction anchored.
	if bi := b.BatchItem; bi != nil {
		root, size, err := anchoredBatch(tx)
		if err != nil {
			return nil, err
		}
		if bi.Root != root || bi.Size != size {
			return nil, fail(ErrMismatch, "batch_item: the bundle says root %s of %d items, the transaction anchors root %s of %d", bi.Root, bi.Size, root, size)
		}
		p := merkle.Proof{Index: bi.Index, Size: size, Path: toMerkle(bi.Siblings)}
		if err := merkle.Verify(merkle.LeafHash(bi.Item[:]), p, root); err != nil {
			return nil, fail(ErrBatchItem, "item %s is not leaf %d of the batch of %d with root %s: %v", bi.Item, bi.Index, size, root, err)
		}
	}

	// 9. Signatures: the transaction's, the transitions' certificates and
	// the block's (and its successor's), each precommit against the key the
	// set of its height gives and signed on the verifier's chain, verified
	// as one batch (ledger/schnorrbatch: the verdict of checking each,
	// several times faster); on failure each is checked to name the first
	// bad one.
	if err := sigs.verify(a.Chain); err != nil {
		return nil, err
	}

	// 10. Trust points: the set the bundle leads to at a trusted height is
	// the trusted one.
	r := &Report{ChainID: chainID, TxHash: tx.Hash(), Tx: tx, Index: b.Inclusion.Index, TxCount: hdr.TxCount, Height: hdr.Height,
		Time: hdr.Timestamp(), BlockHash: blockHash, Round: cmt.Round, Signers: cmt.Signers(),
		SignedPower: cmt.SignedPower(vals), TotalPower: vals.TotalPower(), Validators: vals.Size(), ValidatorsHash: vals.Hash(),
		Transitions: follow.Transitions(), InChain: next != nil, Result: outcome, BatchItem: b.BatchItem}
	last := hdr.Height
	if next != nil {
		last = next.Height
	}
	for _, tp := range a.Trust {
		if tp.Height == 0 || tp.Height > last {
			r.TrustBeyond = append(r.TrustBeyond, tp)
			continue
		}
		if got := follow.SetAt(tp.Height).Hash(); got != tp.SetHash {
			return nil, fail(ErrTrust, "at height %d the bundle leads to validator set %s; you trust %s there: this bundle's history of the set is not the one you trust (a transition withheld and an old set's keys misused, or the wrong trust point)", tp.Height, got, tp.SetHash)
		}
		r.Trusted = append(r.Trusted, tp)
	}
	if len(a.Names) > 0 {
		for _, i := range r.Signers {
			v, _ := vals.Get(i)
			name := a.Names[v.PubKey]
			if name == "" {
				name = v.PubKey.Short()
			}
			r.SignerNames = append(r.SignerNames, name)
		}
	}
	return r, nil
}

// decodeTransitions decodes the bundle's transitions and checks each
// readable copy against its encodings.
func decodeTransitions(parts []TransitionPart) ([]*ledger.Transition, error) {
	out := make([]*ledger.Transition, len(parts))
	for i := range parts {
		p := &parts[i]
		path := fmt.Sprintf("transitions[%d]", i)
		h, err := decodeHeader(path+".header", &p.Header)
		if err != nil {
			return nil, err
		}
		c, err := decodeCommit(path+".commit", &p.Commit)
		if err != nil {
			return nil, err
		}
		set, err := ledger.DecodeValidatorSet(p.Validators.Encoding)
		if err != nil {
			return nil, fail(ErrEncoding, "%s.validators.encoding: %v", path, err)
		}
		if err := sameAs(path+".validators", p.Validators, validatorsPart(set)); err != nil {
			return nil, err
		}
		t := &ledger.Transition{Header: h, Commit: c, Validators: set}
		if p.Height != t.Height() {
			return nil, fail(ErrMismatch, "%s.height: the bundle says %d, its header is at %d, so the set changes at %d", path, p.Height, h.Height, t.Height())
		}
		out[i] = t
	}
	return out, nil
}

// sigList collects the signatures a bundle rests on, with what each one
// is, so that one batch verification checks them all and a failure names
// the first bad one.
type sigList struct {
	items []schnorrbatch.Item
	code  []string
	what  []string
}

func newSigList() *sigList { return &sigList{} }

func (l *sigList) add(key ledger.PublicKey, msg ledger.Hash, sig ledger.Signature, code, what string) {
	l.items = append(l.items, schnorrbatch.Item{Key: key, Msg: msg, Sig: sig})
	l.code = append(l.code, code)
	l.what = append(l.what, what)
}

// precommits adds a certificate's signatures, as the set follower
// returned them (in signer order).
func (l *sigList) precommits(ss []ledger.SignedMessage, c *ledger.Commit, code, prefix string) {
	for i, s := range ss {
		l.add(s.Key, s.Msg, s.Sig, code, fmt.Sprintf("%scommit at height %d: the precommit of validator %d (%s)", prefix, c.Height, c.Sigs[i].Validator, s.Key.Short()))
	}
}

// follow applies transition i to f and adds its certificate's signatures.
func (l *sigList) follow(f *ledger.SetFollower, t *ledger.Transition, i int) error {
	ss, err := f.Transition(t)
	if err != nil {
		return fail(ErrTransition, "transitions[%d]: %v", i, err)
	}
	l.precommits(ss, t.Commit, ErrTransition, fmt.Sprintf("transitions[%d]: ", i))
	return nil
}

func (l *sigList) verify(chain ledger.ChainIdentity) error {
	if schnorrbatch.Verify(l.items) {
		return nil
	}
	bad := 0
	if each := schnorrbatch.VerifyEach(l.items); len(each) > 0 {
		bad = each[0]
	}
	if l.code[bad] == ErrTx {
		return fail(ErrTx, "%s: %v", l.what[bad], ledger.ErrBadSignature)
	}
	return fail(l.code[bad], "%s is not a valid signature on chain %s: signed for another chain (another genesis), by a key that held no place in the set of that height, or forged", l.what[bad], chain)
}

func decodeHeader(path string, p *HeaderPart) (*ledger.Header, error) {
	h, err := ledger.DecodeHeader(p.Encoding)
	if err != nil {
		return nil, fail(ErrEncoding, "%s.encoding: %v", path, err)
	}
	if err := sameAs(path, *p, headerPart(h)); err != nil {
		return nil, err
	}
	return h, nil
}

func decodeCommit(path string, p *CommitPart) (*ledger.Commit, error) {
	c, err := ledger.DecodeCommit(p.Encoding)
	if err != nil {
		return nil, fail(ErrEncoding, "%s.encoding: %v", path, err)
	}
	if err := sameAs(path, *p, commitPart(c)); err != nil {
		return nil, err
	}
	return c, nil
}

// Notary batch anchoring, as docs/notarization.md specifies it: the
// transaction calls notary.anchor_batch, whose payload begins with the
// 32-byte root and the u64 item count.
const (
	notaryContract    = "notary"
	notaryAnchorBatch = "anchor_batch"
)

func anchoredBatch(tx *ledger.Tx) (ledger.Hash, uint64, error) {
	if tx.Contract != notaryContract || tx.Method != notaryAnchorBatch {
		return ledger.Hash{}, 0, fail(ErrBatchItem, "the transaction calls %s.%s, not %s.%s: it anchors no batch", tx.Contract, tx.Method, notaryContract, notaryAnchorBatch)
	}
	if len(tx.Payload) < ledger.HashSize+8 {
		return ledger.Hash{}, 0, fail(ErrBatchItem, "the anchor_batch payload is %d bytes, too short to name a root and size", len(tx.Payload))
	}
	root := ledger.Hash(tx.Payload[:ledger.HashSize])
	size := binary.BigEndian.Uint64(tx.Payload[ledger.HashSize:])
	if size == 0 {
		return ledger.Hash{}, 0, fail(ErrBatchItem, "the anchor_batch payload names an empty batch")
	}
	return root, size, nil
}
