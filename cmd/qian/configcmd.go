package main

import (
	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/node/config"
)

func newConfigCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration of a home (file, environment and flags merged)",
		Long: `Print the configuration a node at --home would run with, as config.toml text:
config.toml merged with QIAN_* environment variables and any flags given here
(the same flags the node takes, named like the keys: --http.listen, --p2p.peers, ...).`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := config.Load(config.ResolveHome(cmd.Flags()), cmd.Flags())
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(c.Render())
			return err
		},
	}
	config.AddNodeFlags(cmd.Flags())
	config.AddClientFlags(cmd.Flags())
	return cmd
}
