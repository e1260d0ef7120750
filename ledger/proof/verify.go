package proof

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
	"github.com/qianchain/qianchain/ledger/schnorrbatch"
)

// Anchor is what a verifier trusts: the chain's identity (chain id and
// genesis hash) and validator set, taken from its genesis file
// (AnchorFromGenesis). Certificates are checked against Chain, so the
// genesis hash they must sign is the verifier's, never the bundle's. Names,
// when set, are the validators' names by index, for reports.
type Anchor struct {
	Chain      ledger.ChainIdentity
	Validators *ledger.ValidatorSet
	Names      []string
}

// AnchorFromGenesis returns the anchor of a validated genesis document.
func AnchorFromGenesis(doc *genesis.Doc) (Anchor, error) {
	vals, err := doc.ValidatorSet()
	if err != nil {
		return Anchor{}, err
	}
	a := Anchor{Chain: doc.Identity(), Validators: vals}
	for _, v := range doc.Validators {
		a.Names = append(a.Names, v.Name)
	}
	return a, nil
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
	// (indexes in the genesis set) whose signatures verified, and their
	// power; TotalPower and Validators describe the whole set.
	Round       uint32   `json:"round"`
	Signers     []int    `json:"signers"`
	SignerNames []string `json:"signer_names,omitempty"`
	SignedPower uint64   `json:"signed_power"`
	TotalPower  uint64   `json:"total_power"`
	Validators  int      `json:"validators"`
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

	// 2. Validator set: the genesis set, byte for byte.
	vals, err := ledger.DecodeValidatorSet(b.Validators.Encoding)
	if err != nil {
		return nil, fail(ErrEncoding, "validators.encoding: %v", err)
	}
	if err := sameAs("validators", b.Validators, validatorsPart(vals)); err != nil {
		return nil, err
	}
	if vals.Hash() != a.Validators.Hash() {
		return nil, fail(ErrValidators, "the bundle's validator set hashes to %s, the genesis set to %s", vals.Hash(), a.Validators.Hash())
	}

	// 3. Header.
	hdr, err := decodeHeader("header", &b.Header)
	if err != nil {
		return nil, err
	}
	if hdr.ChainID != chainID {
		return nil, fail(ErrChain, "the header is for chain %q, not %q", hdr.ChainID, chainID)
	}
	if hdr.ValidatorsHash != vals.Hash() {
		return nil, fail(ErrValidators, "header %d names validator set %s, not the genesis set %s", hdr.Height, hdr.ValidatorsHash, vals.Hash())
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
	if b.Inclusion.Size != hdr.TxCount {
		return nil, fail(ErrMismatch, "inclusion.size: the bundle says %d, the header's tx_count is %d", b.Inclusion.Size, hdr.TxCount)
	}
	incl := merkle.Proof{Index: uint64(b.Inclusion.Index), Size: uint64(hdr.TxCount), Path: toMerkle(b.Inclusion.Siblings)}
	if err := merkle.Verify(merkle.LeafHash(b.Tx.Encoding), incl, hdr.TxRoot); err != nil {
		return nil, fail(ErrInclusion, "the transaction is not leaf %d of the %d under tx_root %s of block %d: %v", b.Inclusion.Index, hdr.TxCount, hdr.TxRoot, hdr.Height, err)
	}

	// 5. Certificate (structure now, signatures in step 9).
	cmt, err := decodeCommit("commit", &b.Commit)
	if err != nil {
		return nil, err
	}
	if cmt.Height != hdr.Height || cmt.BlockHash != blockHash {
		return nil, fail(ErrCommit, "the certificate is for block %s at height %d, not block %s at height %d", cmt.BlockHash, cmt.Height, blockHash, hdr.Height)
	}

	// 6. The next block: it follows this one and records this certificate.
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
		case next.ValidatorsHash != vals.Hash():
			return nil, fail(ErrValidators, "header %d names validator set %s, not the genesis set %s", next.Height, next.ValidatorsHash, vals.Hash())
		case next.Time <= hdr.Time:
			return nil, fail(ErrNext, "the next header's time %s is not after the block's %s", formatTime(next.Time), formatTime(hdr.Time))
		}
		if nextCmt, err = decodeCommit("next.commit", &b.Next.Commit); err != nil {
			return nil, err
		}
		if nextCmt.Height != next.Height || nextCmt.BlockHash != next.Hash() {
			return nil, fail(ErrNext, "the next certificate is for block %s at height %d, not block %s at height %d", nextCmt.BlockHash, nextCmt.Height, next.Hash(), next.Height)
		}
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

	// 9. Signatures: the transaction's, and the certificates' against the
	// genesis set, verified as one batch (ledger/schnorrbatch: the verdict of
	// checking each, several times faster); on failure each is checked to
	// name the first bad one.
	sigs := []schnorrbatch.Item{{Key: tx.Sender, Msg: tx.Hash(), Sig: tx.Sig}}
	if err := checkCertificate(a, cmt, hdr.Height, blockHash, &sigs); err != nil {
		return nil, fail(ErrCommit, "%v", err)
	}
	nCmt := len(sigs)
	if nextCmt != nil {
		if err := checkCertificate(a, nextCmt, next.Height, next.Hash(), &sigs); err != nil {
			return nil, fail(ErrNext, "next certificate: %v", err)
		}
	}
	if !schnorrbatch.Verify(sigs) {
		bad := 0
		if each := schnorrbatch.VerifyEach(sigs); len(each) > 0 {
			bad = each[0]
		}
		switch {
		case bad == 0:
			return nil, fail(ErrTx, "transaction %s: %v", tx.Hash(), ledger.ErrBadSignature)
		case bad < nCmt:
			v := cmt.Sigs[bad-1].Validator
			return nil, fail(ErrCommit, "commit at height %d: the precommit of validator %d (%s) is not a valid signature on chain %s: signed for another chain (another genesis), or forged", hdr.Height, v, sigs[bad].Key.Short(), a.Chain)
		default:
			v := nextCmt.Sigs[bad-nCmt].Validator
			return nil, fail(ErrNext, "next certificate: commit at height %d: the precommit of validator %d (%s) is not a valid signature on chain %s: signed for another chain (another genesis), or forged", next.Height, v, sigs[bad].Key.Short(), a.Chain)
		}
	}

	r := &Report{ChainID: chainID, TxHash: tx.Hash(), Tx: tx, Index: b.Inclusion.Index, TxCount: hdr.TxCount, Height: hdr.Height,
		Time: hdr.Timestamp(), BlockHash: blockHash, Round: cmt.Round, Signers: cmt.Signers(),
		SignedPower: cmt.SignedPower(a.Validators), TotalPower: a.Validators.TotalPower(), Validators: a.Validators.Size(),
		InChain: next != nil, Result: outcome, BatchItem: b.BatchItem}
	if len(a.Names) == a.Validators.Size() {
		for _, i := range r.Signers {
			r.SignerNames = append(r.SignerNames, a.Names[i])
		}
	}
	return r, nil
}

