package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Render returns c as a commented config.toml. Every key is written, so the
// file documents itself; Load of the result gives back c (Home excepted).
func (c *Config) Render() []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	comment := func(name string) {
		k := lookupKey(name)
		w("# %s [%s, --%s]\n", k.usage, k.env, k.flag)
	}
	w("# Qianchain node configuration. Every key is listed in docs/operations.md.\n")
	w("# Precedence: command-line flag > QIAN_* environment variable > this file > default.\n\n")
	comment("moniker")
	w("moniker = %s\n", quote(c.Moniker))
	comment("role")
	w("role = %s\n", quote(string(c.Role)))

	w("\n[p2p]\n")
	comment("p2p.listen")
	w("listen = %s\n", quoteList(c.P2P.Listen))
	comment("p2p.peers")
	w("peers = %s\n", quoteList(c.P2P.Peers))
	comment("p2p.allowed_peers")
	w("allowed_peers = %s\n", quoteList(c.P2P.AllowedPeers))

	w("\n[http]\n")
	comment("http.listen")
	w("listen = %s\n", quote(c.HTTP.Listen))
	comment("http.submit_rate")
	w("submit_rate = %d\n", c.HTTP.SubmitRate)
	comment("http.submit_burst")
	w("submit_burst = %d\n", c.HTTP.SubmitBurst)
	comment("http.pprof")
	w("pprof = %t\n", c.HTTP.PProf)
	comment("http.submit_limit_loopback")
	w("submit_limit_loopback = %t\n", c.HTTP.SubmitLimitLoopback)
	comment("http.read_rate")
	w("read_rate = %d\n", c.HTTP.ReadRate)
	comment("http.read_burst")
	w("read_burst = %d\n", c.HTTP.ReadBurst)
	comment("http.read_timeout")
	w("read_timeout = %s\n", quote(c.HTTP.ReadTimeout.String()))
	comment("http.write_timeout")
	w("write_timeout = %s\n", quote(c.HTTP.WriteTimeout.String()))
	comment("http.idle_timeout")
	w("idle_timeout = %s\n", quote(c.HTTP.IdleTimeout.String()))
	comment("http.max_connections")
	w("max_connections = %d\n", c.HTTP.MaxConnections)
	comment("http.max_connections_per_client")
	w("max_connections_per_client = %d\n", c.HTTP.MaxConnectionsPerClient)
	comment("http.max_streams")
	w("max_streams = %d\n", c.HTTP.MaxStreams)
	comment("http.max_streams_per_client")
	w("max_streams_per_client = %d\n", c.HTTP.MaxStreamsPerClient)
	comment("http.limit_loopback")
	w("limit_loopback = %t\n", c.HTTP.LimitLoopback)

	w("\n[consensus]\n")
	comment("consensus.empty_block_interval")
	ebi := ""
	if d := c.Consensus.EmptyBlockInterval; d != nil {
		ebi = d.String()
	}
	w("empty_block_interval = %s\n", quote(ebi))
	comment("consensus.min_block_interval")
	w("min_block_interval = %s\n", quote(c.Consensus.MinBlockInterval.String()))

	w("\n[mempool]\n")
	comment("mempool.max_txs")
	w("max_txs = %d\n", c.Mempool.MaxTxs)
	comment("mempool.relay_reserve")
	w("relay_reserve = %d\n", c.Mempool.RelayReserve)
	comment("mempool.full_wait")
	w("full_wait = %s\n", quote(c.Mempool.FullWait.String()))
	comment("mempool.max_bytes")
	w("max_bytes = %d\n", c.Mempool.MaxBytes)
	comment("mempool.max_per_sender")
	w("max_per_sender = %d\n", c.Mempool.MaxPerSender)

	w("\n[storage]\n")
	comment("storage.prune_below")
	w("prune_below = %d\n", c.Storage.PruneBelow)
	comment("storage.archive_urls")
	w("archive_urls = %s\n", quoteList(c.Storage.ArchiveURLs))

	w("\n[statesync]\n")
	comment("statesync.snapshot_interval")
	w("snapshot_interval = %d\n", c.StateSync.SnapshotInterval)
	comment("statesync.snapshot_keep")
	w("snapshot_keep = %d\n", c.StateSync.SnapshotKeep)
	comment("statesync.chunk_size")
	w("chunk_size = %d\n", c.StateSync.ChunkSize)
	comment("statesync.enable")
	w("enable = %t\n", c.StateSync.Enable)
	comment("statesync.discovery_timeout")
	w("discovery_timeout = %s\n", quote(c.StateSync.DiscoveryTimeout.String()))

	w("\n[log]\n")
	comment("log.format")
	w("format = %s\n", quote(c.Log.Format))
	comment("log.level")
	w("level = %s\n", quote(c.Log.Level))

	w("\n# Settings of client commands (qian keys, tx, proof, ...) run with this home.\n[client]\n")
	comment("client.node")
	w("node = %s\n", quote(c.Client.Node))
	comment("client.keyring")
	w("keyring = %s\n", quote(c.Client.Keyring))
	comment("client.key")
	w("key = %s\n", quote(c.Client.Key))
	return b.Bytes()
}

