package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// clearEnv unsets every QIAN_* variable the package reads, for the test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range allKeys {
		t.Setenv(k.env, "")
		os.Unsetenv(k.env)
	}
	t.Setenv(EnvHome, "")
	os.Unsetenv(EnvHome)
}

func newFlags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	AddHomeFlag(fs)
	AddNodeFlags(fs)
	AddClientFlags(fs)
	AddTxFlags(fs)
	AddPassphraseFlag(fs)
	return fs
}

func writeFile(t *testing.T, home, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(home, FileName), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPrecedence sets each key in every combination of file, environment
// and flag, and checks that the highest layer set wins:
// flag > env > file > default.
func TestPrecedence(t *testing.T) {
	type layer struct{ file, env, flag string } // TOML value text, env value, flag argument
	keys := []struct {
		key    string
		def    any
		layers layer
		want   [3]any // value from file, env, flag
		get    func(c *Config) any
	}{
		{"http.listen", DefaultHTTPListen, layer{`"127.0.0.1:1001"`, "127.0.0.1:1002", "127.0.0.1:1003"},
			[3]any{"127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003"}, func(c *Config) any { return c.HTTP.Listen }},
		{"mempool.max_txs", 4000, layer{"11", "12", "13"}, [3]any{11, 12, 13}, func(c *Config) any { return c.Mempool.MaxTxs }},
		{"consensus.empty_block_interval", "", layer{`"2s"`, "3s", "4s"}, [3]any{"2s", "3s", "4s"},
			func(c *Config) any {
				if c.Consensus.EmptyBlockInterval == nil {
					return ""
				}
				return c.Consensus.EmptyBlockInterval.String()
			}},
		{"p2p.peers", []string{}, layer{
			`["/ip4/127.0.0.1/tcp/1/p2p/12D3KooWGRUVh7aRHDpr8e2HZA4Gm6shLKG5MWpeYHrhxHUT3hkQ"]`,
			"/ip4/127.0.0.1/tcp/2/p2p/12D3KooWGRUVh7aRHDpr8e2HZA4Gm6shLKG5MWpeYHrhxHUT3hkQ,/ip4/127.0.0.1/udp/2/quic-v1/p2p/12D3KooWGRUVh7aRHDpr8e2HZA4Gm6shLKG5MWpeYHrhxHUT3hkQ",
			"/ip4/127.0.0.1/tcp/3/p2p/12D3KooWGRUVh7aRHDpr8e2HZA4Gm6shLKG5MWpeYHrhxHUT3hkQ"},
			[3]any{
				[]string{"/ip4/127.0.0.1/tcp/1/p2p/12D3KooWGRUVh7aRHDpr8e2HZA4Gm6shLKG5MWpeYHrhxHUT3hkQ"},
				[]string{"/ip4/127.0.0.1/tcp/2/p2p/12D3KooWGRUVh7aRHDpr8e2HZA4Gm6shLKG5MWpeYHrhxHUT3hkQ", "/ip4/127.0.0.1/udp/2/quic-v1/p2p/12D3KooWGRUVh7aRHDpr8e2HZA4Gm6shLKG5MWpeYHrhxHUT3hkQ"},
				[]string{"/ip4/127.0.0.1/tcp/3/p2p/12D3KooWGRUVh7aRHDpr8e2HZA4Gm6shLKG5MWpeYHrhxHUT3hkQ"},
			}, func(c *Config) any { return c.P2P.Peers }},
		{"storage.archive_urls", []string{}, layer{`["https://a.example.org"]`, "https://b.example.org,http://c.example.org:26657", "https://d.example.org/qian"},
			[3]any{[]string{"https://a.example.org"}, []string{"https://b.example.org", "http://c.example.org:26657"}, []string{"https://d.example.org/qian"}},
			func(c *Config) any { return c.Storage.ArchiveURLs }},
		{"log.level", "info", layer{`"warn"`, "error", "debug"}, [3]any{"warn", "error", "debug"}, func(c *Config) any { return c.Log.Level }},
		{"role", "validator", layer{`"observer"`, "validator", "observer"}, [3]any{"observer", "validator", "observer"}, func(c *Config) any { return string(c.Role) }},
		{"client.node", DefaultNodeURL, layer{`"http://127.0.0.1:1"`, "http://127.0.0.1:2", "http://127.0.0.1:3"},
			[3]any{"http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"}, func(c *Config) any { return c.Client.Node }},
		{"client.keyring", "", layer{`"/k/file"`, "/k/env", "/k/flag"}, [3]any{"/k/file", "/k/env", "/k/flag"}, func(c *Config) any { return c.Client.Keyring }},
		{"client.key", "", layer{`"farm"`, "retailer", "inspector"}, [3]any{"farm", "retailer", "inspector"}, func(c *Config) any { return c.Client.Key }},
	}
	for _, k := range keys {
		for mask := 0; mask < 8; mask++ {
			file, env, flag := mask&1 != 0, mask&2 != 0, mask&4 != 0
			name := k.key + "/" + map[bool]string{true: "file", false: "-"}[file] + "," +
				map[bool]string{true: "env", false: "-"}[env] + "," + map[bool]string{true: "flag", false: "-"}[flag]
			t.Run(name, func(t *testing.T) {
				clearEnv(t)
				home := t.TempDir()
				kk := lookupKey(k.key)
				if file {
					section, leaf, nested := strings.Cut(k.key, ".")
					if nested {
						writeFile(t, home, "["+section+"]\n"+leaf+" = "+k.layers.file+"\n")
					} else {
						writeFile(t, home, k.key+" = "+k.layers.file+"\n")
					}
				}
				if env {
					t.Setenv(kk.env, k.layers.env)
				}
				fs := newFlags()
				var args []string
				if flag {
					args = append(args, "--"+kk.flag+"="+k.layers.flag)
				}
				if err := fs.Parse(args); err != nil {
					t.Fatal(err)
				}
				c, err := Load(home, fs)
				if err != nil {
					t.Fatal(err)
				}
				want := k.def
				switch {
				case flag:
					want = k.want[2]
				case env:
					want = k.want[1]
				case file:
					want = k.want[0]
				}
				if got := k.get(c); !reflect.DeepEqual(got, want) {
					t.Fatalf("%s = %#v, want %#v", k.key, got, want)
				}
			})
		}
	}
}

func TestEnvNames(t *testing.T) {
	want := map[string]string{
		"http.listen":                    "QIAN_HTTP_LISTEN",
		"p2p.allowed_peers":              "QIAN_P2P_ALLOWED_PEERS",
		"mempool.max_per_sender":         "QIAN_MEMPOOL_MAX_PER_SENDER",
		"consensus.empty_block_interval": "QIAN_CONSENSUS_EMPTY_BLOCK_INTERVAL",
		"client.node":                    "QIAN_NODE",
		"client.keyring":                 "QIAN_KEYRING",
		"client.key":                     "QIAN_KEY",
	}
	for _, k := range Keys() {
		if w, ok := want[k.Name]; ok && k.Env != w {
			t.Errorf("%s: env %s, want %s", k.Name, k.Env, w)
		}
	}
}

func TestDefaultsMatchLoad(t *testing.T) {
	clearEnv(t)
	home := t.TempDir()
	c, err := Load(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := Default(home); !reflect.DeepEqual(c, d) {
		t.Fatalf("Load with nothing set:\n%+v\nDefault:\n%+v", c, d)
	}
	if c.Consensus.EmptyBlockInterval != nil || c.Consensus.EmptyBlockIntervalOr(time.Second) != time.Second {
		t.Fatal("unset empty_block_interval does not defer to genesis")
	}
}

func TestRenderRoundTrip(t *testing.T) {
	clearEnv(t)
	home := t.TempDir()
	c := Default(home)
	c.Moniker = "node3"
	c.Role = RoleObserver
	c.P2P.Listen = DefaultP2PListen(26686)
	c.P2P.Peers = []string{"/ip4/127.0.0.1/tcp/26656/p2p/12D3KooWGRUVh7aRHDpr8e2HZA4Gm6shLKG5MWpeYHrhxHUT3hkQ"}
	c.P2P.AllowedPeers = []string{"12D3KooWGRUVh7aRHDpr8e2HZA4Gm6shLKG5MWpeYHrhxHUT3hkQ"}
	c.HTTP.Listen = "127.0.0.1:26687"
	d := 250 * time.Millisecond
	c.Consensus.EmptyBlockInterval = &d
	c.Mempool = Mempool{MaxTxs: 5, MaxBytes: 6, MaxPerSender: 7, FullWait: 300 * time.Millisecond}
	c.Log = Log{Format: "json", Level: "debug"}
	c.Client = Client{Node: "http://127.0.0.1:26687", Keyring: "/tmp/k \"quoted\"", Key: "farm"}
	p := c.Paths().ConfigFile()
	if err := c.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	got, err := Load(home, nil)
	if err != nil {
		t.Fatalf("load rendered file: %v\n%s", err, c.Render())
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, c)
	}
	if err := c.WriteFile(p); !errors.Is(err, os.ErrExist) {
		t.Fatalf("second WriteFile: %v, want ErrExist", err)
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("config.toml mode %04o", fi.Mode().Perm())
	}
}

func TestBadValuesNameKeyAndSource(t *testing.T) {
	cases := []struct {
		name   string
		file   string
		env    map[string]string
		args   []string
		key    string
		source string
	}{
		{name: "int from env", env: map[string]string{"QIAN_MEMPOOL_MAX_TXS": "many"}, key: "mempool.max_txs", source: "QIAN_MEMPOOL_MAX_TXS"},
		{name: "octal-looking int is decimal or nothing", env: map[string]string{"QIAN_MEMPOOL_MAX_TXS": "0x10"}, key: "mempool.max_txs"},
		{name: "float in file", file: "[mempool]\nmax_txs = 1.5\n", key: "mempool.max_txs", source: "config.toml"},
		{name: "zero max txs", file: "[mempool]\nmax_txs = 0\n", key: "mempool.max_txs"},
		{name: "relay reserve over 90 percent", file: "[mempool]\nrelay_reserve = 91\n", key: "mempool.relay_reserve"},
		{name: "negative relay reserve", env: map[string]string{"QIAN_MEMPOOL_RELAY_RESERVE": "-1"}, key: "mempool.relay_reserve"},
		{name: "negative bytes", args: []string{"--mempool.max_bytes=-1"}, key: "mempool.max_bytes"},
		{name: "full wait over 10s", file: "[mempool]\nfull_wait = \"11s\"\n", key: "mempool.full_wait"},
		{name: "negative full wait", env: map[string]string{"QIAN_MEMPOOL_FULL_WAIT": "-1s"}, key: "mempool.full_wait"},
		{name: "full wait past the write timeout", file: "[http]\nwrite_timeout = \"2s\"\n[mempool]\nfull_wait = \"2s\"\n", key: "mempool.full_wait"},
		{name: "duration", env: map[string]string{"QIAN_CONSENSUS_EMPTY_BLOCK_INTERVAL": "soon"}, key: "consensus.empty_block_interval", source: "QIAN_CONSENSUS_EMPTY_BLOCK_INTERVAL"},
		{name: "duration negative", args: []string{"--consensus.empty_block_interval=-1s"}, key: "consensus.empty_block_interval"},
		{name: "duration as number", file: "[consensus]\nempty_block_interval = 1\n", key: "consensus.empty_block_interval"},
		{name: "role", env: map[string]string{"QIAN_ROLE": "miner"}, key: "role"},
		{name: "moniker", args: []string{"--moniker=a b"}, key: "moniker"},
		{name: "listen empty", file: "[p2p]\nlisten = []\n", key: "p2p.listen"},
		{name: "listen not multiaddr", args: []string{"--p2p.listen=127.0.0.1:1"}, key: "p2p.listen"},
		{name: "listen with peer id", args: []string{"--p2p.listen=/ip4/127.0.0.1/tcp/1/p2p/12D3KooWGRUVh7aRHDpr8e2HZA4Gm6shLKG5MWpeYHrhxHUT3hkQ"}, key: "p2p.listen"},
		{name: "peer without id", env: map[string]string{"QIAN_P2P_PEERS": "/ip4/127.0.0.1/tcp/1"}, key: "p2p.peers"},
		{name: "allowed peer garbage", file: "[p2p]\nallowed_peers = [\"bob\"]\n", key: "p2p.allowed_peers"},
		{name: "allowed peer not string", file: "[p2p]\nallowed_peers = [1]\n", key: "p2p.allowed_peers"},
		{name: "http listen", args: []string{"--http.listen=localhost"}, key: "http.listen"},
		{name: "http port", args: []string{"--http.listen=127.0.0.1:70000"}, key: "http.listen"},
		{name: "log format", env: map[string]string{"QIAN_LOG_FORMAT": "xml"}, key: "log.format"},
		{name: "log level", file: "[log]\nlevel = \"loud\"\n", key: "log.level"},
		{name: "node URL", env: map[string]string{"QIAN_NODE": "127.0.0.1:26657"}, key: "client.node"},
		{name: "key name", args: []string{"--key=../x"}, key: "client.key"},
		{name: "string as table", file: "[http.listen]\nx = 1\n", key: "http.listen"},
		{name: "read timeout empty", env: map[string]string{"QIAN_HTTP_READ_TIMEOUT": " "}, key: "http.read_timeout"},
		{name: "write timeout zero", file: "[http]\nwrite_timeout = \"0s\"\n", key: "http.write_timeout"},
		{name: "idle timeout over an hour", args: []string{"--http.idle_timeout=2h"}, key: "http.idle_timeout"},
		{name: "no connections", env: map[string]string{"QIAN_HTTP_MAX_CONNECTIONS": "0"}, key: "http.max_connections"},
		{name: "no streams per client", args: []string{"--http.max_streams_per_client=0"}, key: "http.max_streams_per_client"},
		{name: "read burst", file: "[http]\nread_burst = 0\n", key: "http.read_burst"},
		{name: "archive URL without scheme", file: "[storage]\narchive_urls = [\"archive.example.org\"]\n", key: "storage.archive_urls"},
		{name: "archive URL not http", env: map[string]string{"QIAN_STORAGE_ARCHIVE_URLS": "https://a.example.org,ftp://b.example.org"}, key: "storage.archive_urls"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			home := t.TempDir()
			if c.file != "" {
				writeFile(t, home, c.file)
			}
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			fs := newFlags()
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			_, err := Load(home, fs)
			if err == nil {
				t.Fatal("Load accepted a bad value")
			}
			if !strings.Contains(err.Error(), c.key) {
				t.Errorf("error %q does not name %s", err, c.key)
			}
			if c.source != "" && !strings.Contains(err.Error(), c.source) {
				t.Errorf("error %q does not name the source %s", err, c.source)
			}
		})
	}
}

