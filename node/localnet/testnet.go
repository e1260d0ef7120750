package localnet

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
)

// Defaults and limits of `qian testnet`.
const (
	DefaultTestnetChainID = "qian-testnet"
	DefaultBasePort       = config.DefaultP2PPort
	MaxTestnetValidators  = 100
	MaxTestnetObservers   = 10
	portStride            = 10
	KeyringDirName        = "keys" // DIR/keys: the demo accounts
)

// TestnetOptions describe a local network.
type TestnetOptions struct {
	Dir         string // output directory; must be absent or empty
	Validators  int    // 1 to MaxTestnetValidators
	Observers   int    // 0 to MaxTestnetObservers
	ChainID     string // "" means DefaultTestnetChainID
	BasePort    int    // 0 means DefaultBasePort
	GenesisTime time.Time
	// Passphrase seals the demo accounts in DIR/keys. Required.
	Passphrase []byte
	// KeyringOptions are passed to keyring.Open (tests pass InsecureTestKDF).
	KeyringOptions []keyring.Option
}

// Testnet describes what CreateTestnet wrote.
type Testnet struct {
	Dir         string
	ChainID     string
	GenesisFile string
	GenesisHash ledger.Hash
	Nodes       []*Node // validators node0..node{N-1}, then observers
	KeyringDir  string
	Accounts    []keyring.Info // one per demo organisation, named by role
}

// ObserverName is the home name of observer i: "observer", "observer1", ...
func ObserverName(i int) string {
	if i == 0 {
		return "observer"
	}
	return fmt.Sprintf("observer%d", i)
}

// CheckTestnetOptions reports what is wrong with o, if anything, without
// writing: so that a command can refuse bad flags before asking for a
// passphrase.
func CheckTestnetOptions(o TestnetOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	if err := emptyOrAbsent(dir); err != nil {
		return fmt.Errorf("testnet: %w", err)
	}
	return nil
}

func (o *TestnetOptions) check() error {
	if o.Dir == "" {
		return errors.New("testnet: no output directory (use --out)")
	}
	if o.Validators < 1 || o.Validators > MaxTestnetValidators {
		return fmt.Errorf("testnet: --validators %d must be 1 to %d", o.Validators, MaxTestnetValidators)
	}
	if o.Observers < 0 || o.Observers > MaxTestnetObservers {
		return fmt.Errorf("testnet: --observers %d must be 0 to %d", o.Observers, MaxTestnetObservers)
	}
	if o.ChainID == "" {
		o.ChainID = DefaultTestnetChainID
	}
	if err := ledger.ValidateChainID(o.ChainID); err != nil {
		return fmt.Errorf("testnet: --chain-id: %w", err)
	}
	if o.BasePort == 0 {
		o.BasePort = DefaultBasePort
	}
	last := o.BasePort + portStride*(o.Validators+o.Observers-1) + 1
	if o.BasePort < 1024 || last > 65535 {
		return fmt.Errorf("testnet: --base-port %d: the nodes need ports %d to %d, which must lie in 1024 to 65535", o.BasePort, o.BasePort, last)
	}
	if len(o.Passphrase) == 0 {
		return fmt.Errorf("testnet: %w: the demo accounts in %s/%s need one", keyring.ErrNoPassphrase, o.Dir, KeyringDirName)
	}
	return nil
}

// emptyOrAbsent refuses a directory that holds anything.
func emptyOrAbsent(dir string) error {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); err != io.EOF {
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		return fmt.Errorf("%s is not empty; choose a new directory, or remove it to start over", dir)
	}
	return nil
}

