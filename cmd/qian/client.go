package main

import (
	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/config"
)

// Helpers for client commands (tx, proof, status, ...): they register the
// shared flags and resolve them the same way everywhere.

// addClientFlags registers --node, --keyring, --key and --passphrase-file
// on cmd, and --json and --async when it submits transactions.
func addClientFlags(cmd *cobra.Command, submitsTx bool) {
	config.AddClientFlags(cmd.Flags())
	config.AddPassphraseFlag(cmd.Flags())
	if submitsTx {
		config.AddTxFlags(cmd.Flags())
	}
}

// loadClient resolves the client settings of cmd: flags, then QIAN_NODE,
// QIAN_KEYRING, QIAN_KEY, then [client] in the home's config.toml.
func loadClient(cmd *cobra.Command) (*config.Client, error) {
	return config.LoadClient(config.ResolveHome(cmd.Flags()), cmd.Flags())
}

// unlockSigner unlocks the --key account with the client's passphrase
// source.
func unlockSigner(e *env, c *config.Client) (ledger.PrivateKey, error) {
	return c.UnlockKey(e.prompter, e.keyringOpts...)
}
