package localnet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/nodekey"
)

// MemberOptions describe one founding organisation's node home and its join
// request (`qian consortium request`).
type MemberOptions struct {
	Home    string
	ChainID string
	// Org is the organisation entry: id, names, roles, GS1 company
	// prefixes and GLNs. Its admin key is the home's keyring account named
	// after the id; Admins and Join are filled in here.
	Org genesis.Organisation
	// Moniker names the node; "" means the organisation id.
	Moniker string
	// Observer makes the node follow the chain without a validator key.
	Observer bool
	// Power is the validator's voting power; 0 means DefaultPower.
	Power uint64
	// Addresses are where the other nodes dial this one, for genesis
	// (multiaddrs without /p2p/). Listen is p2p.listen of a new home; nil
	// means Addresses, or the loopback defaults without them. HTTPListen
	// is http.listen of a new home; "" means the default.
	Addresses  []string
	Listen     []string
	HTTPListen string
	// Passphrase is asked for the keyring passphrase once everything else
	// has been checked: to seal a new admin account in HOME/keyring
	// (confirm is true: a terminal asks twice), or to unlock the existing
	// one to sign. Required.
	Passphrase     func(confirm bool) ([]byte, error)
	KeyringOptions []keyring.Option
}

// Member is what CreateMember made or reused.
type Member struct {
	Home    string
	Request *genesis.JoinRequest
	Account keyring.Info // the admin account in HOME/keyring
	// Created lists the files written by this run; what is not listed was
	// already in the home and was reused.
	Created []string
}

// PeerID is the member's node identity.
func (m *Member) PeerID() peer.ID {
	if v := m.Request.Validator; v != nil {
		return v.PeerID
	}
	return m.Request.Observer.PeerID
}

// CreateMember makes (or reuses) a founding organisation's node home and
// returns its signed join request. On the organisation's own machine it
// finds or creates, in o.Home, the node key, the validator key (not for an
// observer) and the admin account in HOME/keyring, named after the
// organisation id; a key already there is reused, never replaced, so
// running it again (after a typo in a name, say) makes a new request with
// the same keys. Everything is checked before anything is written. A home
// that already holds a genesis or chain data belongs to a chain and is
// refused; so is a home whose role (validator or observer) is not the one
// asked for.
func CreateMember(o MemberOptions) (*Member, error) {
	fail := func(err error) (*Member, error) {
		var fe *genesis.FieldError
		if errors.As(err, &fe) { // a rule of the request: its code, and the request's field
			return nil, &genesis.CeremonyError{Code: genesis.CodeInvalidRequest, Reason: "consortium request: " + fe.Field + ": " + fe.Reason}
		}
		return nil, fmt.Errorf("consortium request: %w", err)
	}
	if o.Home == "" {
		return fail(errors.New("no home directory given (use --home or QIAN_HOME)"))
	}
	if err := genesis.ValidateOrgID(o.Org.ID); err != nil {
		return fail(fmt.Errorf("--org: %w", err))
	}
	for _, a := range o.Addresses {
		if err := genesis.ValidateAddress(a); err != nil {
			return fail(fmt.Errorf("--address: %w", err))
		}
	}
	if o.Passphrase == nil {
		return fail(fmt.Errorf("%w: the admin account in the home's keyring needs one", keyring.ErrNoPassphrase))
	}
	home, err := filepath.Abs(o.Home)
	if err != nil {
		return nil, err
	}
	paths := config.Paths{Home: home}
	for _, p := range []string{paths.GenesisFile(), paths.DataDir()} {
		if _, err := os.Lstat(p); err == nil {
			return fail(fmt.Errorf("%s already exists: this home belongs to a chain; make the request from a new home", p))
		}
	}
	role := config.RoleValidator
	if o.Observer {
		role = config.RoleObserver
	}
	cfg, newCfg, err := memberConfig(home, role, o)
	if err != nil {
		return fail(err)
	}

	// Keys: the home's own, else new ones kept in memory until the request
	// has been checked.
	nodeKey, id, newNodeKey, err := findNodeKey(paths)
	if err != nil {
		return fail(err)
	}
	var valKey ledger.PrivateKey
	newValKey := false
	if _, err := os.Lstat(paths.ValidatorKeyFile()); err == nil {
		if o.Observer {
			return fail(fmt.Errorf("%s holds a validator key, but an observer has none; use another home, or leave out --observer", home))
		}
		if valKey, err = nodekey.LoadValidatorKey(paths.ValidatorKeyFile()); err != nil {
			return fail(err)
		}
	} else if !o.Observer {
		if valKey, err = ledger.GenerateKey(); err != nil {
			return nil, err
		}
		newValKey = true
	}
	kr, err := keyring.Open(paths.KeyringDir(), o.KeyringOptions...)
	if err != nil {
		return fail(err)
	}
	// The admin key: the account's public key now, its secret once the
	// passphrase is given.
	account := o.Org.ID
	var admin ledger.PrivateKey
	var adminPub ledger.PublicKey
	newAdmin := false
	switch info, err := kr.Show(account); {
	case err == nil:
		adminPub = info.PublicKey
	case errors.Is(err, keyring.ErrNotFound):
		if admin, err = ledger.GenerateKey(); err != nil {
			return nil, err
		}
		adminPub, newAdmin = admin.PublicKey(), true
	default:
		return fail(err)
	}

	// The request, checked whole before anything is written.
	r := &genesis.JoinRequest{ChainID: o.ChainID, Organisation: o.Org}
	r.Organisation.Admins = []ledger.PublicKey{adminPub}
	r.Organisation.Join = nil
	if o.Observer {
		r.Observer = &genesis.Observer{Name: cfg.Moniker, Org: o.Org.ID, PeerID: id, Addresses: o.Addresses}
	} else {
		power := o.Power
		if power == 0 {
			power = DefaultPower
		}
		r.Validator = &genesis.Validator{Name: cfg.Moniker, Org: o.Org.ID, PubKey: valKey.PublicKey(), PeerID: id, Power: power, Addresses: o.Addresses}
	}
	if err := r.ValidateUnsigned(); err != nil {
		return fail(err)
	}
	if !o.Observer && len(o.Addresses) == 0 {
		return fail(errors.New("a validator needs at least one --address where the other nodes can dial it"))
	}
	pass, err := o.Passphrase(newAdmin)
	if err != nil {
		return nil, err
	}
	if len(pass) == 0 {
		return fail(fmt.Errorf("%w: the admin account in the home's keyring needs one", keyring.ErrNoPassphrase))
	}
	if !newAdmin {
		if admin, err = kr.Unlock(account, pass); err != nil {
			return fail(fmt.Errorf("admin account %q in %s: %w", account, kr.Dir(), err))
		}
	}
	if err := r.Sign(admin, valKey, nodeKey); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return fail(err)
	}

	// Write what is new: keys first, the config last.
	m := &Member{Home: home, Request: r, Account: keyring.Info{Name: account, PublicKey: adminPub}}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return fail(err)
	}
	if newNodeKey {
		if err := nodekey.WriteNodeKey(paths.NodeKeyFile(), nodeKey); err != nil {
			return fail(err)
		}
		m.Created = append(m.Created, paths.NodeKeyFile())
	}
	if newValKey {
		if err := nodekey.WriteValidatorKey(paths.ValidatorKeyFile(), valKey); err != nil {
			return fail(err)
		}
		m.Created = append(m.Created, paths.ValidatorKeyFile())
	}
	if newAdmin {
		if _, err := kr.Add(account, admin, pass); err != nil {
			return fail(fmt.Errorf("admin account: %w", err))
		}
		m.Created = append(m.Created, filepath.Join(kr.Dir(), account+".json"))
	}
	if newCfg {
		if err := cfg.WriteFile(paths.ConfigFile()); err != nil {
			return fail(err)
		}
		m.Created = append(m.Created, paths.ConfigFile())
	}
	return m, nil
}

