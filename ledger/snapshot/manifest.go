package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
)

// Format is the version of the manifest and chunk layout this build makes
// and reads.
const Format = 1

// Limits a reader enforces before allocating anything a snapshot claims.
const (
	DefaultChunkSize = 8 << 20  // what Create cuts chunks to
	MaxChunkSize     = 64 << 20 // the largest chunk a reader accepts
	MaxChunks        = 1 << 20  // the most chunks a manifest may name
	MaxManifestSize  = 64 << 20 // the largest manifest a reader accepts
	MaxProofSize     = 1 << 20
)

// Manifest describes the snapshot of height H: its chunks and what
// AppHash(H) is made of (docs/state.md section 2):
//
//	AppHash(H) = TaggedHash("qian/app/v1", AppHash(H-1) ‖ u64(H) ‖
//	             WritesRoot(WritesTree, StateDigest) ‖ ResultsRoot)
//
// AppHash(H-1) is the app hash header H carries (Base.Header). Header H+1
// carries AppHash(H); the snapshot's Proof proves that header.
type Manifest struct {
	Format      int         `json:"format"`
	ChainID     string      `json:"chain_id"`
	GenesisHash ledger.Hash `json:"genesis_hash"`
	Height      uint64      `json:"height"`
	AppHash     ledger.Hash `json:"app_hash"`
	WritesTree  ledger.Hash `json:"writes_tree"`
	ResultsRoot ledger.Hash `json:"results_root"`
	StateDigest ledger.Hash `json:"state_digest"`
	// StateEntries and TxEntries count the chunks' entries of each kind.
	StateEntries uint64  `json:"state_entries"`
	TxEntries    uint64  `json:"tx_entries"`
	Chunks       []Chunk `json:"chunks"`
	Base         Base    `json:"base"`
}

// Chunk names one chunk: its size and ChunkHash.
type Chunk struct {
	Hash ledger.Hash `json:"hash"`
	Size uint32      `json:"size"`
}

// Base is the chain material the restored node keeps beside the state
// (store.Base): header H and a certificate of it, the validator-set history
// up to H+2, and the header before each set change with its certificate.
// Encodings are the canonical ones (docs/encoding.md), in hex.
type Base struct {
	Header      proof.Hex        `json:"header"`
	Commit      proof.Hex        `json:"commit"`
	Sets        []SetPart        `json:"validator_sets"`
	Transitions []TransitionPart `json:"transitions"`
}

// SetPart is a validator set and the first height it signs.
type SetPart struct {
	From       uint64    `json:"from"`
	Validators proof.Hex `json:"validators"`
}

// TransitionPart is the header before a set change and its certificate;
// the set is the SetPart whose From is Header's height plus one.
type TransitionPart struct {
	Header proof.Hex `json:"header"`
	Commit proof.Hex `json:"commit"`
}

// Proof is header H+1, which carries AppHash(H), and a certificate of it.
type Proof struct {
	Header proof.Hex `json:"header"`
	Commit proof.Hex `json:"commit"`
}

// ChunkHash is TaggedHash("qian/snapshot/chunk/v1", data).
func ChunkHash(data []byte) ledger.Hash { return ledger.TaggedHash("qian/snapshot/chunk/v1", data) }

// Marshal encodes m as JSON.
func (m *Manifest) Marshal() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // every field marshals
	}
	return b
}

// ParseManifest decodes a manifest, refusing unknown fields, another
// format and sizes beyond the limits.
func ParseManifest(raw []byte) (*Manifest, error) {
	if len(raw) > MaxManifestSize {
		return nil, fail(ErrFormat, "manifest of %d bytes exceeds %d", len(raw), MaxManifestSize)
	}
	var m Manifest
	if err := strict(raw, &m); err != nil {
		return nil, fail(ErrFormat, "manifest: %v", err)
	}
	switch {
	case m.Format != Format:
		return nil, fail(ErrFormat, "manifest format %d; this build reads format %d", m.Format, Format)
	case len(m.Chunks) == 0 || len(m.Chunks) > MaxChunks:
		return nil, fail(ErrFormat, "manifest names %d chunks (1 to %d allowed)", len(m.Chunks), MaxChunks)
	case m.Height == 0:
		return nil, fail(ErrFormat, "manifest of height 0: genesis needs no snapshot")
	}
	for i, c := range m.Chunks {
		if c.Size == 0 || c.Size > MaxChunkSize {
			return nil, fail(ErrFormat, "chunk %d of %d bytes (1 to %d allowed)", i, c.Size, MaxChunkSize)
		}
	}
	return &m, nil
}

// Marshal encodes p as JSON.
func (p *Proof) Marshal() []byte {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	return b
}

// ParseProof decodes a proof.
func ParseProof(raw []byte) (*Proof, error) {
	if len(raw) > MaxProofSize {
		return nil, fail(ErrFormat, "proof of %d bytes exceeds %d", len(raw), MaxProofSize)
	}
	var p Proof
	if err := strict(raw, &p); err != nil {
		return nil, fail(ErrFormat, "proof: %v", err)
	}
	return &p, nil
}

func strict(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}