func TestFileErrors(t *testing.T) {
	clearEnv(t)
	for name, text := range map[string]string{
		"unknown key":       "[p2p]\nlisten_addr = \"x\"\n",
		"unknown section":   "[rpc]\nladdr = \"x\"\n",
		"toml syntax error": "[p2p\n",
	} {
		home := t.TempDir()
		writeFile(t, home, text)
		_, err := Load(home, nil)
		if err == nil || !strings.Contains(err.Error(), FileName) {
			t.Errorf("%s: err = %v, want an error naming config.toml", name, err)
		}
	}
}

func TestResolveHome(t *testing.T) {
	clearEnv(t)
	fs := newFlags()
	fs.Parse(nil)
	if got := ResolveHome(fs); got != DefaultHome() {
		t.Errorf("default home %s", got)
	}
	t.Setenv(EnvHome, "/from/env")
	if got := ResolveHome(fs); got != "/from/env" {
		t.Errorf("env home %s", got)
	}
	fs.Parse([]string{"--home=/from/flag"})
	if got := ResolveHome(fs); got != "/from/flag" {
		t.Errorf("flag home %s", got)
	}
}

// A client command keeps working when a node setting it does not read is
// broken, and resolves the default keyring under the home.
func TestLoadClient(t *testing.T) {
	clearEnv(t)
	home := t.TempDir()
	writeFile(t, home, "[mempool]\nmax_txs = 0\n[client]\nkey = \"farm\"\n")
	t.Setenv("QIAN_LOG_LEVEL", "loud")
	fs := newFlags()
	fs.Parse([]string{"--json", "--passphrase-file=/p"})
	c, err := LoadClient(home, fs)
	if err != nil {
		t.Fatal(err)
	}
	want := &Client{Node: DefaultNodeURL, Keyring: filepath.Join(home, "keyring"), Key: "farm", JSON: true, PassphraseFile: "/p"}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("LoadClient = %+v, want %+v", c, want)
	}
	t.Setenv("QIAN_NODE", "ftp://x")
	if _, err := LoadClient(home, fs); err == nil || !strings.Contains(err.Error(), "client.node") {
		t.Fatalf("bad QIAN_NODE: %v", err)
	}
}

// RelayReserveTxs is the reserve's percent of max_txs, rounded down, and
// always leaves clients at least one transaction.
func TestRelayReserveTxs(t *testing.T) {
	for _, c := range []struct{ maxTxs, percent, want int }{
		{4000, 25, 1000}, {4000, 0, 0}, {11, 25, 2}, {1, 90, 0}, {2, 90, 1}, {10, 90, 9}, {5000, 20, 1000},
	} {
		if got := (Mempool{MaxTxs: c.maxTxs, RelayReserve: c.percent}).RelayReserveTxs(); got != c.want {
			t.Errorf("%d%% of %d = %d, want %d", c.percent, c.maxTxs, got, c.want)
		}
	}
}
