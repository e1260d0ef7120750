// Package node wires a Qianchain node: the Pebble store, the libp2p network,
// the mempool, block sync, the consensus driver, the HTTP API and metrics.
// Everything concurrent in the system lives here, around the deterministic
// cores (consensus, contracts).
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/driver"
	"github.com/qianchain/qianchain/contracts/upgrade"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/blocksync"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/httpserver"
	"github.com/qianchain/qianchain/node/mempool"
	"github.com/qianchain/qianchain/node/p2p"
	"github.com/qianchain/qianchain/node/sigcache"
	"github.com/qianchain/qianchain/node/statesync"
)

// Options are what a node is made of. Config and Genesis are required; the
// keys are read from the home unless given.
type Options struct {
	Config  *config.Config
	Genesis *genesis.Doc
	App     Application
	Log     *slog.Logger
	// NodeKey, ValidatorKey and NextValidatorKey, when set, replace the key
	// files (tests).
	NodeKey          crypto.PrivKey
	ValidatorKey     ledger.PrivateKey
	NextValidatorKey ledger.PrivateKey
	// Handler builds what the HTTP address serves (node/api.New: the API,
	// pages and metrics). Nil serves only /metrics.
	Handler func(n *Node) http.Handler
	// Version is the software's version, shown by status and metrics and
	// named when the node stops for an upgrade ("dev" when empty).
	Version string
	// Context, when set, interrupts what New waits for before the node
	// exists to be stopped: a state-sync join (statesync.go). Cancelled
	// there, New returns an error matching ErrJoinInterrupted and leaves
	// data/ without a chain, so the next start asks its peers again. Nil:
	// New is not interrupted.
	Context context.Context
}

// Node is a running Qianchain node.
type Node struct {
	cfg      *config.Config
	doc      *genesis.Doc
	chain    ledger.ChainIdentity // from doc: what every signature is bound to
	genesis  ledger.Hash          // chain.GenesisHash()
	log      *slog.Logger
	role     config.Role
	software string

	Store   *store.Store
	Net     *p2p.Network
	Pool    *mempool.Mempool
	Chain   *Chain
	Metrics *Metrics
	Events  *Hub

	app       Application
	sigs      *sigcache.Cache
	gossip    *txGossip
	transport *consensusTransport
	syncer    *blocksync.Syncer
	valKey    ledger.PrivateKey
	nextKey   ledger.PrivateKey // keys/validator_next.key: the key a rotation moves to; zero if none

	// genesisPeers are the genesis validators' peers, admitted for the
	// chain's life when the application keeps no validator directory;
	// allowedPeers are admitted for the chain's life besides the
	// validators: the founding observers (genesis) and p2p.allowed_peers.
	genesisPeers []peer.ID
	allowedPeers []peer.ID

	http     *httpserver.Server
	httpAddr string
	control  *http.Server // the control socket (control.go); nil when none

	mu      sync.Mutex
	drv     *driver.Driver
	syncing bool
	started time.Time

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// serving counts the HTTP requests being served (http.go: counted);
	// Stop waits for them before it closes the store.
	serving atomic.Int64
	runErr  chan error
	snaps   *snapshotter // nil without statesync.snapshot_interval
	joined  *statesync.Report
}