// CreateTestnet writes a local network into o.Dir:
//
//	DIR/genesis.json                 validators node0..node{N-1} (node i run by demo
//	                                 organisation i mod 8, dialled at its addresses),
//	                                 demo organisations
//	DIR/keys/                        keyring: farm, cooperative, ..., data_exchange
//	DIR/node{i}/                     validator homes: config.toml, genesis.json, keys/
//	DIR/observer, DIR/observer1, ... observer homes (role observer)
//
// Validators dial every other validator; observers dial every validator;
// each validator's p2p.allowed_peers names the observers.
func CreateTestnet(o TestnetOptions) (*Testnet, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	if err := emptyOrAbsent(dir); err != nil {
		return nil, fmt.Errorf("testnet: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("testnet: %w", err)
	}
	tn := &Testnet{Dir: dir, ChainID: o.ChainID, GenesisFile: filepath.Join(dir, config.GenesisFileName), KeyringDir: filepath.Join(dir, KeyringDirName)}

	// Keys first: node identities and validator keys.
	for i := 0; i < o.Validators+o.Observers; i++ {
		n := &Node{Role: config.RoleValidator, Name: fmt.Sprintf("node%d", i)}
		if i >= o.Validators {
			n.Role, n.Name = config.RoleObserver, ObserverName(i-o.Validators)
		}
		n.Home = filepath.Join(dir, n.Name)
		n.P2PPort = o.BasePort + portStride*i
		n.HTTPPort = n.P2PPort + 1
		if err := os.Mkdir(n.Home, 0o700); err != nil {
			return nil, fmt.Errorf("testnet: %w", err)
		}
		if err := makeKeys(n); err != nil {
			return nil, fmt.Errorf("testnet: %w", err)
		}
		tn.Nodes = append(tn.Nodes, n)
	}

	// The demo organisations' admin accounts.
	kr, err := keyring.Open(tn.KeyringDir, o.KeyringOptions...)
	if err != nil {
		return nil, fmt.Errorf("testnet: %w", err)
	}
	admins := map[genesis.Role]ledger.PublicKey{}
	for _, role := range DemoRoles() {
		info, err := kr.Create(string(role), o.Passphrase)
		if err != nil {
			return nil, fmt.Errorf("testnet: account %s: %w", role, err)
		}
		admins[role] = info.PublicKey
		tn.Accounts = append(tn.Accounts, info)
	}
	orgs := demoOrganisations(admins)

	doc := &genesis.Doc{
		ChainID:       o.ChainID,
		GenesisTime:   genesisTime(o.GenesisTime),
		Consensus:     genesis.DefaultConsensusParams(),
		Organisations: orgs,
	}
	var validatorAddrs, observerIDs []string
	for i, n := range tn.Nodes {
		if n.Role == config.RoleValidator {
			// Validator i is run by demo organisation i (round the eight
			// again past node7), which can then vote validators in and out,
			// and is dialled where it listens.
			doc.Validators = append(doc.Validators, genesis.Validator{Name: n.Name, PubKey: n.ValidatorKey, PeerID: n.PeerID, Power: DefaultPower,
				Org: orgs[i%len(orgs)].ID, Addresses: config.DefaultP2PListen(n.P2PPort)})
			validatorAddrs = append(validatorAddrs, n.P2PAddrs()...)
		} else {
			observerIDs = append(observerIDs, n.PeerID.String())
		}
	}
	if err := doc.Save(tn.GenesisFile); err != nil {
		return nil, fmt.Errorf("testnet: %w", err)
	}
	tn.GenesisHash = doc.Hash()

	for _, n := range tn.Nodes {
		var peers, allowed []string
		if n.Role == config.RoleValidator {
			peers = exceptPeer(validatorAddrs, n.PeerID)
			allowed = observerIDs
		} else {
			peers = validatorAddrs
			allowed = []string{}
		}
		paths := config.Paths{Home: n.Home}
		if err := nodeConfig(n, peers, allowed, tn.KeyringDir).WriteFile(paths.ConfigFile()); err != nil {
			return nil, fmt.Errorf("testnet: %s: %w", n.Name, err)
		}
		if err := doc.Save(paths.GenesisFile()); err != nil {
			return nil, fmt.Errorf("testnet: %s: %w", n.Name, err)
		}
	}
	return tn, nil
}

// exceptPeer drops the addresses of id from addrs.
func exceptPeer(addrs []string, id peer.ID) []string {
	out := []string{}
	suffix := "/p2p/" + id.String()
	for _, a := range addrs {
		if len(a) < len(suffix) || a[len(a)-len(suffix):] != suffix {
			out = append(out, a)
		}
	}
	return out
}
