package localnet

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
)

// Defaults of `qian init`.
const (
	DefaultInitChainID = "qian-local"
	DefaultMoniker     = "node0"
	DefaultPower       = 10
	DefaultInitOrgID   = "local"
	DefaultInitOrgName = "Local organisation"
)

// DefaultInitRoles are the roles of `qian init`'s organisation: every one,
// since on a single-organisation network it plays every part of the
// supply chain.
func DefaultInitRoles() []genesis.Role { return genesis.Roles() }

// InitOptions describe a single-node home.
type InitOptions struct {
	Home        string
	ChainID     string    // "" means DefaultInitChainID
	Moniker     string    // "" means DefaultMoniker
	GenesisTime time.Time // zero means now, to the second
	// Org is the one founding organisation; an empty ID means
	// DefaultInitOrgID, an empty Name DefaultInitOrgName, no Roles
	// DefaultInitRoles.
	Org genesis.Organisation
	// Passphrase is asked for the passphrase that seals the
	// organisation's admin account in HOME/keyring (MemberOptions).
	// Required.
	Passphrase     func(confirm bool) ([]byte, error)
	KeyringOptions []keyring.Option
}

// Init writes a home that starts a single-organisation chain on its own:
// it is the founding ceremony of one (CreateMember, then Assemble of its
// one request), so the node key, validator key, the organisation's admin
// account in HOME/keyring, config.toml and a genesis naming the node as
// the only validator and the organisation as the only founding member are
// made exactly as a consortium member's are. It refuses a home that
// already has a config, genesis, keys or data, and checks everything
// before writing.
func Init(o InitOptions) (*Member, *genesis.Doc, error) {
	if o.Home == "" {
		return nil, nil, fmt.Errorf("init: no home directory given (use --home or QIAN_HOME)")
	}
	if o.ChainID == "" {
		o.ChainID = DefaultInitChainID
	}
	if o.Moniker == "" {
		o.Moniker = DefaultMoniker
	}
	if o.Org.ID == "" {
		o.Org.ID = DefaultInitOrgID
	}
	if o.Org.Name == "" {
		o.Org.Name = DefaultInitOrgName
	}
	if len(o.Org.Roles) == 0 {
		o.Org.Roles = DefaultInitRoles()
	}
	if err := ledger.ValidateChainID(o.ChainID); err != nil {
		return nil, nil, fmt.Errorf("init: --chain-id: %w", err)
	}
	home, err := filepath.Abs(o.Home)
	if err != nil {
		return nil, nil, err
	}
	paths := config.Paths{Home: home}
	for _, p := range []string{paths.ConfigFile(), paths.GenesisFile(), paths.KeysDir(), paths.DataDir(), paths.KeyringDir()} {
		if _, err := os.Lstat(p); err == nil {
			return nil, nil, fmt.Errorf("init: %s already exists; choose an empty home, or remove it to start over", p)
		}
	}
	listen := config.DefaultP2PListen(config.DefaultP2PPort)
	m, err := CreateMember(MemberOptions{
		Home: home, ChainID: o.ChainID, Org: o.Org, Moniker: o.Moniker, Addresses: listen,
		HTTPListen: config.DefaultHTTPListen, Passphrase: o.Passphrase, KeyringOptions: o.KeyringOptions,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("init: %w", err)
	}
	doc, err := genesis.Assemble([]*genesis.JoinRequest{m.Request}, genesis.AssembleOptions{
		ChainID: o.ChainID, GenesisTime: genesisTime(o.GenesisTime), Consensus: genesis.DefaultConsensusParams(),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("init: %w", err)
	}
	if err := doc.Save(paths.GenesisFile()); err != nil {
		return nil, nil, fmt.Errorf("init: %w", err)
	}
	return m, doc, nil
}

func genesisTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC().Truncate(time.Second)
	}
	return t.UTC()
}
