package localnet

import (
	"fmt"
	"strconv"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/nodekey"
)

// Node describes one home that was written.
type Node struct {
	Name         string
	Role         config.Role
	Home         string
	PeerID       peer.ID
	P2PPort      int
	HTTPPort     int
	ValidatorKey ledger.PublicKey // zero for an observer
}

// P2PAddrs are the node's dialable libp2p addresses, ending in /p2p/<id>:
// TCP first, then QUIC.
func (n *Node) P2PAddrs() []string {
	return []string{
		config.TCPAddr("127.0.0.1", n.P2PPort) + "/p2p/" + n.PeerID.String(),
		config.QUICAddr("127.0.0.1", n.P2PPort) + "/p2p/" + n.PeerID.String(),
	}
}

// HTTPListen is the node's HTTP listen address.
func (n *Node) HTTPListen() string { return "127.0.0.1:" + strconv.Itoa(n.HTTPPort) }

// HTTPURL is the node's API base URL.
func (n *Node) HTTPURL() string { return "http://" + n.HTTPListen() }

// makeKeys generates the node key, and for a validator the validator key,
// in home/keys.
func makeKeys(n *Node) error {
	paths := config.Paths{Home: n.Home}
	_, id, err := nodekey.GenerateNodeKey(paths.NodeKeyFile())
	if err != nil {
		return fmt.Errorf("%s: %w", n.Name, err)
	}
	n.PeerID = id
	if n.Role == config.RoleValidator {
		k, err := nodekey.GenerateValidatorKey(paths.ValidatorKeyFile())
		if err != nil {
			return fmt.Errorf("%s: %w", n.Name, err)
		}
		n.ValidatorKey = k.PublicKey()
	}
	return nil
}

// nodeConfig is the config.toml of n, with the given peers.
func nodeConfig(n *Node, peers, allowed []string, keyringDir string) *config.Config {
	c := config.Default(n.Home)
	c.Moniker = n.Name
	c.Role = n.Role
	c.P2P.Listen = config.DefaultP2PListen(n.P2PPort)
	c.P2P.Peers = peers
	c.P2P.AllowedPeers = allowed
	c.HTTP.Listen = n.HTTPListen()
	c.Client.Node = n.HTTPURL()
	c.Client.Keyring = keyringDir
	return c
}
