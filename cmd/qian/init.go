package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/localnet"
)

func newInitCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a single-node home with its own one-validator genesis",
		Long: `Create a node home (--home, else QIAN_HOME, else ~/.qian) holding config.toml,
genesis.json naming this node as the only validator, and keys/node.key and
keys/validator.key (unencrypted, mode 0600). An existing home is never overwritten.`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			chainID, _ := cmd.Flags().GetString("chain-id")
			moniker, _ := cmd.Flags().GetString("moniker")
			n, doc, err := localnet.Init(localnet.InitOptions{
				Home: config.ResolveHome(cmd.Flags()), ChainID: chainID, Moniker: moniker,
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "initialised node %s in %s\n", n.Name, n.Home)
			fmt.Fprintf(e.stdout, "chain id:      %s\n", doc.ChainID)
			fmt.Fprintf(e.stdout, "genesis hash:  %s\n", doc.Hash())
			fmt.Fprintf(e.stdout, "validator key: %s\n", n.ValidatorKey)
			fmt.Fprintf(e.stdout, "p2p:           %s\n", n.P2PAddrs()[0])
			fmt.Fprintf(e.stdout, "http:          %s\n", n.HTTPURL())
			return nil
		},
	}
	cmd.Flags().String("chain-id", localnet.DefaultInitChainID, "chain id: 1 to 64 characters of a-z, 0-9, '.', '_' and '-'")
	cmd.Flags().String("moniker", localnet.DefaultMoniker, "name of this node and its validator")
	return cmd
}
