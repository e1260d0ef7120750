package config

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/qianchain/qianchain/ledger/keyring"
)

// Role is what a node does on the network.
type Role string

const (
	// RoleValidator takes part in consensus with keys/validator.key.
	RoleValidator Role = "validator"
	// RoleObserver follows and serves the chain without voting; validators
	// admit it through their p2p.allowed_peers.
	RoleObserver Role = "observer"
)

// Config is a node's configuration. Load fills and validates it; the node
// treats it as read-only.
type Config struct {
	Home      string // home directory; not a key: set by --home or QIAN_HOME
	Moniker   string
	Role      Role
	P2P       P2P
	HTTP      HTTP
	Consensus Consensus
	Mempool   Mempool
	Storage   Storage
	StateSync StateSync
	Log       Log
	Client    Client
}

// Storage is the store section.
type Storage struct {
	// PruneBelow, when not 0, is the height below which the node deletes
	// block bodies and results (store.PruneBelow), once it has committed
	// that height: an organisation's nodes other than its archive node
	// (docs/operations.md, "Joining from a snapshot; archive nodes").
	PruneBelow uint64
	// ArchiveURLs are the base URLs of archive nodes' HTTP APIs (every
	// block kept) that the API names in its ERR_PRUNED answers for the
	// heights this node does not hold (pruned, or before the snapshot it
	// joined from), so that a client can ask there. Each is an http:// or
	// https:// URL; none means the answer says no archive is configured.
	ArchiveURLs []string
}

// StateSync is the statesync section: the snapshots a running node makes
// of its state (docs/operations.md, "Joining from a snapshot; archive
// nodes").
type StateSync struct {
	// SnapshotInterval, when not 0, makes the node write a snapshot of the
	// state after every height that is a multiple of it, in the background,
	// into data/snapshots; SnapshotKeep is how many of the newest it keeps.
	SnapshotInterval uint64
	SnapshotKeep     int
	// ChunkSize is the chunk size of the snapshots the node makes.
	ChunkSize int
	// Enable: a node whose store is empty joins from a snapshot its peers
	// offer (node/statesync) instead of block-syncing from genesis; it
	// asks for DiscoveryTimeout before it starts from genesis instead.
	Enable           bool
	DiscoveryTimeout time.Duration
}

// P2P is the libp2p section.
type P2P struct {
	Listen       []string // multiaddrs, e.g. /ip4/127.0.0.1/tcp/26656 and /ip4/127.0.0.1/udp/26656/quic-v1
	Peers        []string // multiaddrs with /p2p/<id>, dialled at start and kept connected
	AllowedPeers []string // peer ids admitted besides the chain's validators (observers)
}

// HTTP is the API section.
type HTTP struct {
	Listen string // host:port
	// The per-client-IP limit on transaction submissions (node/api): a
	// token bucket refilled at SubmitRate per second (negative: no limit)
	// holding SubmitBurst; loopback clients are exempt unless
	// SubmitLimitLoopback.
	SubmitRate          int64
	SubmitBurst         int64
	SubmitLimitLoopback bool
	// The per-client limit on reads (GET and HEAD, pages included): a
	// token bucket of ReadBurst refilled at ReadRate per second (0 or
	// negative: no limit).
	ReadRate  int64
	ReadBurst int64
	// Timeouts of the server (node/httpserver): the whole request, the
	// response (the event stream excepted: each of its writes gets
	// WriteTimeout instead), an idle keep-alive connection.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	// Caps on open connections, in all and per client, and on event-stream
	// subscribers, in all and per client. A client is an IPv4 address or
	// an IPv6 /64.
	MaxConnections          int
	MaxConnectionsPerClient int
	MaxStreams              int
	MaxStreamsPerClient     int
	// LimitLoopback applies the per-client read limit and caps to clients
	// on the node's own host too.
	LimitLoopback bool
	// PProf serves net/http/pprof at /debug/pprof/.
	PProf bool
}

// Consensus holds node-local consensus settings.
type Consensus struct {
	// EmptyBlockInterval overrides the genesis value on this node when set.
	EmptyBlockInterval *time.Duration
	// MinBlockInterval is how long after the last commit this node, as
	// proposer, waits before proposing a block that is not full: under load
	// fewer, larger heights, each of which costs every validator its votes,
	// signatures and synced writes. 0 proposes at once.
	MinBlockInterval time.Duration
}

// EmptyBlockIntervalOr returns the configured interval, or genesisValue when
// none is configured.
func (c Consensus) EmptyBlockIntervalOr(genesisValue time.Duration) time.Duration {
	if c.EmptyBlockInterval != nil {
		return *c.EmptyBlockInterval
	}
	return genesisValue
}

