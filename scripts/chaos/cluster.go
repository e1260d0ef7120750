package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/localnet"
	"github.com/qianchain/qianchain/node/nodekey"
	"github.com/qianchain/qianchain/scripts/internal/procnet"
)

// The node processes are scripts/internal/procnet's, shared with
// scripts/attack; the proxies between them are this program's.
type node = procnet.Node

const (
	procDown    = procnet.Down
	procRunning = procnet.Running
	procStopped = procnet.Stopped
)

// cluster is the network under test: its node processes and the proxies
// between them, and which of them the orchestrator counts as validators
// as the set changes.
type cluster struct {
	*procnet.Net
	Fabric *fabric
	Chain  ledger.ChainIdentity // Doc's: what every validator signature covers

	// With validator-set changes: the fifth organisation's node (voted
	// in), the founding validator voted out, the one that rotates its key;
	// -1 without.
	candidate, retireTarget, rotateTarget int

	mu       sync.Mutex
	member   []bool // a validator of the height the chain is at
	retiring []bool // offered no load: its removal is approved
	retired  []bool // voted out and stopped: out of every check
}

// validators returns the indexes of the nodes in the validator set in
// force, as the orchestrator last saw it change.
func (c *cluster) validators() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int
	for i, m := range c.member {
		if m {
			out = append(out, i)
		}
	}
	return out
}

// quorum is the number of validators whose agreement commits a block
// (every validator has the testnet's power: more than two thirds).
func (c *cluster) quorum() int { return len(c.validators())*2/3 + 1 }

// active returns the indexes of the nodes the end-of-run checks read:
// every node but the one voted out and stopped.
func (c *cluster) active() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int
	for i, r := range c.retired {
		if !r {
			out = append(out, i)
		}
	}
	return out
}

// activeNodes is active's nodes.
func (c *cluster) activeNodes() []*node {
	var out []*node
	for _, i := range c.active() {
		out = append(out, c.Nodes[i])
	}
	return out
}

func (c *cluster) setMember(i int, m bool) {
	c.mu.Lock()
	c.member[i] = m
	c.mu.Unlock()
}

func (c *cluster) setRetiring(i int) {
	c.mu.Lock()
	c.retiring[i] = true
	c.mu.Unlock()
}

func (c *cluster) retire(i int) {
	c.mu.Lock()
	c.retiring[i], c.retired[i] = true, true
	c.mu.Unlock()
}

func (c *cluster) isRetiring(i int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.retiring[i]
}

// Passphrase seals the throwaway demo keyring of a chaos testnet.
const chaosPassphrase = "chaos-passphrase"

// newCluster writes a testnet with `qian testnet` into dir (4 validators
// and an observer on a free base port), starts a proxy for every directed
// pair that dials, and rewrites each node's p2p.peers to reach its peers
// through the proxies, over TCP only. With changes, a second observer home
// is the fifth organisation's node: it gets a validator key of its own and
// the validator role, so that it follows as an observer until the set
// names it.
func newCluster(ctx context.Context, bin, dir, logLevel string, changes bool, logf func(string, ...any)) (*cluster, error) {
	observers := []string{"observer"}
	if changes {
		observers = append(observers, localnet.ObserverName(1))
	}
	base, err := procnet.FreeBasePort(4 + len(observers))
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "net")
	cmd := exec.CommandContext(ctx, bin, "testnet", "--out", out, "--validators", "4", "--observers", strconv.Itoa(len(observers)), "--base-port", strconv.Itoa(base))
	cmd.Env = append(procnet.ChildEnv(), "QIAN_PASSPHRASE="+chaosPassphrase)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("qian testnet: %v\n%s", err, b)
	}
	pn, cfgs, err := procnet.Open(out, bin, observers, logf)
	if err != nil {
		return nil, err
	}
	c := &cluster{Net: pn, candidate: -1, retireTarget: -1, rotateTarget: -1}
	c.Chain = c.Doc.Identity()
	for _, n := range c.Nodes {
		c.member = append(c.member, n.Validator)
	}
	c.retiring, c.retired = make([]bool, len(c.Nodes)), make([]bool, len(c.Nodes))
	if changes {
		c.candidate = len(c.Nodes) - 1
		n := c.Nodes[c.candidate]
		if _, err := nodekey.GenerateValidatorKey(config.Paths{Home: n.Home}.ValidatorKeyFile()); err != nil {
			return nil, err
		}
		cfgs[c.candidate].Role = config.RoleValidator
		if _, n.PeerID, err = nodekey.LoadNodeKey(config.Paths{Home: n.Home}.NodeKeyFile()); err != nil {
			return nil, err
		}
	}
	byPort := map[int]int{}
	for i, cfg := range cfgs {
		port, err := procnet.TCPPort(cfg.P2P.Listen)
		if err != nil {
			return nil, err
		}
		byPort[port] = i
	}
	// Every configured peer address names its node by port and peer id.
	type dial struct {
		from, to int
	}
	var dials []dial
	for i, cfg := range cfgs {
		for _, s := range cfg.P2P.Peers {
			a, err := ma.NewMultiaddr(s)
			if err != nil {
				return nil, err
			}
			info, err := peer.AddrInfoFromP2pAddr(a)
			if err != nil {
				return nil, err
			}
			ps, err := a.ValueForProtocol(ma.P_TCP)
			if err != nil {
				continue // QUIC: dropped below
			}
			p, _ := strconv.Atoi(ps)
			j, ok := byPort[p]
			if !ok {
				return nil, fmt.Errorf("%s: peer %s is not a node of the testnet", c.Nodes[i].Name, s)
			}
			c.Nodes[j].PeerID = info.ID
			dials = append(dials, dial{i, j})
		}
	}
	avoid := map[int]bool{}
	for p := base; p < base+10*len(cfgs); p++ {
		avoid[p] = true
	}
	c.Fabric = &fabric{links: map[[2]int]*link{}}
	for _, d := range dials {
		l, err := newLink(d.from, d.to, c.Nodes[d.to].P2PAddr, avoid)
		if err != nil {
			c.Fabric.close()
			return nil, err
		}
		c.Fabric.links[[2]int{d.from, d.to}] = l
	}
	for i, cfg := range cfgs {
		peers := []string{}
		for _, d := range dials {
			if d.from == i {
				l := c.Fabric.links[[2]int{d.from, d.to}]
				peers = append(peers, config.TCPAddr("127.0.0.1", l.Addr().Port)+"/p2p/"+c.Nodes[d.to].PeerID.String())
			}
		}
		sort.Strings(peers)
		cfg.P2P.Peers = peers
		if logLevel != "" {
			cfg.Log.Level = logLevel
		}
		if err := procnet.WriteConfig(cfg); err != nil {
			return nil, err
		}
	}
	return c, nil
}
