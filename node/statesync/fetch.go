package statesync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/snapshot"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/p2p"
)

// listTimeout bounds a list request: a peer that does not answer one
// quickly does not hold up the choice.
const listTimeout = 5 * time.Second

var errOutOfRange = errors.New("chunk index beyond the snapshot's chunks")

// ErrNoSnapshot: no peer offered a snapshot that could be restored.
var ErrNoSnapshot = errors.New("state sync: no peer offers a snapshot that verifies")

// Joiner restores a snapshot fetched from peers into an empty store.
type Joiner struct {
	Net    *p2p.Network
	Anchor snapshot.Anchor // the genesis file's chain identity and validator set
	Store  *store.Store    // empty
	Log    *slog.Logger
	// Progress, when set, is called after each chunk restored.
	Progress func(snapshot.Progress)
	// RequestTimeout bounds one request; 0 means 30 s.
	RequestTimeout time.Duration
	// Window is how many chunks may be fetched ahead of the next one
	// restored; 0 means twice the peers serving, at most 8.
	Window int
}

// Report says how a join went.
type Report struct {
	Manifest  *snapshot.Manifest
	Peers     int              // peers that offered the snapshot restored
	ChunksBy  map[peer.ID]int  // chunks each peer served that were restored
	Penalised map[peer.ID]bool // peers that sent something that did not verify
}

type candidate struct {
	Offer
	peers []peer.ID
}

// Run asks the connected peers for their snapshots and restores the best
// one that verifies: the highest offered by at least two peers (or by the
// one peer that offers any), then the others in turn.
func (j *Joiner) Run(ctx context.Context) (*Report, error) {
	if j.RequestTimeout == 0 {
		j.RequestTimeout = 30 * time.Second
	}
	rep := &Report{ChunksBy: map[peer.ID]int{}, Penalised: map[peer.ID]bool{}}
	cands := j.discover(ctx)
	if len(cands) == 0 {
		return nil, ErrNoSnapshot
	}
	for _, c := range cands {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		m, err := j.restore(ctx, c, rep)
		if err == nil {
			rep.Manifest, rep.Peers = m, len(c.peers)
			return rep, nil
		}
		j.Log.Warn("state sync: snapshot not restored; trying another", "height", c.Height, "err", err)
	}
	return nil, ErrNoSnapshot
}