// New opens the node's store (initialising it from genesis on first start),
// loads its keys and starts listening, but does not yet connect or run
// consensus: call Start.
func New(o Options) (n *Node, err error) {
	cfg, doc := o.Config, o.Genesis
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	chain := doc.Identity()
	n = &Node{cfg: cfg, doc: doc, chain: chain, genesis: chain.GenesisHash(), log: log, role: cfg.Role, app: o.App, Events: newHub(), runErr: make(chan error, 1), software: o.Version}
	if n.software == "" {
		n.software = "dev"
	}
	// The node being built, not the result: every error return sets n to
	// nil before this runs.
	defer func(built *Node) {
		if err != nil {
			built.closeResources()
		}
	}(n)
	vals, err := doc.ValidatorSet()
	if err != nil {
		return nil, err
	}

	// Keys.
	nodeKey := o.NodeKey
	if nodeKey == nil {
		if nodeKey, _, err = loadNodeKey(cfg); err != nil {
			return nil, err
		}
	}
	n.valKey, n.nextKey = o.ValidatorKey, o.NextValidatorKey
	if cfg.Role == config.RoleValidator && n.valKey.IsZero() {
		if n.valKey, err = loadValidatorKey(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.Role == config.RoleValidator && n.nextKey.IsZero() {
		if n.nextKey, err = loadNextValidatorKey(cfg); err != nil {
			return nil, err
		}
	}
	if !n.nextKey.IsZero() {
		log.Info("holding the next validator key of a rotation; it signs from the height a set names it", "key", n.nextKey.PublicKey().Short())
	}

	// Store. Its memtable size is spread by this validator's index (see
	// memtable.go), as of genesis: near enough after the set changes.
	self := -1
	if !n.valKey.IsZero() {
		self = vals.IndexOf(n.valKey.PublicKey())
	}
	so := &store.Options{Log: log.With("room", "store"), MemTableSize: memTableSize(self, vals.Size())}
	if a, ok := n.app.(absentLookups); ok {
		so.AbsentState = a.AbsentLookups()
	}
	if a, ok := n.app.(separatedRecords); ok {
		so.SeparatedState = a.SeparatedRecords()
	}
	if n.Store, err = store.Open(filepath.Join(cfg.Paths().DataDir(), "chain"), so); err != nil {
		return nil, storeFormatError(cfg.Paths().DataDir(), err)
	}
	if _, err := n.Store.GenesisHash(); errors.Is(err, store.ErrNotFound) && cfg.StateSync.Enable {
		ctx := o.Context
		if ctx == nil {
			ctx = context.Background()
		}
		if err := n.joinByStateSync(ctx, cfg, doc, nodeKey, vals, log); err != nil {
			return nil, err
		}
	}
	if g, err := n.Store.GenesisHash(); errors.Is(err, store.ErrNotFound) {
		writes, appHash, err := n.app.Genesis(doc)
		if err != nil {
			return nil, fmt.Errorf("genesis state: %w", err)
		}
		if err := n.Store.InitGenesis(n.genesis, vals, writes, appHash); err != nil {
			return nil, err
		}
		log.Info("initialised the store from genesis", "chain", doc.ChainID, "genesis", n.genesis.Short())
	} else if err != nil {
		return nil, err
	} else if g != n.genesis {
		return nil, fmt.Errorf("the store in %s belongs to genesis %s, not %s", cfg.Paths().DataDir(), g.Short(), n.genesis.Short())
	}
	// A binary that the chain's upgrades left behind refuses to start:
	// it would execute nothing the others accept.
	if err := checkUpgrade(n.app, n.Store, n.software, n.Store.Height()); err != nil {
		return nil, err
	}
	sets, err := loadValHistory(n.Store)
	if err != nil {
		return nil, err
	}
	n.logValidatorRole(sets)

	// Network.
	selfID, err := peer.IDFromPrivateKey(nodeKey)
	if err != nil {
		return nil, err
	}
	var peers []peer.AddrInfo
	if n.genesisPeers, n.allowedPeers, peers, err = networkPeers(cfg, doc, selfID); err != nil {
		return nil, err
	}
	admitted, validatorPeers, err := n.peerPlan(n.Store.Height())
	if err != nil {
		return nil, err
	}
	if n.Net, err = p2p.New(p2p.Config{Key: nodeKey, Listen: cfg.P2P.Listen, Peers: peers, Admitted: admitted, Log: log.With("room", "p2p"),
		PeerBudget: peerBudget(doc.Consensus.MaxBlockBytes)}); err != nil {
		return nil, err
	}

	// Mempool, metrics, chain.
	// The signatures of what the mempool holds (mempool.max_txs, 4,000 by
	// default; an operator may raise it) and of what peers relayed until it
	// is in a block: 50,000 is over 10 s at 4,000 tx/s, about 10 MB. (200,000 held 41 MB, the
	// largest thing on a validator's Go heap.) A signature evicted before
	// its block arrives is verified again, not trusted.
	n.sigs = sigcache.New(50_000)
	params := doc.Consensus
	n.Pool = mempool.New(mempool.Config{
		ChainID: doc.ChainID, MaxTxs: cfg.Mempool.MaxTxs, MaxBytes: int(cfg.Mempool.MaxBytes),
		MaxPerSender: cfg.Mempool.MaxPerSender, MaxTxBytes: int(params.MaxTxBytes),
		RelayReserve: cfg.Mempool.RelayReserveTxs(),
	}, n.Store, n.sigs, n.checker())
	n.Metrics = newMetrics(n.Pool.Size, func() int { return len(n.Net.Peers()) }, n.Store.DiskUsage, n.Store.BlockCache, n.Store.PointReads)
	n.Metrics.software = n.software
	n.ctx, n.cancel = context.WithCancel(context.Background())
	// Every validator counts every transaction it admits: the OK counter is
	// looked up once rather than by its label each time.
	admittedOK := n.Metrics.txAdmitted.WithLabelValues("OK")
	n.gossip = newTxGossip(n.Net, n.Pool, validatorPeers, func(code string) {
		if code == "OK" {
			admittedOK.Inc()
			return
		}
		n.Metrics.txAdmitted.WithLabelValues(code).Inc()
	}, n.ctx.Done())
	n.gossip.room.wait, n.gossip.room.onHold = cfg.Mempool.FullWait, n.Metrics.admitHeld.Inc
	n.gossip.admit.batched = func(lane string, txs int) { n.Metrics.admitBatch.WithLabelValues(lane).Observe(float64(txs)) }
	n.followValidators(validatorPeers)
	if ss := cfg.StateSync; ss.SnapshotInterval > 0 {
		n.snaps = newSnapshotter(n.Store, filepath.Join(cfg.Paths().DataDir(), SnapshotsDirName), ss.SnapshotInterval, ss.SnapshotKeep, log.With("room", "snapshots"))
		n.snaps.chunk = ss.ChunkSize
	}
	n.Chain = &Chain{
		chain: n.chain, params: params, sets: sets, keys: n.validatorKeys(),
		st: n.Store, app: n.app, pool: n.Pool, sigs: n.sigs, votes: newVoteSigs(), log: log.With("room", "chain"),
		metrics: n.Metrics, events: n.Events, software: n.software, emptyInterval: cfg.Consensus.EmptyBlockIntervalOr(params.EmptyBlockInterval),
		pruneBelow: cfg.Storage.PruneBelow, snaps: n.snaps, minInterval: cfg.Consensus.MinBlockInterval,
		flushes:   &flushPhase{st: n.Store, log: log.With("room", "store")},
		txArrived: n.gossip.notify, ctx: n.ctx, lastCommit: time.Now(),
		onSets: func(tip uint64) {
			if err := n.refreshPeers(tip); err != nil {
				log.Error("the validator set changed but the network could not follow", "height", tip, "err", err)
			}
		},
	}
	n.Metrics.validatorSet(sets.at(n.Store.Height()+1), sets.list(), n.Store.Height())
	if p, err := n.Protocol(); err == nil {
		var plan *upgrade.Plan
		if p.Planned != nil {
			plan = &upgrade.Plan{Name: p.Planned.Name, Height: p.Planned.Height}
		}
		reg := upgrade.Registry{}
		if u, ok := n.app.(Upgrader); ok {
			reg = u.Upgrades()
		}
		n.Metrics.protocol(p.Version, plan, reg)
	}
	n.transport = newConsensusTransport(n.Net, params.MaxBlockBytes, n.Pool.Known)
	blocksync.Serve(n.Net, n.Store, n.genesis)
	statesync.Serve(n.Net, n.snapshotPaths, log.With("room", "statesync"))
	n.syncer = &blocksync.Syncer{
		Net: n.Net, Genesis: n.genesis, Height: n.Store.Height, Apply: n.Chain.applySynced,
		MaxFrame: syncFrameCap(params.MaxBlockBytes), Log: log.With("room", "blocksync"),
		Progress: func(h, target uint64) {
			n.Metrics.syncHeight.Set(float64(h))
			n.Metrics.syncTarget.Set(float64(target))
			n.snaps.catchUp(target)
		},
	}

	// HTTP.
	if cfg.HTTP.Listen != "" {
		if err := n.listenHTTP(cfg.HTTP, o.Handler); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Start connects to peers, catches up by block sync, then runs consensus,
// all in the background. Errors that stop the node arrive on Done.
func (n *Node) Start() {
	n.started = time.Now()
	if err := n.listenControl(); err != nil {
		n.log.Warn("no control socket; qian backup needs the node stopped", "err", err)
	}
	n.Net.Start()
	if n.snaps != nil {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			n.snaps.run(n.ctx.Done())
		}()
	}
	n.wg.Add(3 + admitWorkers)
	go func() {
		defer n.wg.Done()
		n.gossip.run(n.ctx.Done())
	}()
	go func() {
		defer n.wg.Done()
		n.gossip.admit.gather()
	}()
	for i := 0; i < admitWorkers; i++ {
		go func() {
			defer n.wg.Done()
			n.gossip.admit.work()
		}()
	}
	go func() {
		defer n.wg.Done()
		if err := n.run(); err != nil && !errors.Is(err, context.Canceled) {
			n.log.Error("node stopped", "err", err)
			select {
			case n.runErr <- err:
			default:
			}
		}
	}()
}

// Done delivers an error that stopped the node's consensus (a storage
// failure); nothing arrives on a clean Stop.
func (n *Node) Done() <-chan error { return n.runErr }

// run alternates between block sync and consensus: sync until no peer is
// ahead, run consensus until a peer is far ahead (we fell behind), repeat.
func (n *Node) run() error {
	// Give the network a moment to connect before asking who is ahead.
	n.waitForPeers(3 * time.Second)
	for first := true; ; first = false {
		// The first sync brings the store level with the peers, as the
		// signer guard below needs (it reads what they have seen this
		// validator sign). Later ones follow a fall behind while this
		// process held the signer state: they hand back to consensus
		// within reach of its catch-up.
		slack := uint64(0)
		if !first {
			slack = rejoinWithin
		}
		if err := n.sync(slack); err != nil {
			return err
		}
		// Before every (re)start of consensus: block sync has just brought
		// the store level with the peers, so it shows what they have seen
		// this validator sign.
		if err := n.checkSigner(); err != nil {
			return err
		}
		if err := n.runConsensus(); err != nil {
			return err
		}
	}
}

func (n *Node) waitForPeers(max time.Duration) {
	deadline := time.Now().Add(max)
	want := len(n.cfg.P2P.Peers)
	for time.Now().Before(deadline) && n.ctx.Err() == nil {
		if len(n.Net.Peers()) >= want || (want > 0 && len(n.Net.Peers()) > 0 && time.Since(n.started) > time.Second) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (n *Node) sync(slack uint64) error {
	n.mu.Lock()
	n.syncing = true
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		n.syncing = false
		n.mu.Unlock()
		n.Metrics.syncTarget.Set(0)
		n.snaps.catchUp(0)
	}()
	_, err := n.syncer.Run(n.ctx, slack)
	return err
}

// behindBy is how many heights a peer must be ahead before a running node
// stops consensus to block-sync. Consensus's own catch-up (a lagging
// validator asks a peer that is ahead, which answers with the decided block)
// moves one height per round trip, fine for a gap of a few; block sync
// fetches a hundred heights per request.
const behindBy = 3

// rejoinWithin is how many heights behind the highest peer a node that fell
// behind may stop block sync and go back to consensus. It is below behindBy,
// so the node does not switch straight back; consensus's catch-up covers the
// gap. Syncing until level instead kept a validator under attack out of
// consensus for 54 s on a network committing 3 heights a second (the CI's
// attack run of 2026-12-04): it got level only when the network stalled
// for its turn to propose.
const rejoinWithin = behindBy - 1

// runConsensus runs the driver until the context ends or a peer is far
// enough ahead that block sync is the faster way to catch up.
func (n *Node) runConsensus() error {
	height := n.Store.Height() + 1
	data := n.cfg.Paths().DataDir()
	r, err := driver.NewReplica(driver.Config{
		Chain:      n.chain,
		Timeouts:   consensusTimeouts(n.doc.Consensus),
		Verifier:   n.Chain.votes,
		Key:        n.valKey,
		NextKey:    n.nextKey,
		WALPath:    filepath.Join(data, "cs.wal"),
		SignerPath: filepath.Join(data, SignerStateFile),
	}, n.Chain, height, n.Chain.sets.at(height))
	if err != nil {
		return fmt.Errorf("start consensus at height %d: %w", height, err)
	}
	d := driver.New(r, n.transport, time.Second)
	n.mu.Lock()
	n.drv = d
	n.mu.Unlock()
	n.log.Info("consensus started", "height", height, "role", n.role)

	ctx, stop := context.WithCancel(n.ctx)
	defer stop()
	watch := make(chan struct{})
	go func() {
		defer close(watch)
		n.watchBehind(ctx, stop)
	}()
	go n.watchSteps(ctx, d)
	err = d.Run(ctx)
	// d.Run may end by itself (a storage error, a halt for an upgrade this
	// binary does not know): the watcher would wait for a peer far ahead
	// that never comes, and this return with it.
	stop()
	<-watch
	if n.ctx.Err() != nil {
		return n.ctx.Err()
	}
	if errors.Is(err, context.Canceled) {
		n.log.Info("fell behind; switching to block sync", "height", n.Store.Height())
		return nil
	}
	return err
}

// watchBehind stops consensus when a peer reports a height far ahead.
func (n *Node) watchBehind(ctx context.Context, stop func()) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		local := n.Store.Height()
		for _, h := range n.syncer.PeerHeights(ctx) {
			if h > local+behindBy {
				stop()
				return
			}
		}
	}
}

// watchSteps samples the driver's state for the round gauge and the
// step-duration histogram.
func (n *Node) watchSteps(ctx context.Context, d *driver.Driver) {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	last := d.State()
	since := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s := d.State()
			if s.Height != last.Height || s.Round != last.Round || s.Step != last.Step {
				n.Metrics.stepDuration.WithLabelValues(last.Step.String()).Observe(now.Sub(since).Seconds())
				n.Metrics.round.Set(float64(s.Round))
				if s.Round > 0 && (s.Round != last.Round || s.Height != last.Height) {
					n.log.Info("round change", "height", s.Height, "round", s.Round, "step", s.Step)
				}
				n.log.Debug("consensus step", "height", s.Height, "round", s.Round, "step", s.Step, "after", now.Sub(since).Round(time.Millisecond))
				last, since = s, now
			}
		}
	}
}

