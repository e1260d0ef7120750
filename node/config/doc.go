// Package config is a node's configuration and the layout of its home
// directory, plus the settings shared by client commands.
//
// A value is taken from the first of these that sets it:
//
//  1. a command-line flag (named like the key: --http.listen; client
//     settings: --node, --keyring, --key);
//  2. an environment variable: QIAN_ and the key in upper case with dots
//     as underscores (QIAN_HTTP_LISTEN, QIAN_MEMPOOL_MAX_TXS); client
//     settings: QIAN_NODE, QIAN_KEYRING, QIAN_KEY;
//  3. config.toml in the home directory;
//  4. the default.
//
// The keys are listed once, in keys.go; flags, environment names, defaults,
// the rendered config.toml and docs/operations.md all follow that table.
// Values are parsed strictly: a malformed value, an unknown key in
// config.toml or an empty required value is an error naming the key and
// where it came from, never a silent zero.
//
// Home layout (see Paths):
//
//	HOME/config.toml        this configuration
//	HOME/genesis.json       the chain's genesis document
//	HOME/keys/node.key      libp2p identity (node/nodekey), 0600
//	HOME/keys/validator.key consensus key (node/nodekey), 0600
//	HOME/data/              the Pebble store
//	HOME/keyring/           default account keyring for client commands
package config