// discover asks every connected peer for its list, in parallel, and ranks
// what they offer.
func (j *Joiner) discover(ctx context.Context) []candidate {
	var mu sync.Mutex
	by := map[Offer][]peer.ID{}
	var wg sync.WaitGroup
	for _, p := range j.Net.Peers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			offers, err := j.list(ctx, p)
			if err != nil {
				j.Log.Debug("state sync: no list from peer", "peer", p, "err", err)
				return
			}
			mu.Lock()
			for _, o := range offers {
				by[o] = append(by[o], p)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	var out []candidate
	most := 0
	for o, ps := range by {
		out = append(out, candidate{Offer: o, peers: ps})
		most = max(most, len(ps))
	}
	several := min(most, 2)
	slices.SortFunc(out, func(a, b candidate) int {
		// Offered by several first, then the highest, then the most peers.
		as, bs := len(a.peers) >= several, len(b.peers) >= several
		if as != bs {
			if as {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.Height, a.Height); c != 0 {
			return c
		}
		return cmp.Compare(len(b.peers), len(a.peers))
	})
	for _, c := range out {
		j.Log.Info("state sync: snapshot offered", "height", c.Height, "chunks", c.Chunks, "peers", len(c.peers))
	}
	return out
}

func (j *Joiner) list(ctx context.Context, p peer.ID) ([]Offer, error) {
	ctx, cancel := context.WithTimeout(ctx, min(j.RequestTimeout, listTimeout))
	defer cancel()
	var offers []Offer
	err := j.Net.Request(ctx, p, Protocol, encodeRequest(request{kind: kindList}), maxListFrame, func(f []byte) (bool, error) {
		var err error
		offers, err = decodeOffers(f)
		return false, err
	})
	if err != nil && offers == nil {
		j.penalise(p, err, nil)
	}
	return offers, err
}

// penalise tells the network p sent something invalid (a decode or
// verification failure; a timeout or a closed stream is no one's proof of
// fault, and is not penalised).
func (j *Joiner) penalise(p peer.ID, err error, rep *Report) {
	var se *snapshot.Error
	if !errors.As(err, &se) && !errors.Is(err, errDecode) {
		return
	}
	j.Net.Penalise(p, err)
	if rep != nil {
		rep.Penalised[p] = true
	}
}

var errDecode = errors.New("does not decode")

// manifest fetches and verifies c's manifest from its peers in turn.
func (j *Joiner) manifest(ctx context.Context, c candidate, rep *Report) (*snapshot.Verified, peer.ID, error) {
	req := encodeRequest(request{kind: kindManifest, height: c.Height, id: c.ID})
	for _, p := range c.peers {
		var frames [][]byte
		rctx, cancel := context.WithTimeout(ctx, j.RequestTimeout)
		err := j.Net.Request(rctx, p, Protocol, req, snapshot.MaxManifestSize, func(f []byte) (bool, error) {
			frames = append(frames, f)
			return len(frames) < 2, nil
		})
		cancel()
		if err != nil || len(frames) != 2 {
			j.Log.Info("state sync: no manifest from peer", "peer", p, "height", c.Height, "err", err)
			continue
		}
		v, err := verifyManifest(frames[0], frames[1], c, j.Anchor)
		if err != nil {
			j.Log.Warn("state sync: a peer's manifest does not verify", "peer", p, "height", c.Height, "err", err)
			j.penalise(p, err, rep)
			continue
		}
		return v, p, nil
	}
	return nil, "", fmt.Errorf("no peer of %d served a manifest that verifies", len(c.peers))
}

func verifyManifest(mj, pj []byte, c candidate, a snapshot.Anchor) (*snapshot.Verified, error) {
	if len(pj) > snapshot.MaxProofSize {
		return nil, fmt.Errorf("proof of %d bytes: %w", len(pj), errDecode)
	}
	m, err := snapshot.ParseManifest(mj)
	if err != nil {
		return nil, err
	}
	p, err := snapshot.ParseProof(pj)
	if err != nil {
		return nil, err
	}
	if m.Height != c.Height || OfferID(m) != c.ID {
		return nil, fmt.Errorf("the manifest is not the snapshot offered: %w", errDecode)
	}
	return snapshot.Verify(m, p, a)
}

// restore verifies c's manifest, then fetches, checks and restores its
// chunks from c's peers.
func (j *Joiner) restore(ctx context.Context, c candidate, rep *Report) (*snapshot.Manifest, error) {
	v, from, err := j.manifest(ctx, c, rep)
	if err != nil {
		return nil, err
	}
	m := v.Manifest
	j.Log.Info("state sync: manifest verified against genesis", "height", m.Height, "app_hash", m.AppHash.Short(), "chunks", len(m.Chunks), "from", from)
	r, err := v.Restore(j.Store)
	if err != nil {
		return nil, err
	}
	defer r.Abort()
	got := map[peer.ID]int{}
	if err := j.chunks(ctx, v, r, c.peers, from, got, rep); err != nil {
		return nil, err
	}
	if err := r.Finish(); err != nil {
		// Every chunk matched the manifest, which the proof does not
		// cover chunk by chunk: the manifest's sender lied.
		j.penalise(from, err, rep)
		return nil, err
	}
	for p, n := range got {
		rep.ChunksBy[p] += n
	}
	return m, nil
}

type fetched struct {
	p    peer.ID
	i    int
	data []byte
	err  error
}

// chunks fetches every chunk of v from peers, several at once, checks each
// as it arrives and adds them to r in order. A peer whose chunk does not
// match is penalised and asked nothing more; its chunk is asked of another.
func (j *Joiner) chunks(ctx context.Context, v *snapshot.Verified, r *snapshot.Restorer, peers []peer.ID, from peer.ID, got map[peer.ID]int, rep *Report) error {
	m := v.Manifest
	total := len(m.Chunks)
	window := j.Window
	if window == 0 {
		window = min(2*len(peers), 8)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan fetched)
	idle := slices.Clone(peers)
	failures := map[peer.ID]int{}
	var retry []int
	held := map[int]fetched{}
	next, added, inflight := 0, 0, 0
	var bytes int64
	for added < total {
		if err := ctx.Err(); err != nil {
			return err // stopped: the restore is aborted, nothing written
		}
		// Hand out work: retries first, then the next chunks in the window.
		for len(idle) > 0 {
			var i int
			switch {
			case len(retry) > 0:
				i, retry = retry[0], retry[1:]
			case next < total && next < added+window:
				i = next
				next++
			default:
				goto wait
			}
			p := idle[0]
			idle = idle[1:]
			inflight++
			go func() {
				data, err := j.chunk(ctx, p, m.Height, OfferIDOf(v), i, int(m.Chunks[i].Size))
				select {
				case results <- fetched{p: p, i: i, data: data, err: err}:
				case <-ctx.Done():
				}
			}()
		}
	wait:
		if inflight == 0 {
			return fmt.Errorf("%d of %d chunks restored; no peer left to ask", added, total)
		}
		var f fetched
		select {
		case f = <-results:
		case <-ctx.Done():
			return ctx.Err()
		}
		inflight--
		if f.err == nil {
			f.err = v.CheckChunk(f.i, f.data)
			if f.err != nil {
				j.Log.Warn("state sync: a peer's chunk does not match the manifest; asking another", "peer", f.p, "chunk", f.i, "err", f.err)
				j.penalise(f.p, f.err, rep)
				retry = append(retry, f.i)
				continue // the peer is asked nothing more
			}
		}
		if f.err != nil {
			j.Log.Info("state sync: no chunk from peer", "peer", f.p, "chunk", f.i, "err", f.err)
			retry = append(retry, f.i)
			if failures[f.p]++; failures[f.p] < 3 {
				idle = append(idle, f.p)
			}
			continue
		}
		idle = append(idle, f.p)
		held[f.i] = f
		for {
			h, ok := held[added]
			if !ok {
				break
			}
			delete(held, added)
			if err := r.Add(h.data); err != nil {
				// The chunk has the hash the manifest names, so its
				// entries are the manifest's sender's: it lied.
				j.penalise(from, err, rep)
				return err
			}
			got[h.p]++
			bytes += int64(len(h.data))
			added++
			if j.Progress != nil {
				j.Progress(snapshot.Progress{Chunks: added, TotalChunks: total, Bytes: bytes})
			}
		}
	}
	// Chunks that arrived ahead of their turn are added in one burst when
	// the one before them comes, so the last can be added after a stop that
	// came with the first: the stop still aborts, as nothing is written
	// before Finish.
	return ctx.Err()
}

// OfferIDOf is the offer id of a verified snapshot.
func OfferIDOf(v *snapshot.Verified) ledger.Hash { return OfferID(v.Manifest) }

func (j *Joiner) chunk(ctx context.Context, p peer.ID, height uint64, id ledger.Hash, i, size int) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, j.RequestTimeout)
	defer cancel()
	var data []byte
	err := j.Net.Request(ctx, p, Protocol, encodeRequest(request{kind: kindChunk, height: height, id: id, chunk: uint32(i)}), size, func(f []byte) (bool, error) {
		data = f
		return false, nil
	})
	if err == nil && data == nil {
		err = errors.New("the peer no longer holds the snapshot")
	}
	if errors.Is(err, p2p.ErrFrameTooLarge) {
		err = &snapshot.Error{Code: snapshot.ErrChunk, Message: fmt.Sprintf("chunk %d larger than the manifest's %d bytes", i, size)}
	}
	return data, err
}
