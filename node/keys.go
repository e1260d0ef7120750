package node

import (
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/nodekey"
)

func loadNodeKey(cfg *config.Config) (crypto.PrivKey, peer.ID, error) {
	return nodekey.LoadNodeKey(cfg.Paths().NodeKeyFile())
}

func loadValidatorKey(cfg *config.Config) (ledger.PrivateKey, error) {
	return nodekey.LoadValidatorKey(cfg.Paths().ValidatorKeyFile())
}