// Stop shuts the node down cleanly: consensus, sync, network, HTTP, store.
func (n *Node) Stop() error {
	if n.cancel != nil {
		n.cancel()
	}
	if n.http != nil {
		n.stopHTTP(3*time.Second, 10*time.Second)
	}
	if n.control != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_ = n.control.Shutdown(ctx)
		cancel()
	}
	n.wg.Wait()
	return n.closeResources()
}

func (n *Node) closeResources() error {
	var errs []error
	if n.Net != nil {
		errs = append(errs, n.Net.Close())
	}
	if n.Store != nil {
		errs = append(errs, n.Store.Close())
	}
	return errors.Join(errs...)
}

// Config is the node's configuration (read-only).
func (n *Node) Config() *config.Config { return n.cfg }

// HTTPAddr is the address the API listens on ("" when disabled).
func (n *Node) HTTPAddr() string { return n.httpAddr }

// Genesis returns the genesis document and its hash.
func (n *Node) Genesis() (*genesis.Doc, ledger.Hash) { return n.doc, n.genesis }

// Software is the node's software version.
func (n *Node) Software() string { return n.software }

// Role is validator or observer.
func (n *Node) Role() config.Role { return n.role }

// Submit admits a client's transaction and relays it. Concurrent
// submissions are verified together in small batches.
func (n *Node) Submit(raw []byte) (*ledger.Tx, ledger.Hash, error) {
	return n.gossip.submit(context.Background(), raw, "")
}

