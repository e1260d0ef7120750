// Package nodetest starts real nodes for tests: each with its own Pebble
// store in a temporary directory and its own libp2p host on 127.0.0.1, in
// the test's process.
package nodetest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/config"
)

// Member is one node of a test network, running or stopped.
type Member struct {
	Name    string
	Config  *config.Config
	NodeKey crypto.PrivKey
	ValKey  ledger.PrivateKey // zero for an observer
	// Genesis: a genesis validator. A candidate (Options.Candidates) has a
	// validator key but is not in genesis: it follows as an observer until
	// governance votes it in.
	Genesis bool
	Node    *node.Node // nil while stopped
	P2PAddr string     // /ip4/127.0.0.1/tcp/P/p2p/ID
	URL     string     // http://127.0.0.1:P
}

// PeerID is the member's node identity.
func (m *Member) PeerID() peer.ID {
	id, _ := peer.IDFromPrivateKey(m.NodeKey)
	return id
}

// Network is a set of validators and observers sharing a genesis.
type Network struct {
	t       testing.TB
	Genesis *genesis.Doc
	Members []*Member
	App     func() node.Application
	Handler func(n *node.Node) http.Handler
	Log     *slog.Logger
}

// Options shape a test network.
type Options struct {
	Validators int
	// Candidates run with role validator and a validator key that is not
	// in genesis; peers treat them as observers (validators admit them by
	// p2p.allowed_peers). Members: validators, candidates, observers.
	Candidates int
	Observers  int
	ChainID    string
	App        func() node.Application // nil: KVApp
	Handler    func(n *node.Node) http.Handler
	// Params, when set, replaces the fast test consensus parameters.
	Params *genesis.ConsensusParams
	// Orgs are the genesis founding organisations.
	Orgs []genesis.Organisation
	// Farm, when set, is a founding organisation too (after Orgs), and
	// App defaults to the contracts (node.NewContractsApp).
	Farm *Farm
}

// FastParams are consensus parameters for tests on loopback: short
// timeouts and a 200 ms empty-block interval.
func FastParams() genesis.ConsensusParams {
	p := genesis.DefaultConsensusParams()
	p.TimeoutPropose, p.TimeoutProposeDelta = 800*time.Millisecond, 200*time.Millisecond
	p.TimeoutPrevote, p.TimeoutPrevoteDelta = 400*time.Millisecond, 200*time.Millisecond
	p.TimeoutPrecommit, p.TimeoutPrecommitDelta = 400*time.Millisecond, 200*time.Millisecond
	p.EmptyBlockInterval = 200 * time.Millisecond
	return p
}

