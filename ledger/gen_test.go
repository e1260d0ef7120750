package ledger

import (
	"pgregory.net/rapid"
)

// Generators of valid values, for property tests.

var (
	genChainID = rapid.StringMatching(`[a-z0-9][a-z0-9._-]{0,20}`)
	genName    = rapid.StringMatching(`[a-z][a-z0-9_]{0,31}`)
)

func genHash(t *rapid.T, label string) Hash {
	var h Hash
	copy(h[:], rapid.SliceOfN(rapid.Byte(), HashSize, HashSize).Draw(t, label))
	return h
}

func genKey(t *rapid.T, label string) PublicKey {
	var k PublicKey
	copy(k[:], rapid.SliceOfN(rapid.Byte(), PublicKeySize, PublicKeySize).Draw(t, label))
	return k
}

func genSig(t *rapid.T, label string) Signature {
	var s Signature
	copy(s[:], rapid.SliceOfN(rapid.Byte(), SignatureSize, SignatureSize).Draw(t, label))
	return s
}

func genTx(t *rapid.T) *Tx {
	return &Tx{
		ChainID:  genChainID.Draw(t, "chain_id"),
		Sender:   genKey(t, "sender"),
		Nonce:    rapid.Uint64().Draw(t, "nonce"),
		Contract: genName.Draw(t, "contract"),
		Method:   genName.Draw(t, "method"),
		Payload:  nilIfEmpty(rapid.SliceOfN(rapid.Byte(), 0, 600).Draw(t, "payload")),
		Sig:      genSig(t, "sig"),
	}
}

// nilIfEmpty matches the decoder, which returns nil for an empty byte string.
func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func genOptionalHash(t *rapid.T, label string) *Hash {
	if rapid.Bool().Draw(t, label+" nil") {
		return nil
	}
	h := genHash(t, label)
	return &h
}

func genVote(t *rapid.T) *Vote {
	return &Vote{
		Type:      rapid.SampledFrom([]VoteType{Prevote, Precommit}).Draw(t, "type"),
		Height:    rapid.Uint64Range(1, 1<<62).Draw(t, "height"),
		Round:     rapid.Uint32Range(0, MaxRound).Draw(t, "round"),
		BlockHash: genOptionalHash(t, "block_hash"),
		Validator: rapid.Uint16Range(0, MaxValidators-1).Draw(t, "validator"),
		Sig:       genSig(t, "sig"),
	}
}

func genProposal(t *rapid.T) *Proposal {
	round := rapid.Uint32Range(0, MaxRound).Draw(t, "round")
	pol := int32(-1)
	if round > 0 && rapid.Bool().Draw(t, "has_pol") {
		pol = int32(rapid.Uint32Range(0, round-1).Draw(t, "pol"))
	}
	return &Proposal{
		Height:    rapid.Uint64Range(1, 1<<62).Draw(t, "height"),
		Round:     round,
		POLRound:  pol,
		BlockHash: genHash(t, "block_hash"),
		Proposer:  rapid.Uint16Range(0, MaxValidators-1).Draw(t, "proposer"),
		Sig:       genSig(t, "sig"),
	}
}

func genCommit(t *rapid.T) *Commit {
	idx := rapid.SliceOfNDistinct(rapid.Uint16Range(0, 63), 1, 20, rapid.ID[uint16]).Draw(t, "signers")
	sortU16(idx)
	c := &Commit{
		Height:    rapid.Uint64Range(1, 1<<62).Draw(t, "height"),
		Round:     rapid.Uint32Range(0, 100).Draw(t, "round"),
		BlockHash: genHash(t, "block_hash"),
	}
	for _, i := range idx {
		c.Sigs = append(c.Sigs, CommitSig{Validator: i, Sig: genSig(t, "sig")})
	}
	return c
}

func sortU16(s []uint16) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func genHeader(t *rapid.T, chainID string, height uint64) Header {
	h := Header{
		ChainID:        chainID,
		Height:         height,
		Time:           rapid.Int64Range(0, 1<<62).Draw(t, "time"),
		TxCount:        rapid.Uint32Range(0, MaxBlockTxs).Draw(t, "tx_count"),
		TxRoot:         genHash(t, "tx_root"),
		AppHash:        genHash(t, "app_hash"),
		ValidatorsHash: genHash(t, "validators_hash"),
		Proposer:       genKey(t, "proposer"),
		// Drawn last, so that the draws above keep the values they had
		// before the field existed.
		NextValidatorsHash: genHash(t, "next_validators_hash"),
		EvidenceHash:       genHash(t, "evidence_hash"),
	}
	if height > 1 {
		h.PrevBlockHash = genHash(t, "prev")
		h.LastCommitHash = genHash(t, "last_commit_hash")
	}
	return h
}

func genEvidence(t *rapid.T) *DuplicateVoteEvidence {
	a := genVote(t)
	b := *a
	h := genHash(t, "other")
	if a.BlockHash != nil && *a.BlockHash == h {
		h[0] ^= 1
	}
	b.BlockHash = &h
	b.Sig = genSig(t, "sig_b")
	return NewDuplicateVoteEvidence(genKey(t, "signer"), a, &b)
}

func genBlock(t *rapid.T) *Block {
	chainID := genChainID.Draw(t, "chain_id")
	height := rapid.Uint64Range(1, 1<<40).Draw(t, "height")
	b := &Block{Header: genHeader(t, chainID, height)}
	n := rapid.IntRange(0, 5).Draw(t, "ntx")
	for i := 0; i < n; i++ {
		tx := genTx(t)
		tx.ChainID = chainID
		b.Txs = append(b.Txs, tx)
	}
	if height > 1 {
		b.LastCommit = genCommit(t)
	}
	ne := rapid.IntRange(0, 2).Draw(t, "nev")
	for i := 0; i < ne; i++ {
		b.Evidence = append(b.Evidence, genEvidence(t))
	}
	return b
}