// SubmitFrom is Submit for a client's request, on the connection from (its
// remote address): a batch gathering clients' submissions goes as soon as
// every connection that submitted lately is waiting in it (clientSet). A
// request held for room in a full mempool (roomGate) goes on when ctx is
// done: its client went away.
func (n *Node) SubmitFrom(ctx context.Context, raw []byte, from string) (*ledger.Tx, ledger.Hash, error) {
	return n.gossip.submit(ctx, raw, from)
}

// SubmitBatch admits a client's batch of transactions (batch-verified) and
// relays the admitted ones; one result per transaction, in order.
func (n *Node) SubmitBatch(raws [][]byte) []mempool.Result {
	return n.gossip.submitBatch(context.Background(), raws, "")
}

// SubmitBatchFrom is SubmitBatch for a client's request on the connection
// from, as SubmitFrom.
func (n *Node) SubmitBatchFrom(ctx context.Context, raws [][]byte, from string) []mempool.Result {
	return n.gossip.submitBatch(ctx, raws, from)
}

// ConsensusState returns the driver's state, and whether consensus is
// running (false while block-syncing).
func (n *Node) ConsensusState() (consensus.State, bool) {
	n.mu.Lock()
	d, syncing := n.drv, n.syncing
	n.mu.Unlock()
	if d == nil || syncing {
		return consensus.State{}, false
	}
	return d.State(), true
}