// New builds (but does not start) a network.
func New(t testing.TB, o Options) *Network {
	t.Helper()
	if o.ChainID == "" {
		o.ChainID = "qian-test"
	}
	if o.Farm != nil {
		o.Orgs = append(append([]genesis.Organisation(nil), o.Orgs...), o.Farm.Org)
		if o.App == nil {
			o.App = func() node.Application { return node.NewContractsApp() }
		}
	}
	if o.App == nil {
		o.App = func() node.Application { return KVApp{} }
	}
	params := FastParams()
	if o.Params != nil {
		params = *o.Params
	}
	nw := &Network{t: t, App: o.App, Handler: o.Handler}
	if os.Getenv("QIAN_TEST_LOG") != "" {
		nw.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	doc := &genesis.Doc{ChainID: o.ChainID, GenesisTime: time.Unix(1764000000, 0).UTC(), Consensus: params, Organisations: o.Orgs}
	root := t.TempDir()
	total := o.Validators + o.Candidates + o.Observers
	for i := 0; i < total; i++ {
		m := &Member{Name: fmt.Sprintf("node%d", i), Genesis: i < o.Validators}
		switch {
		case i >= o.Validators+o.Candidates:
			m.Name = fmt.Sprintf("observer%d", i-o.Validators-o.Candidates)
		case i >= o.Validators:
			m.Name = fmt.Sprintf("candidate%d", i-o.Validators)
		}
		var err error
		if m.NodeKey, _, err = crypto.GenerateEd25519Key(nil); err != nil {
			t.Fatal(err)
		}
		id, _ := peer.IDFromPrivateKey(m.NodeKey)
		role := config.RoleObserver
		if i < o.Validators+o.Candidates {
			role = config.RoleValidator
			if m.ValKey, err = ledger.GenerateKey(); err != nil {
				t.Fatal(err)
			}
		}
		if i < o.Validators {
			v := genesis.Validator{Name: m.Name, PubKey: m.ValKey.PublicKey(), PeerID: id, Power: 10}
			if len(o.Orgs) > 0 {
				v.Org = o.Orgs[i%len(o.Orgs)].ID // run by the founding organisations in turn
			}
			doc.Validators = append(doc.Validators, v)
		}
		home := filepath.Join(root, m.Name)
		m.Config = &config.Config{
			Home: home, Moniker: m.Name, Role: role,
			Mempool: config.Mempool{MaxTxs: 50_000, MaxBytes: 256 << 20, MaxPerSender: 10_000},
			Log:     config.Log{Format: "text", Level: "info"},
		}
		m.p2pOn(freePort(t))
		m.httpOn(freePort(t))
		nw.Members = append(nw.Members, m)
	}
	// As qian testnet lays it out: validators dial each other, observers
	// (and candidates) dial the validators, and validators admit them.
	for _, m := range nw.Members {
		for _, o := range nw.Members {
			if o != m && o.Genesis {
				m.Config.P2P.Peers = append(m.Config.P2P.Peers, o.P2PAddr)
			}
			if !o.Genesis {
				m.Config.P2P.AllowedPeers = append(m.Config.P2P.AllowedPeers, o.PeerID().String())
			}
		}
	}
	if err := doc.Validate(); err != nil {
		t.Fatalf("test genesis: %v", err)
	}
	nw.Genesis = doc
	t.Cleanup(nw.StopAll)
	return nw
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start starts member i.
func (nw *Network) Start(i int) {
	nw.t.Helper()
	if err := nw.StartContext(context.Background(), i); err != nil {
		nw.t.Fatal(err)
	}
}

// StartContext starts member i with ctx as node.Options.Context (which
// interrupts a state-sync join) and returns New's error instead of failing
// the test. It may be called from any goroutine.
func (nw *Network) StartContext(ctx context.Context, i int) error {
	m := nw.Members[i]
	if m.Node != nil {
		return nil
	}
	log := nw.Log
	if log != nil {
		log = log.With("node", m.Name)
	}
	// The ports were free when the network was made, but another test
	// process may have taken one since (freePort closes its listener; CI,
	// 2026-12-05: "p2p: start host: failed to listen on any addresses ...
	// address already in use"). Move whichever port New names and try again.
	var n *node.Node
	var err error
	for try := 0; ; try++ {
		n, err = node.New(node.Options{Config: m.Config, Genesis: nw.Genesis, App: nw.App(), Log: log,
			NodeKey: m.NodeKey, ValidatorKey: m.ValKey, Handler: nw.Handler, Context: ctx})
		if err == nil || try == 5 || !strings.Contains(err.Error(), "address already in use") {
			break
		}
		if strings.Contains(err.Error(), "http listen") {
			m.httpOn(freePort(nw.t)) // the API's port is its clients' alone
		} else if strings.Contains(err.Error(), "p2p") {
			nw.moveP2P(m)
		} else {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("start %s: %w", m.Name, err)
	}
	n.Start()
	m.Node = n
	return nil
}

// p2pOn sets m's P2P port: where it listens and the address others dial.
func (m *Member) p2pOn(port int) {
	m.P2PAddr = fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", port, m.PeerID())
	m.Config.P2P.Listen = []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", port)}
}

// httpOn sets m's API port: where it listens and the URL clients use.
func (m *Member) httpOn(port int) {
	m.Config.HTTP.Listen = fmt.Sprintf("127.0.0.1:%d", port)
	m.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
}

// moveP2P gives m another P2P port and tells the members that dial it;
// those already running are reached by m's own dials.
func (nw *Network) moveP2P(m *Member) {
	old := m.P2PAddr
	m.p2pOn(freePort(nw.t))
	for _, o := range nw.Members {
		for j, a := range o.Config.P2P.Peers {
			if a == old {
				o.Config.P2P.Peers[j] = m.P2PAddr
			}
		}
	}
}

// StartAll starts every member.
func (nw *Network) StartAll() {
	for i := range nw.Members {
		nw.Start(i)
	}
}

// Stop stops member i cleanly.
func (nw *Network) Stop(i int) {
	m := nw.Members[i]
	if m.Node == nil {
		return
	}
	if err := m.Node.Stop(); err != nil {
		nw.t.Logf("stop %s: %v", m.Name, err)
	}
	m.Node = nil
}

// StopAll stops every running member.
func (nw *Network) StopAll() {
	for i := range nw.Members {
		nw.Stop(i)
	}
}

// Wipe deletes member i's data directory (it must be stopped).
func (nw *Network) Wipe(i int) {
	if err := os.RemoveAll(nw.Members[i].Config.Paths().DataDir()); err != nil {
		nw.t.Fatal(err)
	}
}

// WaitHeight waits until every running member has committed height h.
func (nw *Network) WaitHeight(h uint64, timeout time.Duration) {
	nw.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done := true
		for _, m := range nw.Members {
			if m.Node != nil && m.Node.Store.Height() < h {
				done = false
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			nw.t.Fatalf("timed out waiting for height %d: %s", h, nw.Heights())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Heights describes the members' heights, for failure messages.
func (nw *Network) Heights() string {
	s := ""
	for _, m := range nw.Members {
		if m.Node == nil {
			s += fmt.Sprintf("%s=stopped ", m.Name)
		} else {
			s += fmt.Sprintf("%s=%d ", m.Name, m.Node.Store.Height())
		}
	}
	return s
}

// CheckSameChain fails the test unless every running member holds the same
// block hashes and app hashes up to the lowest height among them, and
// returns that height.
func (nw *Network) CheckSameChain() uint64 {
	nw.t.Helper()
	var running []*Member
	low := uint64(1<<63 - 1)
	for _, m := range nw.Members {
		if m.Node != nil {
			running = append(running, m)
			low = min(low, m.Node.Store.Height())
		}
	}
	for h := uint64(1); h <= low; h++ {
		var hash, app ledger.Hash
		for i, m := range running {
			bh, err := m.Node.Store.BlockHash(h)
			if err != nil {
				nw.t.Fatalf("%s block %d: %v", m.Name, h, err)
			}
			ah, err := m.Node.Store.AppHash(h)
			if err != nil {
				nw.t.Fatalf("%s app hash %d: %v", m.Name, h, err)
			}
			if i == 0 {
				hash, app = bh, ah
			} else if bh != hash || ah != app {
				nw.t.Fatalf("fork at height %d: %s has block %s app %s, %s has block %s app %s",
					h, running[0].Name, hash.Short(), app.Short(), m.Name, bh.Short(), ah.Short())
			}
		}
	}
	return low
}
