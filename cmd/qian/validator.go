package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/nodekey"
)

// Validator-set changes by governance: an elector organisation proposes
// (its approval counts), the others approve with `qian org approve`; a
// change approved by block h takes effect at h+2 (docs/operations.md,
// "Changing the validator set").

func newValidatorCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validator",
		Short: "Propose adding, removing, re-weighting or rotating a validator; make a node's next key",
		Long: `A validator-set change is a proposal that passes when more than two thirds of the
organisations with founding status or the regulator role approve it (qian org approve
PROPOSAL_ID); the proposer's approval counts. It takes effect two heights after the
block that approves it. The contract refuses, with a stable code, a change that would
empty the set, move a third or more of the voting power at once, reuse a key or a
peer id, or touch a validator with a change still pending.`,
		Args: args(0, "a subcommand"),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	propose := func(use, short string, n int, what string, build func(cmd *cobra.Command, a []string) (*membership.ValidatorChange, error)) *cobra.Command {
		c := &cobra.Command{
			Use:   use,
			Short: short,
			Args:  args(n, what),
			RunE: func(cmd *cobra.Command, a []string) error {
				vc, err := build(cmd, a)
				if err != nil {
					return err
				}
				reason, _ := cmd.Flags().GetString("reason")
				s, err := openTxSession(cmd, e)
				if err != nil {
					return err
				}
				return sendProposal(s, &membership.Propose{Kind: vc.Kind, Validator: vc, Reason: reason})
			},
		}
		c.Flags().String("reason", "", "why, for the other organisations")
		addClientFlags(c, true)
		return c
	}
	add := propose("propose-add --org ORG --name NAME --pubkey HEX --peer-id ID [--power N]",
		"Propose a new validator run by an active organisation", 0, "no arguments",
		func(cmd *cobra.Command, _ []string) (*membership.ValidatorChange, error) {
			org, _ := cmd.Flags().GetString("org")
			name, _ := cmd.Flags().GetString("name")
			power, _ := cmd.Flags().GetUint64("power")
			key, err := pubkeyFlag(cmd, "pubkey")
			if err != nil {
				return nil, err
			}
			peer, err := peerFlag(cmd, "peer-id", true)
			if err != nil {
				return nil, err
			}
			if org == "" || name == "" {
				return nil, usagef("--org and --name are required")
			}
			return &membership.ValidatorChange{Kind: membership.AddValidator, Org: org, Name: name, Key: key, Power: power, PeerID: peer}, nil
		})
	add.Flags().String("org", "", "the organisation that runs the validator")
	add.Flags().String("name", "", "the validator's name (1-64 of A-Z a-z 0-9 . _ -)")
	add.Flags().String("pubkey", "", "its consensus key: keys/validator.key's public_key (qian status on its node shows it)")
	add.Flags().String("peer-id", "", "its node's peer id (12D3KooW...)")
	add.Flags().Uint64("power", 10, "its voting power")

	remove := propose("propose-remove PUBKEY", "Propose removing a validator", 1, "the validator's public key",
		func(_ *cobra.Command, a []string) (*membership.ValidatorChange, error) {
			key, err := ledger.ParsePublicKey(a[0])
			if err != nil {
				return nil, usagef("PUBKEY: %v", err)
			}
			return &membership.ValidatorChange{Kind: membership.RemoveValidator, Key: key}, nil
		})
	power := propose("propose-power PUBKEY POWER", "Propose changing a validator's voting power", 2, "a public key and a power",
		func(_ *cobra.Command, a []string) (*membership.ValidatorChange, error) {
			key, err := ledger.ParsePublicKey(a[0])
			if err != nil {
				return nil, usagef("PUBKEY: %v", err)
			}
			p, err := strconv.ParseUint(a[1], 10, 64)
			if err != nil {
				return nil, usagef("POWER: %v", err)
			}
			return &membership.ValidatorChange{Kind: membership.SetValidatorPower, Key: key, Power: p}, nil
		})
	rotate := propose("propose-rotate PUBKEY [--new-pubkey HEX] [--new-peer-id ID]",
		"Propose rotating a validator's consensus key, its node's peer id, or both", 1, "the validator's public key",
		func(cmd *cobra.Command, a []string) (*membership.ValidatorChange, error) {
			key, err := ledger.ParsePublicKey(a[0])
			if err != nil {
				return nil, usagef("PUBKEY: %v", err)
			}
			vc := &membership.ValidatorChange{Kind: membership.RotateValidator, Key: key}
			if s, _ := cmd.Flags().GetString("new-pubkey"); s != "" {
				if vc.NewKey, err = ledger.ParsePublicKey(s); err != nil {
					return nil, usagef("--new-pubkey: %v", err)
				}
			}
			if vc.PeerID, err = peerFlag(cmd, "new-peer-id", false); err != nil {
				return nil, err
			}
			if vc.NewKey == (ledger.PublicKey{}) && vc.PeerID == nil {
				return nil, usagef("give --new-pubkey, --new-peer-id or both")
			}
			return vc, nil
		})
	rotate.Flags().String("new-pubkey", "", "the new consensus key: the public_key of the node's keys/validator_next.key (qian validator next-key)")
	rotate.Flags().String("new-peer-id", "", "the node's new peer id")

	next := &cobra.Command{
		Use:   "next-key --home DIR",
		Short: "Write the validator's next consensus key (keys/validator_next.key) for a rotation",
		Long: `Writes keys/validator_next.key in the node home and prints its public key. Restart the
node so that it holds the key, then propose the rotation with --new-pubkey. The node
signs with validator.key until the rotation takes effect and with validator_next.key
from that height on, by itself; it never signs one height with both.`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			paths := config.Paths{Home: config.ResolveHome(cmd.Flags())}
			if _, err := os.Stat(paths.KeysDir()); err != nil {
				return usagef("%s is not a node home (no keys/): give --home", paths.Home)
			}
			k, err := nodekey.GenerateValidatorKey(paths.NextValidatorKeyFile())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "next validator key %s\npublic key %s\n", paths.NextValidatorKeyFile(), k.PublicKey())
			return nil
		},
	}
	cmd.AddCommand(add, remove, power, rotate, next)
	return cmd
}

func pubkeyFlag(cmd *cobra.Command, name string) (ledger.PublicKey, error) {
	s, _ := cmd.Flags().GetString(name)
	if s == "" {
		return ledger.PublicKey{}, usagef("--%s is required", name)
	}
	k, err := ledger.ParsePublicKey(s)
	if err != nil {
		return k, usagef("--%s: %v", name, err)
	}
	return k, nil
}

func peerFlag(cmd *cobra.Command, name string, required bool) (membership.PeerID, error) {
	s, _ := cmd.Flags().GetString(name)
	if s == "" {
		if required {
			return nil, usagef("--%s is required", name)
		}
		return nil, nil
	}
	id, err := membership.ParsePeerID(s)
	if err != nil {
		return nil, usagef("--%s: %v", name, err)
	}
	return id, nil
}
