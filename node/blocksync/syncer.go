package blocksync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/p2p"
)

// ErrInvalidBlock marks an Apply failure caused by the data received (as
// opposed to the local store failing): the peer that sent it is penalised.
var ErrInvalidBlock = errors.New("invalid synced block")

// Applier verifies a block with its commit against the local chain, then
// executes and stores it. Errors wrapping ErrInvalidBlock blame the sender.
type Applier func(blk *ledger.Block, c *ledger.Commit) error

// Syncer fetches and applies blocks from peers.
type Syncer struct {
	Net      *p2p.Network
	Genesis  ledger.Hash
	Height   func() uint64 // the local chain's height
	Apply    Applier
	MaxFrame int // largest block or commit frame accepted
	Log      *slog.Logger
	// Progress, when set, is called with the local height and the target
	// once each round's target is known, before anything is fetched, and
	// after each applied block (metrics; the node's periodic snapshots
	// skip heights a catch-up will pass).
	Progress func(height, target uint64)

	txs uint64 // transactions applied, for the progress lines; only Run's goroutine touches it
}

// PeerHeights asks every connected peer for its status and returns the
// heights of those on the same chain.
func (s *Syncer) PeerHeights(ctx context.Context) map[peer.ID]uint64 {
	out := map[peer.ID]uint64{}
	for _, p := range s.Net.Peers() {
		rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := s.Net.Request(rctx, p, StatusProtocol, nil, 64, func(f []byte) (bool, error) {
			st, err := decodeStatus(f)
			if err != nil {
				return false, p2p.Invalid(err)
			}
			if st.Genesis == s.Genesis {
				out[p] = st.Height
			}
			return false, nil
		})
		cancel()
		if p2p.IsInvalid(err) {
			s.Net.Penalise(p, err)
		}
	}
	return out
}

// Run syncs until no peer reports a height more than slack above the local
// one, and returns how many blocks it applied; a batch it does fetch takes
// all the chosen peer has, up to MaxBatch. It logs progress about once a
// second.
//
// A slack of zero means level with the highest peer. A node that fell
// behind while running consensus passes a few heights instead: consensus
// catches up that far at the round-trip time, whereas level is a moving
// target on a live network (new heights arrive while a batch is applied),
// and a syncer waiting to be level can chase it until the network happens to
// stall, which it does when the absent validator's turn to propose comes.
func (s *Syncer) Run(ctx context.Context, slack uint64) (uint64, error) {
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start, startHeight, startTxs := time.Now(), s.Height(), s.txs
	lastLog, lastLogHeight, lastLogTxs := start, startHeight, s.txs
	for {
		if err := ctx.Err(); err != nil {
			return s.Height() - startHeight, err
		}
		heights := s.PeerHeights(ctx)
		target := uint64(0)
		for _, h := range heights {
			target = max(target, h)
		}
		local := s.Height()
		if target <= local+slack {
			if n := local - startHeight; n > 0 {
				el := time.Since(start)
				txs := s.txs - startTxs
				log.Info("block sync done", "height", local, "blocks", n, "txs", txs, "elapsed", el.Round(time.Millisecond),
					"blocks_per_s", fmt.Sprintf("%.1f", float64(n)/el.Seconds()),
					"tx_per_s", fmt.Sprintf("%.0f", float64(txs)/el.Seconds()))
			}
			return local - startHeight, nil
		}
		if s.Progress != nil {
			s.Progress(local, target)
		}
		// Ask the peers that have the next block, highest first.
		var sources []peer.ID
		for p, h := range heights {
			if h > local {
				sources = append(sources, p)
			}
		}
		sort.Slice(sources, func(i, j int) bool { return heights[sources[i]] > heights[sources[j]] })
		progressed := false
		for _, p := range sources {
			n, err := s.fetch(ctx, p, local+1, uint32(min(MaxBatch, heights[p]-local)), target)
			if n > 0 {
				progressed = true
			}
			if err != nil && !errors.Is(err, context.Canceled) {
				log.Warn("block sync from peer failed", "peer", p, "err", err)
				if errors.Is(err, ErrInvalidBlock) || p2p.IsInvalid(err) {
					s.Net.Penalise(p, err)
				} else if !errors.Is(err, errPeer) {
					return s.Height() - startHeight, err // the local side failed
				}
			}
			if progressed {
				break
			}
		}
		if now := time.Now(); now.Sub(lastLog) >= time.Second {
			h := s.Height()
			rate := float64(h-lastLogHeight) / now.Sub(lastLog).Seconds()
			txRate := float64(s.txs-lastLogTxs) / now.Sub(lastLog).Seconds()
			eta := "unknown"
			if rate > 0 {
				eta = (time.Duration(float64(target-h)/rate) * time.Second).Round(time.Second).String()
			}
			log.Info("block sync", "height", h, "target", target, "blocks_per_s", fmt.Sprintf("%.1f", rate),
				"tx_per_s", fmt.Sprintf("%.0f", txRate), "eta", eta)
			lastLog, lastLogHeight, lastLogTxs = now, h, s.txs
		}
		if !progressed {
			// Nobody could help right now; wait a moment and ask again.
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
}

// errPeer marks a failure of the exchange with a peer (timeout, reset),
// which is not the local store's fault.
var errPeer = errors.New("peer exchange failed")

// fetch requests count heights from p starting at from and applies them
// as they arrive. It returns how many it applied.
func (s *Syncer) fetch(ctx context.Context, p peer.ID, from uint64, count uint32, target uint64) (uint64, error) {
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var applied uint64
	var pending *ledger.Block
	var applyErr error
	err := s.Net.Request(rctx, p, BlocksProtocol, encodeBlocksRequest(blocksRequest{From: from, Count: count}), s.MaxFrame,
		func(f []byte) (bool, error) {
			if pending == nil {
				blk, err := ledger.DecodeBlock(f)
				if err != nil {
					return false, p2p.Invalid(err)
				}
				if blk.Header.Height != from+applied {
					return false, p2p.Invalid(fmt.Errorf("peer sent height %d, want %d", blk.Header.Height, from+applied))
				}
				pending = blk
				return true, nil
			}
			c, err := ledger.DecodeCommit(f)
			if err != nil {
				return false, p2p.Invalid(err)
			}
			if err := s.Apply(pending, c); err != nil {
				applyErr = err
				return false, nil
			}
			applied++
			s.txs += uint64(len(pending.Txs))
			if s.Progress != nil {
				s.Progress(pending.Header.Height, target)
			}
			pending = nil
			return true, nil
		})
	if applyErr != nil {
		return applied, applyErr
	}
	if err != nil && !p2p.IsInvalid(err) {
		err = fmt.Errorf("%w: %v", errPeer, err)
	}
	return applied, err
}
