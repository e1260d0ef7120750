package config

import (
	"strconv"
	"strings"
)

// EnvPrefix starts every environment variable the program reads.
const EnvPrefix = "QIAN"

// Defaults of a single local node. `qian testnet` derives its own ports from
// --base-port; the client default points at a node made by `qian init`.
const (
	DefaultP2PPort    = 26656
	DefaultHTTPListen = "127.0.0.1:26657"
	DefaultNodeURL    = "http://127.0.0.1:26657"
)

// kind says how a key's value is parsed.
type kind int

const (
	kindString kind = iota
	kindList        // TOML array, repeated or comma-separated flag, comma-separated env
	kindInt
	kindDuration // "1s", "500ms"; "" means unset
	kindBool     // true or false
)

// key is one configuration key.
type key struct {
	name   string // dotted key in config.toml
	kind   kind
	def    any    // default: string, []string, int64
	flag   string // flag name
	env    string // environment variable
	client bool   // read by client commands (LoadClient) rather than the node
	usage  string
}

// DefaultP2PListen is the default libp2p listen addresses: TCP and QUIC on
// the same port of the loopback interface.
func DefaultP2PListen(port int) []string {
	return []string{TCPAddr("127.0.0.1", port), QUICAddr("127.0.0.1", port)}
}

// allKeys are every setting, in config.toml order.
var allKeys = []key{
	{name: "moniker", kind: kindString, def: "node", usage: "name of this node in logs and in genesis"},
	{name: "role", kind: kindString, def: string(RoleValidator), usage: "validator (signs with keys/validator.key) or observer (follows the chain)"},
	{name: "p2p.listen", kind: kindList, def: DefaultP2PListen(DefaultP2PPort), usage: "libp2p listen multiaddrs (TCP and QUIC)"},
	{name: "p2p.peers", kind: kindList, def: []string{}, usage: "peers to dial besides the genesis validators, or genesis validators by another route: multiaddrs ending in /p2p/<peer id>"},
	{name: "p2p.allowed_peers", kind: kindList, def: []string{}, usage: "peer ids admitted besides the chain's validators and the genesis observers (e.g. a lab's observers)"},
	{name: "http.listen", kind: kindString, def: DefaultHTTPListen, usage: "HTTP API listen address, host:port"},
	{name: "http.submit_rate", kind: kindInt, def: int64(200), usage: "transactions per second each client IP may submit (token bucket refill); 0 or negative disables the limit"},
	{name: "http.submit_burst", kind: kindInt, def: int64(2000), usage: "token bucket size of the submission limit"},
	{name: "http.pprof", kind: kindBool, def: false, usage: "serve Go's profiler at /debug/pprof/ on the HTTP address (for operators profiling a node; off by default)"},
	{name: "http.submit_limit_loopback", kind: kindBool, def: false, usage: "apply the submission limit to clients on this host too (off: local tools and qian bench are never throttled)"},
	{name: "http.read_rate", kind: kindInt, def: int64(20), usage: "GET and HEAD requests per second each client may make (token bucket refill); 0 or negative disables the limit"},
	{name: "http.read_burst", kind: kindInt, def: int64(100), usage: "token bucket size of the read limit"},
	{name: "http.read_timeout", kind: kindDuration, def: "30s", usage: "time a client has to send a whole request, body included"},
	{name: "http.write_timeout", kind: kindDuration, def: "60s", usage: "time to answer a request, counted from its headers (so above http.read_timeout); on the event stream, time to write each event"},
	{name: "http.idle_timeout", kind: kindDuration, def: "60s", usage: "how long an idle keep-alive connection stays open"},
	{name: "http.max_connections", kind: kindInt, def: int64(2048), usage: "most HTTP connections open at once; more are closed as they arrive"},
	{name: "http.max_connections_per_client", kind: kindInt, def: int64(64), usage: "most HTTP connections open at once from one client (an IPv4 address or an IPv6 /64)"},
	{name: "http.max_streams", kind: kindInt, def: int64(256), usage: "most event-stream (/v1/events) subscribers at once; more get 503 ERR_TOO_MANY_STREAMS"},
	{name: "http.max_streams_per_client", kind: kindInt, def: int64(8), usage: "most event-stream subscribers at once from one client"},
	{name: "http.limit_loopback", kind: kindBool, def: false, usage: "apply the per-client read limit and connection and stream caps to clients on this host too"},
	{name: "consensus.empty_block_interval", kind: kindDuration, def: "", usage: "override genesis consensus.empty_block_interval on this node (\"\" uses genesis)"},
	{name: "consensus.min_block_interval", kind: kindDuration, def: "100ms", usage: "as proposer, wait this long after the last commit before proposing a block that is not full (fewer, larger heights under load; 0 proposes at once)"},
	{name: "mempool.max_txs", kind: kindInt, def: int64(4_000), usage: "most transactions waiting in the mempool: what bounds an admitted transaction's wait when clients offer more than the network commits (about max_txs ÷ its rate; later ones get ERR_MEMPOOL_FULL and retry). On a validator alone in its set the block it proposed does not count until a block commits, so its mempool holds at most one block more"},
	{name: "mempool.relay_reserve", kind: kindInt, def: int64(25), usage: "percent of mempool.max_txs that only transactions relayed by validators may fill: clients are refused ERR_MEMPOOL_FULL at the rest, so that under overload what one validator admits still reaches the others' mempools and the next proposer, whoever it is, can include it (0 to 90; none on a validator alone in its set, which nobody relays to)"},
	{name: "mempool.full_wait", kind: kindDuration, def: "1s", usage: "how long a client's submission waits for room in a mempool full for clients before it is refused ERR_MEMPOOL_FULL: a commit frees room (one block's interval under load), and a client held meanwhile sends nothing again; 0 refuses at once (0 to 10s)"},
	{name: "mempool.max_bytes", kind: kindInt, def: int64(64 << 20), usage: "most bytes of transactions the mempool holds"},
	{name: "mempool.max_per_sender", kind: kindInt, def: int64(100), usage: "most pending transactions of one sender"},
	{name: "storage.prune_below", kind: kindInt, def: int64(0), usage: "delete block bodies and results below this height once the node has committed it, keeping headers, certificates and validator-set history (0: keep every block; an archive node keeps 0)"},
	{name: "storage.archive_urls", kind: kindList, def: []string{}, usage: "base URLs of the HTTP API of archive nodes (nodes that keep every block) that this node names in its ERR_PRUNED answers for heights it does not hold, e.g. https://archive.example.org (empty: the answer says that no archive node is configured)"},
	{name: "statesync.snapshot_interval", kind: kindInt, def: int64(0), usage: "write a snapshot of the state after every height that is a multiple of this, in the background, into data/snapshots (0: none)"},
	{name: "statesync.snapshot_keep", kind: kindInt, def: int64(2), usage: "how many of the newest snapshots data/snapshots keeps"},
	{name: "statesync.chunk_size", kind: kindInt, def: int64(8 << 20), usage: "chunk size in bytes of the snapshots this node makes (at least 4096; peers fetch one chunk per request)"},
	{name: "statesync.enable", kind: kindBool, def: false, usage: "when the store is empty, join from a snapshot the peers offer (verified from genesis) instead of block-syncing from genesis"},
	{name: "statesync.discovery_timeout", kind: kindDuration, def: "30s", usage: "with statesync.enable, how long the node asks its peers for a snapshot that verifies before it block-syncs from genesis instead"},
	{name: "log.format", kind: kindString, def: "text", usage: "log format: text or json"},
	{name: "log.level", kind: kindString, def: "info", usage: "log level: debug, info, warn or error"},
	{name: "client.node", kind: kindString, def: DefaultNodeURL, flag: "node", env: "QIAN_NODE", client: true, usage: "URL of the node's HTTP API"},
	{name: "client.keyring", kind: kindString, def: "", flag: "keyring", env: "QIAN_KEYRING", client: true, usage: "account keyring directory (default HOME/keyring)"},
	{name: "client.key", kind: kindString, def: "", flag: "key", env: "QIAN_KEY", client: true, usage: "name of the account key that signs"},
}

func init() {
	for i := range allKeys {
		k := &allKeys[i]
		if k.flag == "" {
			k.flag = k.name
		}
		if k.env == "" {
			k.env = EnvName(k.name)
		}
	}
}

// EnvName is the environment variable of a node key: QIAN_ and the key in
// upper case with dots as underscores.
func EnvName(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Key describes one configuration key, for documentation and help.
type Key struct {
	Name    string // key in config.toml
	Flag    string // command-line flag, without the dashes
	Env     string // environment variable
	Default string // rendered default
	Client  bool   // a client setting
	Usage   string
}

// Keys lists every configuration key in config.toml order.
func Keys() []Key {
	out := make([]Key, len(allKeys))
	for i, k := range allKeys {
		out[i] = Key{Name: k.name, Flag: k.flag, Env: k.env, Default: renderDefault(k), Client: k.client, Usage: k.usage}
	}
	return out
}

func renderDefault(k key) string {
	switch v := k.def.(type) {
	case []string:
		return strings.Join(v, ",")
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	return ""
}
