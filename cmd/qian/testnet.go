package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/localnet"
)

func newTestnetCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testnet --out DIR",
		Short: "Write the files of a local network: validator and observer homes, genesis, demo keyring",
		Long: `Write a local network into DIR (which must be absent or empty):

  DIR/genesis.json   the validators and the eight demo organisations
  DIR/node0 ...      one home per validator (config.toml, genesis.json, keys/)
  DIR/observer       an observer home (role observer), admitted by every validator
  DIR/keys           a keyring with one admin account per demo organisation, named
                     after its role: farm, cooperative, processor, logistics,
                     retailer, inspector, regulator, data_exchange

The accounts are encrypted with the passphrase from --passphrase-file, else
QIAN_PASSPHRASE, else a terminal prompt; without one the command refuses to run.
Node i listens on 127.0.0.1: libp2p TCP and QUIC on BASE+10i, HTTP on BASE+10i+1.`,
		Args: args(0, "no arguments (use --out DIR)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			out, _ := f.GetString("out")
			if out == "" {
				return usagef("testnet needs --out DIR")
			}
			vals, _ := f.GetInt("validators")
			obs, _ := f.GetInt("observers")
			chainID, _ := f.GetString("chain-id")
			base, _ := f.GetInt("base-port")
			passFile, _ := f.GetString(config.FlagPassphraseFile)
			opts := localnet.TestnetOptions{Dir: out, Validators: vals, Observers: obs, ChainID: chainID, BasePort: base, KeyringOptions: e.keyringOpts}
			// Check everything but the passphrase before asking for it.
			probe := opts
			probe.Passphrase = []byte("x")
			if err := localnet.CheckTestnetOptions(probe); err != nil {
				return err
			}
			pass, err := keyring.PassphraseSource{File: passFile, Env: keyring.EnvPassphrase, Prompter: e.prompter, What: "keyring"}.Get(true)
			if err != nil {
				return err
			}
			opts.Passphrase = pass
			tn, err := localnet.CreateTestnet(opts)
			if err != nil {
				return err
			}
			w := e.stdout
			fmt.Fprintf(w, "testnet %s written to %s\n", tn.ChainID, tn.Dir)
			fmt.Fprintf(w, "genesis: %s\ngenesis hash: %s\n\n", tn.GenesisFile, tn.GenesisHash)
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NODE\tROLE\tHOME\tP2P\tHTTP")
			for _, n := range tn.Nodes {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", n.Name, n.Role, n.Home, n.P2PAddrs()[0], n.HTTPURL())
			}
			tw.Flush()
			fmt.Fprintf(w, "\naccounts in %s (one admin per demo organisation):\n", tn.KeyringDir)
			tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			for _, a := range tn.Accounts {
				fmt.Fprintf(tw, "  %s\t%s\n", a.Name, a.PublicKey)
			}
			tw.Flush()
			return nil
		},
	}
	f := cmd.Flags()
	f.String("out", "", "output directory (required; must be absent or empty)")
	f.Int("validators", 4, fmt.Sprintf("number of validators, 1 to %d", localnet.MaxTestnetValidators))
	f.Int("observers", 1, fmt.Sprintf("number of observer nodes, 0 to %d", localnet.MaxTestnetObservers))
	f.String("chain-id", localnet.DefaultTestnetChainID, "chain id")
	f.Int("base-port", localnet.DefaultBasePort, "first port; node i uses BASE+10i (libp2p TCP and QUIC) and BASE+10i+1 (HTTP)")
	config.AddPassphraseFlag(f)
	return cmd
}
