package proof

// An independent verifier of proof bundles, written from
// docs/verification.md section 3 (and encoding.md, state.md) with nothing
// but the standard library: SHA-256, big-integer arithmetic for BIP-340,
// encoding/json. It imports no Qianchain package, so it checks that the
// documents suffice to re-implement verification, and it cross-checks
// ledger/proof.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"
)

type indepAnchor struct {
	chainID    string
	genesis    []byte
	validators []byte // the validator set's encoding
}

type rd struct {
	b   []byte
	err error
}

func (r *rd) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errors.New("short input")
		return make([]byte, max(n, 0))
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}
func (r *rd) u8() byte    { return r.take(1)[0] }
func (r *rd) u16() uint16 { return binary.BigEndian.Uint16(r.take(2)) }
func (r *rd) u32() uint32 { return binary.BigEndian.Uint32(r.take(4)) }
func (r *rd) u64() uint64 { return binary.BigEndian.Uint64(r.take(8)) }
func (r *rd) h32() []byte { return r.take(32) }
func (r *rd) varint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 || n != len(binary.AppendUvarint(nil, v)) {
		r.err = errors.New("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}
func (r *rd) str() string { return string(r.take(int(r.varint()))) }
func (r *rd) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	return r.err
}

func sha(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

func tagged(tag string, msg ...[]byte) []byte {
	t := sha([]byte(tag))
	return sha(append([][]byte{t, t}, msg...)...)
}

// rootFromPath is RFC 9162 section 2.1.3.2.
func rootFromPath(leaf []byte, index, size uint64, path [][]byte) ([]byte, error) {
	if index >= size {
		return nil, errors.New("index beyond size")
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range path {
		if sn == 0 {
			return nil, errors.New("path too long")
		}
		if fn&1 == 1 || fn == sn {
			r = sha([]byte{1}, p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = sha([]byte{1}, r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return nil, errors.New("path too short")
	}
	return r, nil
}

// BIP-340 verification over secp256k1, affine coordinates, math/big.
var (
	curveP, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", 16)
	curveN, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)
	genX, _   = new(big.Int).SetString("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", 16)
	genY, _   = new(big.Int).SetString("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8", 16)
)

type pt struct{ x, y *big.Int } // nil x: the point at infinity

func (a pt) add(b pt) pt {
	if a.x == nil {
		return b
	}
	if b.x == nil {
		return a
	}
	p := curveP
	var l *big.Int
	if a.x.Cmp(b.x) == 0 {
		if new(big.Int).Mod(new(big.Int).Add(a.y, b.y), p).Sign() == 0 {
			return pt{}
		}
		num := new(big.Int).Mul(big.NewInt(3), new(big.Int).Mul(a.x, a.x))
		den := new(big.Int).ModInverse(new(big.Int).Mul(big.NewInt(2), a.y), p)
		l = new(big.Int).Mod(new(big.Int).Mul(num, den), p)
	} else {
		num := new(big.Int).Sub(b.y, a.y)
		den := new(big.Int).ModInverse(new(big.Int).Mod(new(big.Int).Sub(b.x, a.x), p), p)
		l = new(big.Int).Mod(new(big.Int).Mul(num, den), p)
	}
	x := new(big.Int).Mod(new(big.Int).Sub(new(big.Int).Sub(new(big.Int).Mul(l, l), a.x), b.x), p)
	y := new(big.Int).Mod(new(big.Int).Sub(new(big.Int).Mul(l, new(big.Int).Sub(a.x, x)), a.y), p)
	return pt{x, y}
}

func (a pt) mul(k *big.Int) pt {
	var r pt
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = r.add(r)
		if k.Bit(i) == 1 {
			r = r.add(a)
		}
	}
	return r
}

func liftX(xb []byte) (pt, bool) {
	x := new(big.Int).SetBytes(xb)
	if x.Cmp(curveP) >= 0 {
		return pt{}, false
	}
	c := new(big.Int).Mod(new(big.Int).Add(new(big.Int).Exp(x, big.NewInt(3), curveP), big.NewInt(7)), curveP)
	e := new(big.Int).Rsh(new(big.Int).Add(curveP, big.NewInt(1)), 2)
	y := new(big.Int).Exp(c, e, curveP)
	if new(big.Int).Exp(y, big.NewInt(2), curveP).Cmp(c) != 0 {
		return pt{}, false
	}
	if y.Bit(0) == 1 {
		y.Sub(curveP, y)
	}
	return pt{x, y}, true
}

func schnorrVerify(pub, msg, sig []byte) bool {
	P, ok := liftX(pub)
	if !ok {
		return false
	}
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	if r.Cmp(curveP) >= 0 || s.Cmp(curveN) >= 0 {
		return false
	}
	e := new(big.Int).Mod(new(big.Int).SetBytes(tagged("BIP0340/challenge", sig[:32], pub, msg)), curveN)
	R := pt{genX, genY}.mul(s).add(P.mul(new(big.Int).Sub(curveN, e)))
	return R.x != nil && R.y.Bit(0) == 0 && R.x.Cmp(r) == 0
}

// The parts of a bundle, read from JSON.
type jHeader struct {
	Encoding, Hash, Time                                                                   string
	Height                                                                                 uint64
	TxCount                                                                                uint32 `json:"tx_count"`
	PrevBlockHash, TxRoot, AppHash, ValidatorsHash, Proposer, LastCommitHash, EvidenceHash string
	NextValidatorsHash                                                                     string
}

func (h *jHeader) UnmarshalJSON(b []byte) error {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return err
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	num := func(k string) uint64 { n, _ := m[k].(json.Number); v, _ := n.Int64(); return uint64(v) }
	*h = jHeader{Encoding: str("encoding"), Hash: str("hash"), Time: str("time"), Height: num("height"), TxCount: uint32(num("tx_count")),
		PrevBlockHash: str("prev_block_hash"), TxRoot: str("tx_root"), AppHash: str("app_hash"), ValidatorsHash: str("validators_hash"),
		NextValidatorsHash: str("next_validators_hash"),
		Proposer:           str("proposer"), LastCommitHash: str("last_commit_hash"), EvidenceHash: str("evidence_hash")}
	return nil
}

type jCommit struct {
	Encoding  string `json:"encoding"`
	Hash      string `json:"hash"`
	Height    uint64 `json:"height"`
	Round     uint32 `json:"round"`
	BlockHash string `json:"block_hash"`
	Signers   []int  `json:"signers"`
}

type jBundle struct {
	Version     int    `json:"version"`
	ChainID     string `json:"chain_id"`
	GenesisHash string `json:"genesis_hash"`
	Tx          struct {
		Encoding, Hash, Sender, Contract, Method string
		Nonce                                    uint64
	} `json:"tx"`
	Inclusion struct {
		Index    uint64   `json:"index"`
		Size     uint64   `json:"size"`
		Siblings []string `json:"siblings"`
	} `json:"inclusion"`
	Header     jHeader `json:"header"`
	Commit     jCommit `json:"commit"`
	Validators struct {
		Encoding string `json:"encoding"`
	} `json:"validators"`
	Transitions []struct {
		Height     uint64  `json:"height"`
		Header     jHeader `json:"header"`
		Commit     jCommit `json:"commit"`
		Validators struct {
			Encoding string `json:"encoding"`
		} `json:"validators"`
	} `json:"transitions"`
	Next *struct {
		Header jHeader `json:"header"`
		Commit jCommit `json:"commit"`
	} `json:"next"`
	Outcome *struct {
		Result string `json:"result"`
		Code   string `json:"code"`
		Proof  *struct {
			Siblings    []string `json:"siblings"`
			WritesRoot  string   `json:"writes_root"`
			ResultsRoot string   `json:"results_root"`
		} `json:"proof"`
	} `json:"outcome"`
	BatchItem *struct {
		Item     string   `json:"item"`
		Index    uint64   `json:"index"`
		Size     uint64   `json:"size"`
		Root     string   `json:"root"`
		Siblings []string `json:"siblings"`
	} `json:"batch_item"`
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil
	}
	return b
}

func hexes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = unhex(s)
	}
	return out
}

type header struct {
	chainID                                                           string
	height                                                            uint64
	time                                                              int64
	prev, txRoot, app, vals, nextVals, proposer, lastCommit, evidence []byte
	txCount                                                           uint32
	hash                                                              []byte
	enc                                                               []byte
}

func parseHeader(j jHeader) (*header, error) {
	enc := unhex(j.Encoding)
	r := &rd{b: enc}
	if r.u8() != 2 {
		return nil, errors.New("header tag")
	}
	h := &header{chainID: r.str(), height: r.u64(), time: int64(r.u64()), prev: r.h32(), txCount: r.u32(), txRoot: r.h32(),
		app: r.h32(), vals: r.h32(), nextVals: r.h32(), proposer: r.h32(), lastCommit: r.h32(), evidence: r.h32()}
	if err := r.end(); err != nil {
		return nil, err
	}
	h.hash, h.enc = sha(enc), enc
	ok := j.Hash == hex.EncodeToString(h.hash) && j.Height == h.height && j.TxCount == h.txCount &&
		j.Time == time.Unix(0, h.time).UTC().Format(time.RFC3339Nano)
	for _, f := range [][2]string{{j.PrevBlockHash, hex.EncodeToString(h.prev)}, {j.TxRoot, hex.EncodeToString(h.txRoot)},
		{j.AppHash, hex.EncodeToString(h.app)}, {j.ValidatorsHash, hex.EncodeToString(h.vals)},
		{j.NextValidatorsHash, hex.EncodeToString(h.nextVals)}, {j.Proposer, hex.EncodeToString(h.proposer)},
		{j.LastCommitHash, hex.EncodeToString(h.lastCommit)}, {j.EvidenceHash, hex.EncodeToString(h.evidence)}} {
		ok = ok && f[0] == f[1]
	}
	if !ok {
		return nil, errors.New("a header copy disagrees with its encoding")
	}
	return h, nil
}

type commit struct {
	height  uint64
	round   uint32
	block   []byte
	signers []int
	sigs    [][]byte
	hash    []byte
}

func parseCommit(j jCommit) (*commit, error) {
	enc := unhex(j.Encoding)
	r := &rd{b: enc}
	if r.u8() != 6 {
		return nil, errors.New("commit tag")
	}
	c := &commit{height: r.u64(), round: r.u32(), block: r.h32()}
	n := int(r.varint())
	for i := 0; i < n && r.err == nil; i++ {
		c.signers = append(c.signers, int(r.u16()))
		c.sigs = append(c.sigs, r.take(64))
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	c.hash = sha(enc)
	if j.Hash != hex.EncodeToString(c.hash) || j.Height != c.height || j.Round != c.round || j.BlockHash != hex.EncodeToString(c.block) ||
		fmt.Sprint(j.Signers) != fmt.Sprint(c.signers) {
		return nil, errors.New("a commit copy disagrees with its encoding")
	}
	return c, nil
}

type validator struct {
	key   []byte
	power uint64
}

// verifyCommit checks c for (height, block) against the validators, as
// precommits on the chain with this id and genesis hash.
func verifyCommit(c *commit, chainID string, genesis []byte, vals []validator, height uint64, block []byte) error {
	if c.height != height || !bytes.Equal(c.block, block) {
		return errors.New("certificate for another block")
	}
	var msg []byte
	msg = binary.AppendUvarint(msg, uint64(len(chainID)))
	msg = append(msg, chainID...)
	msg = append(msg, genesis...)
	msg = append(msg, 2)
	msg = binary.BigEndian.AppendUint64(msg, c.height)
	msg = binary.BigEndian.AppendUint32(msg, c.round)
	msg = append(append(msg, 1), c.block...)
	signBytes := tagged("qian/vote/v2", msg)
	var total, signed uint64
	for _, v := range vals {
		total += v.power
	}
	last := -1
	for i, idx := range c.signers {
		if idx <= last || idx >= len(vals) {
			return errors.New("signer order or index")
		}
		last = idx
		if !schnorrVerify(vals[idx].key, signBytes, c.sigs[i]) {
			return fmt.Errorf("precommit of validator %d does not verify", idx)
		}
		signed += vals[idx].power
	}
	if signed < total*2/3+1 {
		return errors.New("not more than two thirds")
	}
	return nil
}

// independentVerify returns nil when the bundle verifies, and whether its
// outcome is proven.
func independentVerify(raw []byte, a indepAnchor) (bool, error) {
	var b jBundle
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, err
	}
	if b.Version != 2 || b.ChainID != a.chainID || b.GenesisHash != hex.EncodeToString(a.genesis) {
		return false, errors.New("version or chain")
	}
	// The set in force: genesis's, then each transition's (verification.md,
	// "Following the validator set").
	vals, err := parseSet(a.validators)
	if err != nil {
		return false, err
	}
	valsEnc, from := a.validators, uint64(1)
	ti := 0
	follow := func() error {
		t := b.Transitions[ti]
		th, err := parseHeader(t.Header)
		if err != nil {
			return err
		}
		tc, err := parseCommit(t.Commit)
		if err != nil {
			return err
		}
		setEnc := unhex(t.Validators.Encoding)
		set, err := parseSet(setEnc)
		if err != nil {
			return err
		}
		switch {
		case t.Height != th.height+1:
			return errors.New("transition height copy")
		case t.Height <= from:
			return errors.New("transitions out of order")
		case th.chainID != a.chainID || !bytes.Equal(th.vals, sha(valsEnc)):
			return errors.New("transition header does not name the set in force")
		case !bytes.Equal(th.nextVals, sha(setEnc)) || bytes.Equal(setEnc, valsEnc):
			return errors.New("transition header does not name the new set as next, or the set does not change")
		}
		if err := verifyCommit(tc, a.chainID, a.genesis, vals, th.height, th.hash); err != nil {
			return fmt.Errorf("transition at %d: %v", t.Height, err)
		}
		vals, valsEnc, from = set, setEnc, t.Height
		ti++
		return nil
	}

	hdr, err := parseHeader(b.Header)
	if err != nil {
		return false, err
	}
	for ti < len(b.Transitions) && b.Transitions[ti].Height <= hdr.height {
		if err := follow(); err != nil {
			return false, err
		}
	}
	if !bytes.Equal(unhex(b.Validators.Encoding), valsEnc) {
		return false, errors.New("not the validator set of the block's height")
	}
	valsHash := sha(valsEnc)
	if hdr.chainID != a.chainID || !bytes.Equal(hdr.vals, valsHash) {
		return false, errors.New("header chain or validators")
	}
	txEnc := unhex(b.Tx.Encoding)
	tr := &rd{b: txEnc}
	if tr.u8() != 1 {
		return false, errors.New("tx tag")
	}
	txChain, sender, nonce, contract, method := tr.str(), tr.h32(), tr.u64(), tr.str(), tr.str()
	payload := tr.take(int(tr.varint()))
	sig := tr.take(64)
	if err := tr.end(); err != nil {
		return false, err
	}
	txHash := tagged("qian/tx/v1", txEnc[:len(txEnc)-64])
	if txChain != a.chainID || b.Tx.Hash != hex.EncodeToString(txHash) || b.Tx.Sender != hex.EncodeToString(sender) ||
		b.Tx.Nonce != nonce || b.Tx.Contract != contract || b.Tx.Method != method {
		return false, errors.New("tx copies or chain")
	}
	if b.Inclusion.Size != uint64(hdr.txCount) {
		return false, errors.New("inclusion size is not the header's tx_count")
	}
	root, err := rootFromPath(sha([]byte{0}, txEnc), b.Inclusion.Index, uint64(hdr.txCount), hexes(b.Inclusion.Siblings))
	if err != nil || !bytes.Equal(root, hdr.txRoot) {
		return false, fmt.Errorf("inclusion: %v", err)
	}
	cmt, err := parseCommit(b.Commit)
	if err != nil {
		return false, err
	}
	if err := verifyCommit(cmt, a.chainID, a.genesis, vals, hdr.height, hdr.hash); err != nil {
		return false, err
	}
	var next *header
	var nextCmt *commit
	if b.Next != nil {
		if next, err = parseHeader(b.Next.Header); err != nil {
			return false, err
		}
		if ti < len(b.Transitions) && b.Transitions[ti].Height == next.height {
			if b.Transitions[ti].Header.Encoding != b.Header.Encoding {
				return false, errors.New("the transition at h+1 does not carry the block's header")
			}
			if err := follow(); err != nil {
				return false, err
			}
		}
		if next.chainID != a.chainID || next.height != hdr.height+1 || !bytes.Equal(next.prev, hdr.hash) ||
			!bytes.Equal(next.lastCommit, cmt.hash) || !bytes.Equal(next.vals, hdr.nextVals) ||
			!bytes.Equal(next.vals, sha(valsEnc)) || next.time <= hdr.time {
			return false, errors.New("the next header does not follow")
		}
		if nextCmt, err = parseCommit(b.Next.Commit); err != nil {
			return false, err
		}
		if err := verifyCommit(nextCmt, a.chainID, a.genesis, vals, next.height, next.hash); err != nil {
			return false, err
		}
	}
	if ti != len(b.Transitions) {
		return false, errors.New("a transition beyond the bundle's headers")
	}
	proven := false
	if o := b.Outcome; o != nil {
		leaf := unhex(o.Result)
		lr := &rd{b: leaf}
		if !bytes.Equal(lr.h32(), txHash) || lr.str() != o.Code {
			return false, errors.New("result of another transaction, or code copy")
		}
		p := o.Proof
		if p == nil {
			return false, errors.New("an outcome without its proof")
		}
		if next == nil {
			return false, errors.New("outcome proof without next header")
		}
		rr, err := rootFromPath(sha([]byte{0}, leaf), b.Inclusion.Index, uint64(hdr.txCount), hexes(p.Siblings))
		if err != nil || hex.EncodeToString(rr) != p.ResultsRoot {
			return false, fmt.Errorf("results path: %v", err)
		}
		link := tagged("qian/app/v1", hdr.app, binary.BigEndian.AppendUint64(nil, hdr.height), unhex(p.WritesRoot), rr)
		if !bytes.Equal(link, next.app) {
			return false, errors.New("app hash link")
		}
		proven = true
	}
	if bi := b.BatchItem; bi != nil {
		if contract != "notary" || method != "anchor_batch" || len(payload) < 40 {
			return false, errors.New("no batch")
		}
		broot, bsize := payload[:32], binary.BigEndian.Uint64(payload[32:40])
		if bi.Root != hex.EncodeToString(broot) || bi.Size != bsize {
			return false, errors.New("batch copies")
		}
		r, err := rootFromPath(sha([]byte{0}, unhex(bi.Item)), bi.Index, bsize, hexes(bi.Siblings))
		if err != nil || !bytes.Equal(r, broot) {
			return false, errors.New("batch path")
		}
	}
	if !schnorrVerify(sender, txHash, sig) {
		return false, errors.New("tx signature")
	}
	return proven, nil
}

// parseSet decodes a validator set's encoding (encoding.md, tag 07).
func parseSet(enc []byte) ([]validator, error) {
	vr := &rd{b: enc}
	if vr.u8() != 7 {
		return nil, errors.New("validator set tag")
	}
	vals := make([]validator, vr.varint())
	for i := range vals {
		vals[i] = validator{key: vr.h32(), power: vr.u64()}
	}
	return vals, vr.end()
}
