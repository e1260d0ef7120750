package node

import (
	"errors"
	"io/fs"

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

// loadNextValidatorKey loads keys/validator_next.key, the zero key when
// there is none.
func loadNextValidatorKey(cfg *config.Config) (ledger.PrivateKey, error) {
	k, err := nodekey.LoadValidatorKey(cfg.Paths().NextValidatorKeyFile())
	if errors.Is(err, fs.ErrNotExist) {
		return ledger.PrivateKey{}, nil
	}
	return k, err
}