// findNodeKey loads the home's node key, or makes one in memory (new).
func findNodeKey(paths config.Paths) (sk crypto.PrivKey, id peer.ID, isNew bool, err error) {
	if _, err := os.Lstat(paths.NodeKeyFile()); err == nil {
		sk, id, err := nodekey.LoadNodeKey(paths.NodeKeyFile())
		return sk, id, false, err
	}
	sk, id, err = nodekey.NewNodeKey()
	return sk, id, true, err
}

// memberConfig is the home's configuration: the one in config.toml when
// the home has one (its role and moniker must be the ones asked for), else
// a new one (isNew) listening where the request says and signing, as a
// client, with the admin account.
func memberConfig(home string, role config.Role, o MemberOptions) (c *config.Config, isNew bool, err error) {
	paths := config.Paths{Home: home}
	if _, err := os.Lstat(paths.ConfigFile()); err == nil {
		c, err := config.Load(home, nil)
		if err != nil {
			return nil, false, err
		}
		if c.Role != role {
			return nil, false, fmt.Errorf("%s says role = %q; this request is for its node to be a %s", paths.ConfigFile(), c.Role, role)
		}
		if o.Moniker != "" && o.Moniker != c.Moniker {
			return nil, false, fmt.Errorf("%s says moniker = %q, not %q: edit one to match the other", paths.ConfigFile(), c.Moniker, o.Moniker)
		}
		return c, false, nil
	}
	c = config.Default(home)
	c.Role = role
	c.Moniker = o.Moniker
	if c.Moniker == "" {
		c.Moniker = o.Org.ID
	}
	switch {
	case len(o.Listen) > 0:
		c.P2P.Listen = o.Listen
	case len(o.Addresses) > 0:
		c.P2P.Listen = o.Addresses
	}
	if o.HTTPListen != "" {
		c.HTTP.Listen = o.HTTPListen
	}
	c.Client.Node = clientURL(c.HTTP.Listen)
	c.Client.Key = o.Org.ID
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	return c, true, nil
}

// clientURL is the URL a client on the node's own machine reaches its API
// at: the listen address, with a wildcard host read as loopback.
func clientURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return config.DefaultNodeURL
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
