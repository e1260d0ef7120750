package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/localnet"
)

func newInitCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a home that starts a chain of one organisation and one validator",
		Long: `Create a node home (--home, else QIAN_HOME, else ~/.qian) that qian start runs at
once: a single-organisation chain. It is the founding ceremony of one (see
qian consortium): keys/node.key and keys/validator.key (unencrypted, mode 0600), the
organisation's admin account in HOME/keyring (named after --org, sealed with the
keyring passphrase from --passphrase-file, QIAN_PASSPHRASE or a prompt), config.toml
(client commands sign with that account), and genesis.json naming this node as the
only validator and the organisation as the only founding member. By default the
organisation is "local", with every role. An existing home is never overwritten.

To found a chain with other organisations, use qian consortium request instead.`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			chainID, _ := f.GetString("chain-id")
			moniker, _ := f.GetString("moniker")
			org, err := orgFromFlags(f)
			if err != nil {
				return err
			}
			passFile, _ := f.GetString(config.FlagPassphraseFile)
			m, doc, err := localnet.Init(localnet.InitOptions{
				Home: config.ResolveHome(f), ChainID: chainID, Moniker: moniker, Org: org,
				Passphrase:     keyring.PassphraseSource{File: passFile, Env: keyring.EnvPassphrase, Prompter: e.prompter, What: "keyring"}.Get,
				KeyringOptions: e.keyringOpts,
			})
			if err != nil {
				return err
			}
			v := doc.Validators[0]
			fmt.Fprintf(e.stdout, "initialised node %s in %s\n", v.Name, m.Home)
			fmt.Fprintf(e.stdout, "chain id:      %s\n", doc.ChainID)
			fmt.Fprintf(e.stdout, "genesis hash:  %s\n", doc.Hash())
			fmt.Fprintf(e.stdout, "organisation:  %s (%s)\n", doc.Organisations[0].ID, doc.Organisations[0].Name)
			fmt.Fprintf(e.stdout, "admin account: %s %s (in %s)\n", m.Account.Name, m.Account.PublicKey, config.Paths{Home: m.Home}.KeyringDir())
			fmt.Fprintf(e.stdout, "validator key: %s\n", v.PubKey)
			fmt.Fprintf(e.stdout, "p2p:           %s/p2p/%s\n", v.Addresses[0], v.PeerID)
			fmt.Fprintf(e.stdout, "http:          %s\n", config.DefaultNodeURL)
			fmt.Fprintf(e.stdout, "start it with: qian start --home %s\n", m.Home)
			return nil
		},
	}
	f := cmd.Flags()
	f.String("chain-id", localnet.DefaultInitChainID, "chain id: 1 to 64 characters of a-z, 0-9, '.', '_' and '-'")
	f.String("moniker", localnet.DefaultMoniker, "name of this node and its validator")
	addOrgFlags(f, localnet.DefaultInitOrgID, localnet.DefaultInitOrgName)
	config.AddPassphraseFlag(f)
	return cmd
}
