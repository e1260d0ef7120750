package snapshot

import (
	"errors"
	"fmt"
	"io"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/statedigest"
	"github.com/qianchain/qianchain/ledger/store"
)

// Progress reports a long operation: chunks and bytes done so far.
type Progress struct {
	Chunks, TotalChunks int // TotalChunks is 0 while unknown (creating)
	Bytes               int64
}

// Options tune Create.
type Options struct {
	ChunkSize int            // 0: DefaultChunkSize
	Progress  func(Progress) // called after each chunk, when set
	// Stop, when set and closed, stops Create between two chunks with
	// ErrStopped (a node shutting down while it writes one).
	Stop <-chan struct{}
}

// ErrStopped: Create was stopped through Options.Stop.
var ErrStopped = errors.New("snapshot: stopped")

// Create writes a snapshot of st's state after its tip to w, as one file
// (file.go), and returns its manifest. The state is read from a Pebble
// snapshot, so st may keep committing meanwhile; the file carries a proof
// when st already holds the next header, else none (AttachProof adds it
// later; a restorer needs one).
func Create(st *store.Store, w io.Writer, opt Options) (*Manifest, error) {
	view, err := st.StateView()
	if err != nil {
		return nil, err
	}
	defer view.Close()
	return CreateView(st, view, w, opt)
}

// CreateView is Create from a view the caller opened (and closes): a
// running node opens it where it stores a block, so the snapshot is of
// exactly that height, and writes the file in the background.
func CreateView(st *store.Store, view *store.StateView, w io.Writer, opt Options) (*Manifest, error) {
	size := opt.ChunkSize
	if size <= 0 {
		size = DefaultChunkSize
	}
	if size > MaxChunkSize {
		return nil, fmt.Errorf("chunk size %d exceeds %d", size, MaxChunkSize)
	}
	h := view.Height
	if h == 0 {
		return nil, errors.New("snapshot: nothing is committed after genesis yet")
	}
	if base := st.BlockBase(); h <= base {
		return nil, fmt.Errorf("snapshot: this node starts at height %d and has committed nothing after it yet", base)
	}
	m, err := manifestOf(st, h, view.Sum.Digest())
	if err != nil {
		return nil, err
	}
	cw := &countingWriter{w: w}
	if err := writeHeader(cw); err != nil {
		return nil, err
	}
	buf := make([]byte, 0, size)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		select {
		case <-opt.Stop:
			return ErrStopped
		default:
		}
		if _, err := cw.Write(buf); err != nil {
			return err
		}
		m.Chunks = append(m.Chunks, Chunk{Hash: ChunkHash(buf), Size: uint32(len(buf))})
		buf = buf[:0]
		if opt.Progress != nil {
			opt.Progress(Progress{Chunks: len(m.Chunks), Bytes: cw.n})
		}
		return nil
	}
	var rec []byte
	add := func() error {
		if len(buf) > 0 && len(buf)+len(rec) > size {
			if err := flush(); err != nil {
				return err
			}
		}
		buf = append(buf, rec...)
		return nil
	}
	if err := view.State(func(k, v []byte) error {
		rec = statedigest.StateData(rec[:0], k, v)
		m.StateEntries++
		return add()
	}); err != nil {
		return nil, fmt.Errorf("snapshot: read state: %w", err)
	}
	if err := view.Txs(func(tx ledger.Hash, height uint64, pos uint32) error {
		rec = statedigest.TxData(rec[:0], tx, height, pos)
		m.TxEntries++
		return add()
	}); err != nil {
		return nil, fmt.Errorf("snapshot: read the transaction index: %w", err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	var p *Proof
	if st.Height() > h {
		if p, err = BuildProof(st, h); err != nil {
			return nil, err
		}
	}
	if err := writeTail(cw, m, p); err != nil {
		return nil, err
	}
	return m, nil
}

// manifestOf fills a manifest of height h, whose state digest the view
// gave, from st, without chunks.
func manifestOf(st *store.Store, h uint64, digest ledger.Hash) (*Manifest, error) {
	gh, err := st.GenesisHash()
	if err != nil {
		return nil, err
	}
	hdr, err := st.Header(h)
	if err != nil {
		return nil, fmt.Errorf("snapshot: header %d: %w", h, err)
	}
	app, err := st.AppHash(h)
	if err != nil {
		return nil, fmt.Errorf("snapshot: app hash %d: %w", h, err)
	}
	tree, stored, err := st.WritesInputs(h)
	if err != nil {
		return nil, fmt.Errorf("snapshot: writes root %d: %w", h, err)
	}
	if stored != digest {
		return nil, fmt.Errorf("snapshot: the store's state digest after height %d is %s, its writes root holds %s (store corrupted)", h, digest.Short(), stored.Short())
	}
	results, err := st.TxResults(h, int(hdr.TxCount))
	if err != nil {
		return nil, fmt.Errorf("snapshot: results of height %d: %w", h, err)
	}
	leaves := make([]merkle.Hash, len(results))
	for i, r := range results {
		leaves[i] = merkle.LeafHash(r)
	}
	cmt, err := certificate(st, h)
	if err != nil {
		return nil, err
	}
	m := &Manifest{
		Format: Format, ChainID: hdr.ChainID, GenesisHash: gh, Height: h,
		AppHash: app, WritesTree: tree, ResultsRoot: ledger.Hash(merkle.Root(leaves)), StateDigest: digest,
		Base: Base{Header: hdr.Encode(), Commit: cmt.Encode(), Sets: []SetPart{}, Transitions: []TransitionPart{}},
	}
	spans, err := st.ValidatorSets(1, h+2)
	if err != nil {
		return nil, fmt.Errorf("snapshot: validator sets: %w", err)
	}
	for _, sp := range spans {
		m.Base.Sets = append(m.Base.Sets, SetPart{From: sp.From, Validators: sp.Set.Encode()})
		if sp.From < 2 || sp.From > h+1 {
			continue
		}
		th, err := st.Header(sp.From - 1)
		if err != nil {
			return nil, fmt.Errorf("snapshot: header %d before the set change at %d: %w", sp.From-1, sp.From, err)
		}
		tc, err := certificate(st, sp.From-1)
		if err != nil {
			return nil, err
		}
		m.Base.Transitions = append(m.Base.Transitions, TransitionPart{Header: th.Encode(), Commit: tc.Encode()})
	}
	return m, nil
}

// certificate returns the chain's own certificate of height (block
// height+1's last commit) when st holds that block, else st's stored one.
func certificate(st *store.Store, height uint64) (*ledger.Commit, error) {
	if height < st.Height() {
		if nb, err := st.Block(height + 1); err == nil {
			return nb.LastCommit, nil
		}
	}
	c, err := st.Commit(height)
	if err != nil {
		return nil, fmt.Errorf("snapshot: certificate of height %d: %w", height, err)
	}
	return c, nil
}

// BuildProof returns the proof of a snapshot of height h from st, which
// must hold header h+1.
func BuildProof(st *store.Store, h uint64) (*Proof, error) {
	hdr, err := st.Header(h + 1)
	if err != nil {
		return nil, fmt.Errorf("snapshot proof: header %d: %w", h+1, err)
	}
	cmt, err := certificate(st, h+1)
	if err != nil {
		return nil, err
	}
	return &Proof{Header: proof.Hex(hdr.Encode()), Commit: proof.Hex(cmt.Encode())}, nil
}