// Syncing reports whether the node is block-syncing.
func (n *Node) Syncing() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.syncing
}

// networkPeers derives from config and genesis: the genesis validators'
// peers; the peers admitted for the chain's life besides the validators
// (the founding observers of genesis and p2p.allowed_peers); and whom to
// dial: the configured p2p.peers, and every other genesis validator at its
// genesis addresses. Who may connect is the validators of the chain as the
// node's state has them, plus those allowed peers (peerPlan). A peer named
// in p2p.peers is dialled only at the addresses configured for it (an
// operator's private route, the chaos run's proxies), never also at its
// genesis ones.
func networkPeers(cfg *config.Config, doc *genesis.Doc, self peer.ID) (genesisPeers, allowed []peer.ID, dial []peer.AddrInfo, err error) {
	genesisPeers, allowed, fromGenesis := doc.Peers(self)
	for _, s := range cfg.P2P.AllowedPeers {
		id, err := peer.Decode(s)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("p2p.allowed_peers: %q: %w", s, err)
		}
		allowed = append(allowed, id)
	}
	configured := map[peer.ID]bool{}
	for _, s := range cfg.P2P.Peers {
		addr, err := ma.NewMultiaddr(s)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("p2p.peers: %q: %w", s, err)
		}
		info, err := peer.AddrInfoFromP2pAddr(addr)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("p2p.peers: %q: %w", s, err)
		}
		dial = append(dial, *info)
		configured[info.ID] = true
	}
	for _, info := range fromGenesis {
		if !configured[info.ID] {
			dial = append(dial, info)
		}
	}
	return genesisPeers, allowed, dial, nil
}

