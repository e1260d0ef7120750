package localnet

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/config"
)

// Defaults of `qian init`.
const (
	DefaultInitChainID = "qian-local"
	DefaultMoniker     = "node0"
	DefaultPower       = 10
)

// InitOptions describe a single-node home.
type InitOptions struct {
	Home        string
	ChainID     string    // "" means DefaultInitChainID
	Moniker     string    // "" means DefaultMoniker
	GenesisTime time.Time // zero means now, to the second
}

// Init writes a single validator's home: keys, config.toml and a genesis
// naming that validator alone, with no founding organisations. It refuses
// a home that already has a config, genesis or keys.
func Init(o InitOptions) (*Node, *genesis.Doc, error) {
	if o.Home == "" {
		return nil, nil, fmt.Errorf("init: no home directory given (use --home or QIAN_HOME)")
	}
	if o.ChainID == "" {
		o.ChainID = DefaultInitChainID
	}
	if o.Moniker == "" {
		o.Moniker = DefaultMoniker
	}
	if err := ledger.ValidateChainID(o.ChainID); err != nil {
		return nil, nil, fmt.Errorf("init: --chain-id: %w", err)
	}
	home, err := filepath.Abs(o.Home)
	if err != nil {
		return nil, nil, err
	}
	paths := config.Paths{Home: home}
	for _, p := range []string{paths.ConfigFile(), paths.GenesisFile(), paths.KeysDir(), paths.DataDir()} {
		if _, err := os.Lstat(p); err == nil {
			return nil, nil, fmt.Errorf("init: %s already exists; choose an empty home, or remove it to start over", p)
		}
	}
	n := &Node{Name: o.Moniker, Role: config.RoleValidator, Home: home, P2PPort: config.DefaultP2PPort, HTTPPort: config.DefaultP2PPort + 1}
	// Check the config before any key is written.
	if err := nodeConfig(n, nil, nil, "").Validate(); err != nil {
		return nil, nil, fmt.Errorf("init: %w", err)
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, nil, fmt.Errorf("init: %w", err)
	}
	if err := makeKeys(n); err != nil {
		return nil, nil, fmt.Errorf("init: %w", err)
	}
	doc := &genesis.Doc{
		ChainID:     o.ChainID,
		GenesisTime: genesisTime(o.GenesisTime),
		Consensus:   genesis.DefaultConsensusParams(),
		Validators:  []genesis.Validator{{Name: n.Name, PubKey: n.ValidatorKey, PeerID: n.PeerID, Power: DefaultPower}},
	}
	if err := doc.Save(paths.GenesisFile()); err != nil {
		return nil, nil, fmt.Errorf("init: %w", err)
	}
	if err := nodeConfig(n, nil, nil, "").WriteFile(paths.ConfigFile()); err != nil {
		return nil, nil, fmt.Errorf("init: %w", err)
	}
	return n, doc, nil
}

func genesisTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC().Truncate(time.Second)
	}
	return t.UTC()
}