// checkCertificate checks everything about c but its signatures, which it
// appends to sigs as precommits on the anchor's chain (its chain id and
// genesis hash): it is for (height, block), its signers are distinct
// members of the anchor's set in increasing order, and they hold more than
// two thirds of the power (encoding.md, Commit; ledger.Commit.Verify).
func checkCertificate(a Anchor, c *ledger.Commit, height uint64, block ledger.Hash, sigs *[]schnorrbatch.Item) error {
	if c.Height != height || c.BlockHash != block {
		return fmt.Errorf("commit is for block %s at height %d, want %s at %d", c.BlockHash.Short(), c.Height, block.Short(), height)
	}
	vals := a.Validators
	var power uint64
	last := -1
	for i, s := range c.Sigs {
		v, ok := vals.Get(int(s.Validator))
		switch {
		case int(s.Validator) <= last:
			return fmt.Errorf("commit at height %d: signers not in strictly increasing order at validator %d", height, s.Validator)
		case !ok:
			return fmt.Errorf("commit at height %d: validator index %d is not in the set of %d", height, s.Validator, vals.Size())
		}
		last = int(s.Validator)
		*sigs = append(*sigs, schnorrbatch.Item{Key: v.PubKey, Msg: c.Precommit(i).SignBytes(a.Chain), Sig: s.Sig})
		power += v.Power
	}
	if power < vals.QuorumPower() {
		return fmt.Errorf("commit at height %d: signers hold %d of %d voting power, need more than two thirds (%d)", height, power, vals.TotalPower(), vals.QuorumPower())
	}
	return nil
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
