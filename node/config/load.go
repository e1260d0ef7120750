package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// EnvHome names the home directory when --home is not given.
const EnvHome = "QIAN_HOME"

// DefaultHome is $HOME/.qian.
func DefaultHome() string {
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".qian")
	}
	return ".qian"
}

// ResolveHome returns the home directory: the --home flag if set, else
// QIAN_HOME, else DefaultHome. flags may be nil.
func ResolveHome(flags *pflag.FlagSet) string {
	if flags != nil {
		if f := flags.Lookup("home"); f != nil && f.Changed && f.Value.String() != "" {
			return f.Value.String()
		}
	}
	if h := os.Getenv(EnvHome); h != "" {
		return h
	}
	return DefaultHome()
}

// Load reads the configuration of the node at home: config.toml there (if
// present), QIAN_* environment variables and the flags in flags (which may
// be nil; flags registered by AddNodeFlags, AddClientFlags, AddTxFlags and
// AddPassphraseFlag are read), then validates it.
func Load(home string, flags *pflag.FlagSet) (*Config, error) {
	v, err := newViper(home, flags)
	if err != nil {
		return nil, err
	}
	c := &Config{Home: home}
	r := reader{v: v, flags: flags}
	c.Moniker = r.str("moniker")
	c.Role = Role(r.str("role"))
	c.P2P.Listen = r.list("p2p.listen")
	c.P2P.Peers = r.list("p2p.peers")
	c.P2P.AllowedPeers = r.list("p2p.allowed_peers")
	c.HTTP.Listen = r.str("http.listen")
	c.HTTP.SubmitRate = r.int("http.submit_rate")
	c.HTTP.SubmitBurst = r.int("http.submit_burst")
	c.HTTP.SubmitLimitLoopback = r.bool("http.submit_limit_loopback")
	c.HTTP.ReadRate = r.int("http.read_rate")
	c.HTTP.ReadBurst = r.int("http.read_burst")
	c.HTTP.ReadTimeout = r.requiredDuration("http.read_timeout")
	c.HTTP.WriteTimeout = r.requiredDuration("http.write_timeout")
	c.HTTP.IdleTimeout = r.requiredDuration("http.idle_timeout")
	c.HTTP.MaxConnections = int(r.int("http.max_connections"))
	c.HTTP.MaxConnectionsPerClient = int(r.int("http.max_connections_per_client"))
	c.HTTP.MaxStreams = int(r.int("http.max_streams"))
	c.HTTP.MaxStreamsPerClient = int(r.int("http.max_streams_per_client"))
	c.HTTP.LimitLoopback = r.bool("http.limit_loopback")
	c.HTTP.PProf = r.bool("http.pprof")
	c.Consensus.EmptyBlockInterval = r.duration("consensus.empty_block_interval")
	if d := r.duration("consensus.min_block_interval"); d != nil {
		c.Consensus.MinBlockInterval = *d
	}
	c.Mempool.MaxTxs = int(r.int("mempool.max_txs"))
	c.Mempool.RelayReserve = int(r.int("mempool.relay_reserve"))
	c.Mempool.MaxBytes = r.int("mempool.max_bytes")
	c.Mempool.MaxPerSender = int(r.int("mempool.max_per_sender"))
	c.Mempool.FullWait = r.requiredDuration("mempool.full_wait")
	c.Storage.PruneBelow = uint64(max(r.int("storage.prune_below"), 0))
	c.Storage.ArchiveURLs = r.list("storage.archive_urls")
	c.StateSync.SnapshotInterval = uint64(max(r.int("statesync.snapshot_interval"), 0))
	c.StateSync.SnapshotKeep = int(max(r.int("statesync.snapshot_keep"), 1))
	c.StateSync.ChunkSize = int(max(r.int("statesync.chunk_size"), 4096))
	c.StateSync.Enable = r.bool("statesync.enable")
	c.StateSync.DiscoveryTimeout = r.requiredDuration("statesync.discovery_timeout")
	c.Log.Format = r.str("log.format")
	c.Log.Level = r.str("log.level")
	c.Client = r.client(flags)
	if r.err != nil {
		return nil, r.err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadClient reads only the client settings, from the same sources as Load,
// so that a client command is not stopped by a node setting it does not use.
// The result's Keyring is resolved: HOME/keyring when unset.
func LoadClient(home string, flags *pflag.FlagSet) (*Client, error) {
	v, err := newViper(home, flags)
	if err != nil {
		return nil, err
	}
	r := reader{v: v, flags: flags}
	c := r.client(flags)
	if r.err != nil {
		return nil, r.err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Keyring == "" {
		c.Keyring = Paths{Home: home}.KeyringDir()
	}
	return &c, nil
}

// newViper layers the sources for every key: defaults, then config.toml,
// then the environment, then flags that were set.
func newViper(home string, flags *pflag.FlagSet) (*viper.Viper, error) {
	v := viper.New()
	file := Paths{Home: home}.ConfigFile()
	switch _, err := os.Stat(file); {
	case err == nil:
		v.SetConfigFile(file)
		v.SetConfigType("toml")
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("config: read %s: %w", file, err)
		}
		// Only the file has been read so far, so AllKeys are its keys.
		for _, k := range v.AllKeys() {
			if lookupKey(k) == nil {
				return nil, fmt.Errorf("config: %s: unknown key %q (docs/operations.md lists the keys)", file, k)
			}
		}
	case errors.Is(err, fs.ErrNotExist):
		// No file: defaults, environment and flags only.
	default:
		return nil, fmt.Errorf("config: %w", err)
	}
	for _, k := range allKeys {
		v.SetDefault(k.name, k.def)
		if err := v.BindEnv(k.name, k.env); err != nil {
			return nil, err
		}
		if flags != nil {
			if f := flags.Lookup(k.flag); f != nil {
				if err := v.BindPFlag(k.name, f); err != nil {
					return nil, err
				}
			}
		}
	}
	return v, nil
}

func lookupKey(name string) *key {
	for i := range allKeys {
		if allKeys[i].name == name {
			return &allKeys[i]
		}
	}
	return nil
}

// reader converts raw viper values strictly; the first error sticks.
type reader struct {
	v     *viper.Viper
	flags *pflag.FlagSet
	err   error
}

func (r *reader) fail(name, format string, args ...any) {
	if r.err == nil {
		r.err = &Error{Key: name, Reason: fmt.Sprintf(format, args...) + r.source(name)}
	}
}

// source names where a key's value came from, for error messages.
func (r *reader) source(name string) string {
	k := lookupKey(name)
	if r.flags != nil {
		if f := r.flags.Lookup(k.flag); f != nil && f.Changed {
			return " (from --" + k.flag + ")"
		}
	}
	if v, ok := os.LookupEnv(k.env); ok && v != "" {
		return " (from " + k.env + ")"
	}
	if r.v.InConfig(name) {
		return " (from " + r.v.ConfigFileUsed() + ")"
	}
	return ""
}

func (r *reader) str(name string) string {
	switch x := r.v.Get(name).(type) {
	case string:
		return x
	default:
		r.fail(name, "must be a string, got %T %v", x, x)
		return ""
	}
}

func (r *reader) list(name string) []string {
	var out []string
	switch x := r.v.Get(name).(type) {
	case []string:
		out = x
	case []any:
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				r.fail(name, "entry %d must be a string, got %T %v", i, e, e)
				return nil
			}
			out = append(out, s)
		}
	case string:
		out = strings.Split(x, ",")
	default:
		r.fail(name, "must be a list of strings, got %T %v", x, x)
		return nil
	}
	clean := []string{}
	for _, s := range out {
		if s = strings.TrimSpace(s); s != "" {
			clean = append(clean, s)
		}
	}
	return clean
}

