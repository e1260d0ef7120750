package config

import (
	"github.com/spf13/pflag"
)

// Flag names that are not configuration keys.
const (
	FlagHome           = "home"
	FlagJSON           = "json"
	FlagAsync          = "async"
	FlagPassphraseFile = "passphrase-file"
)

// AddHomeFlag registers --home.
func AddHomeFlag(fs *pflag.FlagSet) {
	fs.String(FlagHome, "", "node home directory (default $"+EnvHome+", else ~/.qian)")
}

// AddNodeFlags registers one flag per node setting, named like its key
// (--http.listen, --p2p.peers, --mempool.max_txs, ...).
func AddNodeFlags(fs *pflag.FlagSet) {
	for _, k := range allKeys {
		if !k.client {
			addFlag(fs, k)
		}
	}
}

// AddClientFlags registers --node, --keyring and --key.
func AddClientFlags(fs *pflag.FlagSet) {
	for _, k := range allKeys {
		if k.client {
			addFlag(fs, k)
		}
	}
}

// AddKeyringFlag registers --keyring alone, for commands that use the
// keyring but no node.
func AddKeyringFlag(fs *pflag.FlagSet) {
	for _, k := range allKeys {
		if k.name == "client.keyring" {
			addFlag(fs, k)
		}
	}
}

// AddTxFlags registers --json and --async, for commands that submit
// transactions.
func AddTxFlags(fs *pflag.FlagSet) {
	fs.Bool(FlagJSON, false, "print the outcome as JSON (tx_hash, height, code, ...)")
	fs.Bool(FlagAsync, false, "return once the node accepts the transaction, without waiting for its commit")
}

// AddPassphraseFlag registers --passphrase-file.
func AddPassphraseFlag(fs *pflag.FlagSet) {
	fs.String(FlagPassphraseFile, "", "read the keyring passphrase from the first line of this file (else $QIAN_PASSPHRASE, else a terminal prompt)")
}

func addFlag(fs *pflag.FlagSet, k key) {
	usage := k.usage + " [" + k.env + "]"
	switch k.kind {
	case kindList:
		fs.StringSlice(k.flag, k.def.([]string), usage)
	case kindInt:
		fs.Int64(k.flag, k.def.(int64), usage)
	case kindBool:
		fs.Bool(k.flag, k.def.(bool), usage)
	default:
		fs.String(k.flag, k.def.(string), usage)
	}
}