func consensusTimeouts(p genesis.ConsensusParams) consensus.Timeouts {
	return consensus.Timeouts{
		Propose: p.TimeoutPropose, ProposeDelta: p.TimeoutProposeDelta,
		Prevote: p.TimeoutPrevote, PrevoteDelta: p.TimeoutPrevoteDelta,
		Precommit: p.TimeoutPrecommit, PrecommitDelta: p.TimeoutPrecommitDelta,
	}
}

// validatorKeys are the public keys this node may sign with: its validator
// key and, when it holds one, the next key of a rotation.
func (n *Node) validatorKeys() []ledger.PublicKey {
	var out []ledger.PublicKey
	for _, k := range []ledger.PrivateKey{n.valKey, n.nextKey} {
		if !k.IsZero() {
			out = append(out, k.PublicKey())
		}
	}
	return out
}

// logValidatorRole says, at start, how this validator stands in the set: a
// validator whose keys are in no set (not yet voted in, or removed) follows
// the chain as an observer until a set names it.
func (n *Node) logValidatorRole(sets *valHistory) {
	keys := n.validatorKeys()
	if len(keys) == 0 {
		return
	}
	next := n.Store.Height() + 1
	for _, k := range keys {
		for _, s := range sets.list() {
			if i := s.Set.IndexOf(k); i >= 0 && (s.From >= next || sets.at(next).IndexOf(k) >= 0) {
				n.log.Info("validator key in the validator set", "key", k.Short(), "from_height", max(s.From, next), "index", i)
				return
			}
		}
	}
	n.log.Warn("this node's validator keys are in no validator set from the next height on; it follows the chain as an observer until a governance change adds one", "keys", len(keys), "height", next)
}