func (r *reader) int(name string) int64 {
	switch x := r.v.Get(name).(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			r.fail(name, "%q is not a whole decimal number", x)
		}
		return n
	default:
		r.fail(name, "must be a whole number, got %T %v", x, x)
		return 0
	}
}

func (r *reader) bool(name string) bool {
	switch x := r.v.Get(name).(type) {
	case bool:
		return x
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		if err != nil {
			r.fail(name, "%q is not true or false", x)
		}
		return b
	default:
		r.fail(name, "must be true or false, got %T %v", x, x)
		return false
	}
}

func (r *reader) duration(name string) *time.Duration {
	x, ok := r.v.Get(name).(string)
	if !ok {
		r.fail(name, "must be a duration string such as \"1s\", got %T %v", r.v.Get(name), r.v.Get(name))
		return nil
	}
	if strings.TrimSpace(x) == "" {
		return nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(x))
	if err != nil {
		r.fail(name, "%q is not a duration such as \"1s\" or \"500ms\"", x)
		return nil
	}
	return &d
}

// requiredDuration reads a duration key that has a default and may not be
// left empty.
func (r *reader) requiredDuration(name string) time.Duration {
	d := r.duration(name)
	if d == nil {
		if r.err == nil {
			r.fail(name, "must be a duration such as \"30s\", not empty")
		}
		return 0
	}
	return *d
}

func (r *reader) client(flags *pflag.FlagSet) Client {
	c := Client{
		Node:    r.str("client.node"),
		Keyring: r.str("client.keyring"),
		Key:     r.str("client.key"),
	}
	if flags != nil {
		c.JSON, _ = flags.GetBool(FlagJSON)
		c.Async, _ = flags.GetBool(FlagAsync)
		c.PassphraseFile, _ = flags.GetString(FlagPassphraseFile)
	}
	return c
}