// quote renders a TOML basic string. JSON string escapes are a subset of
// TOML's, so a JSON-encoded string is a valid TOML string.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

func quoteList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	parts := make([]string, len(l))
	for i, s := range l {
		parts[i] = "  " + quote(s) + ","
	}
	return "[\n" + strings.Join(parts, "\n") + "\n]"
}

// WriteFile validates c and writes it to path with mode 0644 (the file holds
// no secrets). It refuses to replace an existing file, so that an
// operator's edits are never lost.
func (c *Config) WriteFile(path string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if _, err := f.Write(c.Render()); err != nil {
		f.Close()
		return fmt.Errorf("write config %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write config %s: %w", path, err)
	}
	return f.Close()
}

// Default returns the default configuration of a node at home.
func Default(home string) *Config {
	c := &Config{Home: home}
	for _, k := range allKeys {
		switch k.name {
		case "moniker":
			c.Moniker = k.def.(string)
		case "role":
			c.Role = Role(k.def.(string))
		case "p2p.listen":
			c.P2P.Listen = append([]string(nil), k.def.([]string)...)
		case "p2p.peers":
			c.P2P.Peers = []string{}
		case "p2p.allowed_peers":
			c.P2P.AllowedPeers = []string{}
		case "http.listen":
			c.HTTP.Listen = k.def.(string)
		case "http.submit_rate":
			c.HTTP.SubmitRate = k.def.(int64)
		case "http.submit_burst":
			c.HTTP.SubmitBurst = k.def.(int64)
		case "http.pprof":
			c.HTTP.PProf = k.def.(bool)
		case "http.submit_limit_loopback":
			c.HTTP.SubmitLimitLoopback = k.def.(bool)
		case "http.read_rate":
			c.HTTP.ReadRate = k.def.(int64)
		case "http.read_burst":
			c.HTTP.ReadBurst = k.def.(int64)
		case "http.read_timeout":
			c.HTTP.ReadTimeout = mustDuration(k.def.(string))
		case "http.write_timeout":
			c.HTTP.WriteTimeout = mustDuration(k.def.(string))
		case "http.idle_timeout":
			c.HTTP.IdleTimeout = mustDuration(k.def.(string))
		case "http.max_connections":
			c.HTTP.MaxConnections = int(k.def.(int64))
		case "http.max_connections_per_client":
			c.HTTP.MaxConnectionsPerClient = int(k.def.(int64))
		case "http.max_streams":
			c.HTTP.MaxStreams = int(k.def.(int64))
		case "http.max_streams_per_client":
			c.HTTP.MaxStreamsPerClient = int(k.def.(int64))
		case "http.limit_loopback":
			c.HTTP.LimitLoopback = k.def.(bool)
		case "consensus.min_block_interval":
			c.Consensus.MinBlockInterval = mustDuration(k.def.(string))
		case "mempool.max_txs":
			c.Mempool.MaxTxs = int(k.def.(int64))
		case "mempool.relay_reserve":
			c.Mempool.RelayReserve = int(k.def.(int64))
		case "mempool.full_wait":
			c.Mempool.FullWait = mustDuration(k.def.(string))
		case "mempool.max_bytes":
			c.Mempool.MaxBytes = k.def.(int64)
		case "mempool.max_per_sender":
			c.Mempool.MaxPerSender = int(k.def.(int64))
		case "storage.prune_below":
			c.Storage.PruneBelow = uint64(k.def.(int64))
		case "storage.archive_urls":
			c.Storage.ArchiveURLs = []string{}
		case "statesync.snapshot_interval":
			c.StateSync.SnapshotInterval = uint64(k.def.(int64))
		case "statesync.snapshot_keep":
			c.StateSync.SnapshotKeep = int(k.def.(int64))
		case "statesync.chunk_size":
			c.StateSync.ChunkSize = int(k.def.(int64))
		case "statesync.enable":
			c.StateSync.Enable = k.def.(bool)
		case "statesync.discovery_timeout":
			c.StateSync.DiscoveryTimeout = mustDuration(k.def.(string))
		case "log.format":
			c.Log.Format = k.def.(string)
		case "log.level":
			c.Log.Level = k.def.(string)
		case "client.node":
			c.Client.Node = k.def.(string)
		}
	}
	return c
}

// mustDuration parses a default from the key table, which a test keeps
// valid.
func mustDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic("config: bad default duration " + s)
	}
	return d
}
