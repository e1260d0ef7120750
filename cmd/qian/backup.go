package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/backup"
	"github.com/qianchain/qianchain/node/config"
)

// Backups (node/backup): a consistent copy of a node's store and its
// non-secret files, made while it runs; restored into a home whose store
// was moved aside. The double-sign guard keeps a restored validator from
// signing twice (docs/operations.md, "Backup and restore").

func newBackupCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup -o FILE",
		Short: "Write a consistent backup of the node's store and non-secret files, while it runs",
		Long: `Write a backup of the node whose home is --home into FILE (a tar): a checkpoint of
its store, consistent at one height, made by the running node through its control
socket (HOME/data/control.sock) or, when the node is stopped, from the store itself;
with the home's config.toml and genesis.json and a manifest (backup.json).

A backup holds no key (keys/, keyring/) and not the validator's signing record
(data/priv_validator_state.json, data/cs.wal): save keys apart, once. Restore with
qian restore FILE --home DIR.`,
		Args: args(0, "no arguments (the file is -o FILE)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, _ := cmd.Flags().GetString("out")
			if out == "" {
				return usagef("-o FILE: where to write the backup")
			}
			home := config.ResolveHome(cmd.Flags())
			m, err := backup.Create(cmd.Context(), home, out, versionString())
			if err != nil {
				return err
			}
			how := "from the stopped node's store"
			if m.Online {
				how = "from the running node"
			}
			fmt.Fprintf(e.stdout, "wrote %s: chain %s, height %d, %s; with %s; no keys and no signer state\n",
				out, m.ChainID, m.Height, how, strings.Join(append(m.Files, "data/chain/"), ", "))
			return nil
		},
	}
	cmd.Flags().StringP("out", "o", "", "the backup file to write")
	return cmd
}

func newRestoreCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Restore a backup's store into a home (the node stopped, its store moved aside)",
		Long: `Unpack the backup FILE into the home --home: the store into data/chain, which must
not exist (stop the node and move the old one aside), and config.toml and
genesis.json where the home has none. A home with a genesis.json must have the
backup's. Keys, data/priv_validator_state.json and data/cs.wal are never written:
put the keys back from where they are kept, and leave the signer state the machine
has. On start, the node syncs the blocks after the backup from its peers and its
double-sign guard refuses to sign if the chain shows this validator signed after
what its signer state records (exit code 4; see docs/operations.md).`,
		Args: args(1, "the backup file"),
		RunE: func(cmd *cobra.Command, a []string) error {
			home := config.ResolveHome(cmd.Flags())
			r, err := backup.Restore(a[0], home)
			if err != nil {
				return err
			}
			m := r.Manifest
			fmt.Fprintf(e.stdout, "restored the store of chain %s at height %d (backup of %s by qian %s) into %s\n",
				m.ChainID, m.Height, m.Created.Format("2006-01-02 15:04:05Z"), m.Software, filepath.Join(home, config.DataDirName, "chain"))
			if len(r.Wrote) > 0 {
				fmt.Fprintf(e.stdout, "wrote %s\n", strings.Join(r.Wrote, ", "))
			}
			if len(r.Kept) > 0 {
				fmt.Fprintf(e.stdout, "kept the home's own %s\n", strings.Join(r.Kept, ", "))
			}
			last, err := node.ReadSignerState(filepath.Join(home, config.DataDirName, node.SignerStateFile))
			switch {
			case err != nil:
				fmt.Fprintf(e.stdout, "the signer state does not read: %v\n", err)
			case last.Height > 0:
				fmt.Fprintf(e.stdout, "kept the signer state: last signed height %d\n", last.Height)
			default:
				fmt.Fprintf(e.stdout, "no signer state: a validator's start is refused if the chain shows it signed (see qian validator signer-advance)\n")
			}
			fmt.Fprintf(e.stdout, "put back the keys (keys/) if this home has none, then: qian start --home %s\n", home)
			return nil
		},
	}
}

func newSignerAdvanceCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "signer-advance",
		Short: "Move a stopped validator's signer state past the chain's tip, after the double-sign guard refused it",
		Long: `For a validator whose start the double-sign guard refused (error signer_behind, exit
code 4) and whose newest data/priv_validator_state.json is lost. First make sure no
other copy of this validator runs anywhere: two copies of a validator sign twice.
With the node stopped, this writes the signer state as having signed the last step
of the height after the store's last block (the store was synced with the peers
before the refusal): the validator signs nothing at that height or below, and
takes part again from the height after.`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(config.ResolveHome(cmd.Flags()), cmd.Flags())
			if err != nil {
				return err
			}
			l, err := node.AdvanceSigner(cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "signer state at height %d (key %s): this validator signs again from height %d\n", l.Height, l.PubKey.Short(), l.Height+1)
			return nil
		},
	}
}