// Mempool limits.
type Mempool struct {
	MaxTxs       int
	RelayReserve int // percent of MaxTxs
	MaxBytes     int64
	MaxPerSender int
	// FullWait is how long a client's submission waits for room in a
	// mempool full for clients before it is refused (node.roomGate).
	FullWait time.Duration
}

// RelayReserveTxs is the count of MaxTxs kept for validators' relays
// (mempool.Config.RelayReserve); clients may always fill at least one.
func (m Mempool) RelayReserveTxs() int {
	return max(0, min(m.MaxTxs*m.RelayReserve/100, m.MaxTxs-1))
}

// Log settings; see Log.NewLogger.
type Log struct {
	Format string // text or json
	Level  string // debug, info, warn, error
}

// Client is the convention shared by client commands.
type Client struct {
	Node    string // node HTTP URL
	Keyring string // keyring directory; "" means HOME/keyring
	Key     string // account key name
	// Set from flags only (AddTxFlags): print JSON; do not wait for the commit.
	JSON  bool
	Async bool
	// PassphraseFile is --passphrase-file (AddPassphraseFlag).
	PassphraseFile string
}

// Paths of a node home.
const (
	FileName         = "config.toml"
	GenesisFileName  = "genesis.json"
	KeysDirName      = "keys"
	NodeKeyName      = "node.key"
	ValidatorKeyName = "validator.key"
	// NextValidatorKeyName is the key a governance rotation moves the
	// validator to: the node holds it beside validator.key and signs with
	// it from the height the rotation takes effect (docs/operations.md,
	// "Rotating a validator's key").
	NextValidatorKeyName = "validator_next.key"
	DataDirName          = "data"
	KeyringDirName       = "keyring"
)

// Paths names the files of a node home.
type Paths struct{ Home string }

func (p Paths) ConfigFile() string       { return filepath.Join(p.Home, FileName) }
func (p Paths) GenesisFile() string      { return filepath.Join(p.Home, GenesisFileName) }
func (p Paths) KeysDir() string          { return filepath.Join(p.Home, KeysDirName) }
func (p Paths) NodeKeyFile() string      { return filepath.Join(p.Home, KeysDirName, NodeKeyName) }
func (p Paths) ValidatorKeyFile() string { return filepath.Join(p.Home, KeysDirName, ValidatorKeyName) }
func (p Paths) NextValidatorKeyFile() string {
	return filepath.Join(p.Home, KeysDirName, NextValidatorKeyName)
}
func (p Paths) DataDir() string    { return filepath.Join(p.Home, DataDirName) }
func (p Paths) KeyringDir() string { return filepath.Join(p.Home, KeyringDirName) }

// Paths returns the file layout of c's home.
func (c *Config) Paths() Paths { return Paths{Home: c.Home} }

// KeyringDir is the client keyring directory: Client.Keyring, or
// HOME/keyring when unset.
func (c *Config) KeyringDir() string {
	if c.Client.Keyring != "" {
		return c.Client.Keyring
	}
	return c.Paths().KeyringDir()
}

