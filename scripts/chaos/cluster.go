package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/config"
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
// between them.
type cluster struct {
	*procnet.Net
	Fabric *fabric
	Chain  ledger.ChainIdentity // Doc's: what every validator signature covers
}

func (c *cluster) validators() []int { return c.Validators() }
func (c *cluster) quorum() int       { return c.Quorum() }

// Passphrase seals the throwaway demo keyring of a chaos testnet.
const chaosPassphrase = "chaos-passphrase"

// newCluster writes a testnet with `qian testnet` into dir (4 validators
// and an observer on a free base port), starts a proxy for every directed
// pair that dials, and rewrites each node's p2p.peers to reach its peers
// through the proxies, over TCP only.
func newCluster(ctx context.Context, bin, dir, logLevel string, logf func(string, ...any)) (*cluster, error) {
	base, err := procnet.FreeBasePort(5)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "net")
	cmd := exec.CommandContext(ctx, bin, "testnet", "--out", out, "--validators", "4", "--observers", "1", "--base-port", strconv.Itoa(base))
	cmd.Env = append(procnet.ChildEnv(), "QIAN_PASSPHRASE="+chaosPassphrase)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("qian testnet: %v\n%s", err, b)
	}
	pn, cfgs, err := procnet.Open(out, bin, []string{"observer"}, logf)
	if err != nil {
		return nil, err
	}
	c := &cluster{Net: pn}
	c.Chain = c.Doc.Identity()
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
