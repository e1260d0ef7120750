package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/snapshot"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/p2p"
	"github.com/qianchain/qianchain/node/statesync"
)

// Joining by state sync (config statesync.enable): a node whose store is
// empty, before it initialises the store from genesis, brings up a network
// of its own with its node key and configured peers, asks them for
// snapshots and restores one (node/statesync: the manifest verified against
// a header proven from genesis before any chunk is asked for, each chunk
// checked as it arrives, the state digest at the end; store.Restore writes
// nothing before all of it holds). It then closes that network and starts
// as a node restored from a snapshot file does: block sync from H+1, then
// consensus. When no peer offers a snapshot that verifies within
// statesync.discovery_timeout, it starts from genesis instead.
//
// The join runs inside New, before the node's own network exists, because
// everything New builds afterwards (validator history, peer plan, chain)
// reads the store it leaves.

// ErrJoinInterrupted is a state-sync join stopped by Options.Context (qian
// start's SIGTERM) before the state was restored: nothing was written, so
// the store holds no chain and the next start joins again.
var ErrJoinInterrupted = errors.New("state sync interrupted before the state was restored; data/ holds no chain, and the next start asks the peers again")

// StateSyncReport is how the node's join by state sync went; nil when it
// did not join by state sync.
func (n *Node) StateSyncReport() *statesync.Report { return n.joined }

func (n *Node) joinByStateSync(ctx context.Context, cfg *config.Config, doc *genesis.Doc, key crypto.PrivKey, vals *ledger.ValidatorSet, log *slog.Logger) error {
	self, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return err
	}
	genesisPeers, allowed, dial, err := networkPeers(cfg, doc, self)
	if err != nil {
		return err
	}
	admitted := append(append([]peer.ID(nil), genesisPeers...), allowed...)
	for _, d := range dial {
		admitted = append(admitted, d.ID)
	}
	net, err := p2p.New(p2p.Config{Key: key, Listen: cfg.P2P.Listen, Peers: dial, Admitted: admitted,
		Log: log.With("room", "p2p"), PeerBudget: peerBudget(doc.Consensus.MaxBlockBytes)})
	if err != nil {
		return err
	}
	defer net.Close()
	net.Start()
	sl := log.With("room", "statesync")
	pr := &joinProgress{log: sl, start: time.Now()}
	j := &statesync.Joiner{Net: net, Store: n.Store, Log: sl, Progress: pr.update,
		Anchor: snapshot.Anchor{Chain: n.chain, Validators: vals}}
	wait := cfg.StateSync.DiscoveryTimeout
	if wait <= 0 {
		wait = 30 * time.Second
	}
	deadline := time.Now().Add(wait)
	sl.Info("state sync: asking peers for snapshots", "peers", len(dial))
	start := time.Now()
	// pause waits d unless ctx ends first; every wait of the join goes
	// through it or through ctx, so that a stop is prompt.
	interrupted := func() error {
		sl.Info("state sync: interrupted; nothing was written", "after", time.Since(start).Round(time.Millisecond))
		return fmt.Errorf("%w (%v)", ErrJoinInterrupted, context.Cause(ctx))
	}
	pause := func(d time.Duration) error {
		if ctx.Err() != nil {
			return interrupted()
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return interrupted()
		case <-t.C:
			return nil
		}
	}
	for {
		// Ask once every configured peer is connected, or 3 s after the
		// first one is: an offer needs several peers to be chosen.
		if got := len(net.Peers()); got >= len(dial) || got > 0 && time.Since(start) > 3*time.Second {
			rep, err := j.Run(ctx)
			if err == nil {
				m := rep.Manifest
				n.joined = rep
				sl.Info("state sync: restored", "height", m.Height, "app_hash", m.AppHash.Short(), "chunks", len(m.Chunks),
					"state_entries", m.StateEntries, "txs", m.TxEntries, "peers", len(rep.ChunksBy), "penalised", len(rep.Penalised),
					"took", time.Since(pr.start).Round(time.Millisecond))
				return nil
			}
			if ctx.Err() != nil {
				return interrupted()
			}
			if !errors.Is(err, statesync.ErrNoSnapshot) {
				return fmt.Errorf("state sync: %w", err)
			}
			if err := pause(time.Second); err != nil { // before asking again
				return err
			}
		}
		if time.Now().After(deadline) {
			sl.Warn("state sync: no peer offers a snapshot that verifies; block-syncing from genesis instead", "waited", wait)
			return nil
		}
		if err := pause(200 * time.Millisecond); err != nil {
			return err
		}
	}
}

// joinProgress logs the join's chunks at most once a second, and the last.
type joinProgress struct {
	log   *slog.Logger
	start time.Time
	last  time.Time
}

func (p *joinProgress) update(pr snapshot.Progress) {
	if pr.Chunks < pr.TotalChunks && time.Since(p.last) < time.Second {
		return
	}
	p.last = time.Now()
	secs := max(time.Since(p.start).Seconds(), 1e-3)
	p.log.Info("state sync: chunks restored", "chunks", fmt.Sprintf("%d/%d", pr.Chunks, pr.TotalChunks),
		"mib", fmt.Sprintf("%.1f", float64(pr.Bytes)/(1<<20)), "mib_per_s", fmt.Sprintf("%.1f", float64(pr.Bytes)/(1<<20)/secs))
}