// Error is a configuration value that breaks a rule. Key is the dotted
// config key.
type Error struct {
	Key    string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s: %s", e.Key, e.Reason) }

func keyErr(key, format string, args ...any) *Error {
	return &Error{Key: key, Reason: fmt.Sprintf(format, args...)}
}

// Validate checks every node setting and the client settings.
func (c *Config) Validate() error {
	if !validLabel(c.Moniker, 64) {
		return keyErr("moniker", "%q must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit", c.Moniker)
	}
	if c.Role != RoleValidator && c.Role != RoleObserver {
		return keyErr("role", "%q must be %q or %q", c.Role, RoleValidator, RoleObserver)
	}
	if len(c.P2P.Listen) == 0 {
		return keyErr("p2p.listen", "at least one listen address is required")
	}
	for i, s := range c.P2P.Listen {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			return keyErr("p2p.listen", "address %d %q is not a multiaddr: %v", i, s, err)
		}
		if _, err := a.ValueForProtocol(ma.P_P2P); err == nil {
			return keyErr("p2p.listen", "address %d %q must not name a peer id", i, s)
		}
	}
	for i, s := range c.P2P.Peers {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			return keyErr("p2p.peers", "address %d %q is not a multiaddr: %v", i, s, err)
		}
		if _, err := peer.AddrInfoFromP2pAddr(a); err != nil {
			return keyErr("p2p.peers", "address %d %q must end in /p2p/<peer id>: %v", i, s, err)
		}
	}
	for i, s := range c.P2P.AllowedPeers {
		id, err := peer.Decode(s)
		if err != nil || id.String() != s {
			return keyErr("p2p.allowed_peers", "entry %d %q is not a peer id in base58 form (12D3KooW...)", i, s)
		}
	}
	if err := validHostPort(c.HTTP.Listen); err != nil {
		return keyErr("http.listen", "%v", err)
	}
	for i, s := range c.Storage.ArchiveURLs {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return keyErr("storage.archive_urls", "entry %d %q must be an http:// or https:// base URL of an archive node's API, such as https://archive.example.org", i, s)
		}
	}
	if d := c.Consensus.EmptyBlockInterval; d != nil && (*d < 0 || *d > time.Hour) {
		return keyErr("consensus.empty_block_interval", "%s is outside 0s to 1h", *d)
	}
	if d := c.Consensus.MinBlockInterval; d < 0 || d > 10*time.Second {
		return keyErr("consensus.min_block_interval", "%s is outside 0s to 10s", d)
	}
	if c.HTTP.SubmitBurst < 1 {
		return keyErr("http.submit_burst", "%d must be at least 1", c.HTTP.SubmitBurst)
	}
	if c.HTTP.ReadBurst < 1 {
		return keyErr("http.read_burst", "%d must be at least 1", c.HTTP.ReadBurst)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"http.read_timeout", c.HTTP.ReadTimeout}, {"http.write_timeout", c.HTTP.WriteTimeout}, {"http.idle_timeout", c.HTTP.IdleTimeout}} {
		if d.v < time.Second || d.v > time.Hour {
			return keyErr(d.key, "%s is outside 1s to 1h", d.v)
		}
	}
	for _, n := range []struct {
		key string
		v   int
	}{{"http.max_connections", c.HTTP.MaxConnections}, {"http.max_connections_per_client", c.HTTP.MaxConnectionsPerClient},
		{"http.max_streams", c.HTTP.MaxStreams}, {"http.max_streams_per_client", c.HTTP.MaxStreamsPerClient}} {
		if n.v < 1 {
			return keyErr(n.key, "%d must be at least 1", n.v)
		}
	}
	if c.Mempool.MaxTxs < 1 {
		return keyErr("mempool.max_txs", "%d must be at least 1", c.Mempool.MaxTxs)
	}
	if c.Mempool.RelayReserve < 0 || c.Mempool.RelayReserve > 90 {
		return keyErr("mempool.relay_reserve", "%d must be a percentage from 0 to 90", c.Mempool.RelayReserve)
	}
	if c.Mempool.MaxBytes < 1 {
		return keyErr("mempool.max_bytes", "%d must be at least 1", c.Mempool.MaxBytes)
	}
	if c.Mempool.FullWait < 0 || c.Mempool.FullWait > 10*time.Second {
		return keyErr("mempool.full_wait", "%s must be from 0 to 10s", c.Mempool.FullWait)
	}
	if c.Mempool.FullWait >= c.HTTP.WriteTimeout {
		return keyErr("mempool.full_wait", "%s must be shorter than http.write_timeout (%s), within which a held request must be answered", c.Mempool.FullWait, c.HTTP.WriteTimeout)
	}
	if c.Mempool.MaxPerSender < 1 {
		return keyErr("mempool.max_per_sender", "%d must be at least 1", c.Mempool.MaxPerSender)
	}
	if err := c.Log.validate(); err != nil {
		return err
	}
	return c.Client.Validate()
}

// Validate checks the client settings.
func (c *Client) Validate() error {
	u, err := url.Parse(c.Node)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return keyErr("client.node", "%q must be an http:// or https:// URL such as %s", c.Node, DefaultNodeURL)
	}
	if c.Key != "" {
		if err := keyring.ValidateName(c.Key); err != nil {
			return keyErr("client.key", "%v", err)
		}
	}
	return nil
}

func validHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q must be host:port, such as %s", s, DefaultHTTPListen)
	}
	_ = host // empty means all interfaces
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: port must be 0 to 65535", s)
	}
	return nil
}

func validLabel(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// TCPAddr is the libp2p TCP multiaddr of host:port (host an IPv4 address).
func TCPAddr(host string, port int) string { return fmt.Sprintf("/ip4/%s/tcp/%d", host, port) }

// QUICAddr is the libp2p QUIC v1 multiaddr of host:port (UDP).
func QUICAddr(host string, port int) string { return fmt.Sprintf("/ip4/%s/udp/%d/quic-v1", host, port) }
